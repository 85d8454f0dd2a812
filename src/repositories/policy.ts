import { z } from "zod";
import type { Policy } from "../../prisma/generated/client.ts";
import { PolicyMethod } from "../../prisma/generated/enums.ts";
import { catalogRepository, type Id } from "./common/index.ts";
import { count, id, indexedTextList, packScopedRef } from "./common/input-validation.ts";

const createInput = z.object({
  ref: packScopedRef,
  packId: id.nullish(),
  packRef: z.string().nullish(),
  actionId: id.nullish(),
  actionRef: z.string().nullish(),
  parameters: indexedTextList.optional(),
  method: z.enum(PolicyMethod),
  threshold: count.min(1, "must be greater than 0"),
  name: z.string().min(1),
  description: z.string().nullish(),
  tags: indexedTextList.optional(),
});
/** Ref `pack.name`, `method` cancel|enqueue, `threshold` > 0. */
export type CreatePolicyInput = z.input<typeof createInput>;

const updateInput = createInput.pick({ parameters: true, method: true, threshold: true, name: true, description: true, tags: true }).partial();
export type UpdatePolicyInput = z.input<typeof updateInput>;

/** Policies: concurrency / rate control attached to an action (table `policy`). Listed by ref. */
export class PolicyRepository extends catalogRepository({ model: "policy", create: createInput, update: updateInput }) {
  async findByAction(actionId: Id): Promise<Policy[]> {
    return this.findWhere({ actionId: this.toId(actionId, "actionId") });
  }

  async findByTag(tag: string): Promise<Policy[]> {
    return this.findWhere({ tags: { has: tag } });
  }
}
