import { z } from "zod";
import type { Prisma, Rule } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, packScopedRef, parseInput } from "./common/input-validation.ts";
import { jsonInput, nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "rule";

const createRuleInput = z.object({
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
export type CreateRuleInput = z.input<typeof createRuleInput>;

const updateRuleInput = createRuleInput
  .pick({ label: true, description: true, conditions: true, actionParams: true, triggerParams: true, enabled: true })
  .partial();
export type UpdateRuleInput = z.input<typeof updateRuleInput>;

/** Rules: connect a trigger to an action, with conditions. Listed by ref. */
export class RuleRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Rule | null> {
    return mapErrors(ENTITY, () => this.db.rule.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<Rule | null> {
    return mapErrors(ENTITY, () => this.db.rule.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<Rule> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async getByRef(ref: string): Promise<Rule> {
    return (await this.findByRef(ref)) ?? notFound({ ref });
  }

  /** One page of rules, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<Rule>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.rule.findMany({ orderBy: { ref: "asc" }, ...window }),
      () => this.db.rule.count(),
    );
  }

  /** Creates a rule. `enabled` must be given (no database default). */
  async create(input: CreateRuleInput): Promise<Rule> {
    const data = parseInput(ENTITY, createRuleInput, input);
    return mapErrors(ENTITY, () => this.db.rule.create({ data: data as Prisma.RuleUncheckedCreateInput }));
  }

  /** Changes only the given fields (`updated` is set by the database). */
  async update(id: Id, input: UpdateRuleInput): Promise<Rule> {
    const data = parseInput(ENTITY, updateRuleInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.rule.update({ where: { id: toId(id) }, data: data as Prisma.RuleUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Deletes the rule (its enforcements keep their row, with `rule` set to NULL). Returns whether a row was deleted. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.rule.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Rules of a pack, by ref. */
  async findByPack(packId: Id): Promise<Rule[]> {
    return this.db.rule.findMany({ where: { packId: toId(packId) }, orderBy: { ref: "asc" } });
  }

  /** Rules that run an action, by ref. */
  async findByAction(actionId: Id): Promise<Rule[]> {
    return this.db.rule.findMany({ where: { actionId: toId(actionId) }, orderBy: { ref: "asc" } });
  }

  /** Rules that listen to a trigger, by ref. */
  async findByTrigger(triggerId: Id): Promise<Rule[]> {
    return this.db.rule.findMany({ where: { triggerId: toId(triggerId) }, orderBy: { ref: "asc" } });
  }

  /** Enabled rules, by ref. */
  async findEnabled(): Promise<Rule[]> {
    return this.db.rule.findMany({ where: { enabled: true }, orderBy: { ref: "asc" } });
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
