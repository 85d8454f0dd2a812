import { z } from "zod";
import type { Policy, Prisma } from "../../prisma/generated/client.ts";
import { PolicyMethod } from "../../prisma/generated/enums.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, packScopedRef, parseInput } from "./common/input-validation.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "policy";

const INT4_MAX = 2_147_483_647;

const createPolicyInput = z.object({
  ref: packScopedRef,
  packId: id.nullish(),
  packRef: z.string().nullish(),
  actionId: id.nullish(),
  actionRef: z.string().nullish(),
  parameters: z.array(z.string()).optional(),
  method: z.enum(PolicyMethod),
  threshold: z.number().int().min(1, "must be greater than 0").max(INT4_MAX),
  name: z.string().min(1),
  description: z.string().nullish(),
  tags: z.array(z.string()).optional(),
});
export type CreatePolicyInput = z.input<typeof createPolicyInput>;

const updatePolicyInput = createPolicyInput
  .pick({ parameters: true, method: true, threshold: true, name: true, description: true, tags: true })
  .partial();
export type UpdatePolicyInput = z.input<typeof updatePolicyInput>;

/** Policies: concurrency / rate control attached to an action (table `policy`). Listed by ref. */
export class PolicyRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Policy | null> {
    return mapErrors(ENTITY, () => this.db.policy.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<Policy | null> {
    return mapErrors(ENTITY, () => this.db.policy.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<Policy> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async getByRef(ref: string): Promise<Policy> {
    return (await this.findByRef(ref)) ?? notFound({ ref });
  }

  /** One page of policies, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<Policy>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.policy.findMany({ orderBy: { ref: "asc" }, ...window }),
      () => this.db.policy.count(),
    );
  }

  /** Creates a policy: ref `pack.name`, `method` cancel|enqueue, `threshold` > 0. */
  async create(input: CreatePolicyInput): Promise<Policy> {
    const data = parseInput(ENTITY, createPolicyInput, input);
    return mapErrors(ENTITY, () => this.db.policy.create({ data: data as Prisma.PolicyUncheckedCreateInput }));
  }

  /** Changes only the given fields (`updated` is set by the database). */
  async update(id: Id, input: UpdatePolicyInput): Promise<Policy> {
    const data = parseInput(ENTITY, updatePolicyInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.policy.update({ where: { id: toId(id) }, data: data as Prisma.PolicyUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Deletes the policy. Returns whether a row was deleted. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.policy.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Policies attached to an action, by ref. */
  async findByAction(actionId: Id): Promise<Policy[]> {
    return this.db.policy.findMany({ where: { actionId: toId(actionId) }, orderBy: { ref: "asc" } });
  }

  /** Policies whose tags contain `tag`, by ref. */
  async findByTag(tag: string): Promise<Policy[]> {
    return this.db.policy.findMany({ where: { tags: { has: tag } }, orderBy: { ref: "asc" } });
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
