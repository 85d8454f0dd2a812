import { z } from "zod";
import type { Rule } from "../../prisma/generated/client.ts";
import { catalogRepository, type Id } from "./common/index.ts";
import { id, jsonInput, nullableJsonInput, packScopedRef } from "./common/input-validation.ts";

const createInput = z.object({
  ref: packScopedRef,
  packId: id,
  packRef: z.string().min(1),
  label: z.string().min(1),
  description: z.string(),
  actionId: id,
  actionRef: z.string().min(1),
  triggerId: id,
  triggerRef: z.string().min(1),
  /** Default `[]`. */
  conditions: jsonInput.optional(),
  /** Default `{}`; `null` stores SQL NULL. */
  actionParams: nullableJsonInput.optional(),
  /** Default `{}`; `null` stores SQL NULL. */
  triggerParams: nullableJsonInput.optional(),
  /** Required: the column has no default. */
  enabled: z.boolean(),
});
export type CreateRuleInput = z.input<typeof createInput>;

const updateInput = createInput
  .pick({ label: true, description: true, conditions: true, actionParams: true, triggerParams: true, enabled: true })
  .partial();
export type UpdateRuleInput = z.input<typeof updateInput>;

/**
 * Rules: connect a trigger to an action, with conditions. Listed by ref.
 * `delete` leaves its enforcements in place, with `rule` set to NULL.
 */
export class RuleRepository extends catalogRepository({ model: "rule", create: createInput, update: updateInput }) {
  async findByPack(packId: Id): Promise<Rule[]> {
    return this.findWhere({ packId: this.toId(packId, "packId") });
  }

  async findByAction(actionId: Id): Promise<Rule[]> {
    return this.findWhere({ actionId: this.toId(actionId, "actionId") });
  }

  async findByTrigger(triggerId: Id): Promise<Rule[]> {
    return this.findWhere({ triggerId: this.toId(triggerId, "triggerId") });
  }

  async findEnabled(): Promise<Rule[]> {
    return this.findWhere({ enabled: true });
  }
}
