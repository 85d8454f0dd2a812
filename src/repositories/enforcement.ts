import { z } from "zod";
import { Prisma, type Enforcement, type Execution } from "../../prisma/generated/client.ts";
import { EnforcementCondition, EnforcementStatus } from "../../prisma/generated/enums.ts";
import { ForeignKeyError } from "../errors/foreign-key-error.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import { inTransaction, type DbClient } from "./common/db-client.ts";
import { FOREIGN_KEYS } from "./common/database-constraints.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, packScopedRef, parseInput } from "./common/input-validation.ts";
import { jsonInput, nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { MAX_PER_PAGE, paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "enforcement";

/** Newest first; `id` breaks ties between rows created in the same transaction. */
const NEWEST_FIRST: Prisma.EnforcementOrderByWithRelationInput[] = [{ created: "desc" }, { id: "desc" }];

const createEnforcementInput = z.object({
  /** The rule applied; null once that rule is deleted (ON DELETE SET NULL). */
  ruleId: id.nullish(),
  ruleRef: packScopedRef,
  triggerRef: packScopedRef,
  config: nullableJsonInput.optional(),
  /** The event the rule was applied to; null once that event is deleted (ON DELETE SET NULL). */
  eventId: id.nullish(),
  status: z.enum(EnforcementStatus).optional(),
  payload: jsonInput,
  condition: z.enum(EnforcementCondition).optional(),
  conditions: jsonInput.optional(),
});
export type CreateEnforcementInput = z.input<typeof createEnforcementInput>;

const updateEnforcementInput = createEnforcementInput.pick({ status: true, payload: true }).partial();
export type UpdateEnforcementInput = z.input<typeof updateEnforcementInput>;

const createForEventInput = z.object({
  eventId: id,
  ruleId: id,
  /** Default is the event's payload (`{}` when it has none). */
  payload: jsonInput.optional(),
  config: nullableJsonInput.optional(),
  status: z.enum(EnforcementStatus).optional(),
  condition: z.enum(EnforcementCondition).optional(),
  /** Default is a copy of the rule's conditions. */
  conditions: jsonInput.optional(),
  /** Who runs the execution (identity id). */
  executorId: id.nullish(),
  /** The parent execution, when the enforcement happens inside a workflow. */
  parentId: id.nullish(),
});
export type CreateForEventInput = z.input<typeof createForEventInput>;

/** What {@link EnforcementRepository.createForEvent} wrote. */
export interface EnforcementWithExecution {
  readonly enforcement: Enforcement;
  readonly execution: Execution;
}

/** Enforcements: a rule being applied to an event. Listed newest first. */
export class EnforcementRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Enforcement | null> {
    return mapErrors(ENTITY, () => this.db.enforcement.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<Enforcement> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of enforcements, newest first. */
  async list(page?: PageRequest): Promise<Page<Enforcement>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.enforcement.findMany({ orderBy: NEWEST_FIRST, ...window }),
      () => this.db.enforcement.count(),
    );
  }

  async create(input: CreateEnforcementInput): Promise<Enforcement> {
    const data = parseInput(ENTITY, createEnforcementInput, input);
    return mapErrors(ENTITY, () => this.db.enforcement.create({ data: data as Prisma.EnforcementUncheckedCreateInput }));
  }

  /** Changes only the given fields (status, payload); `updated` is set by the database. */
  async update(id: Id, input: UpdateEnforcementInput): Promise<Enforcement> {
    const data = parseInput(ENTITY, updateEnforcementInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.enforcement.update({ where: { id: toId(id) }, data: data as Prisma.EnforcementUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /**
   * Deletes the enforcement. Refused with a {@link ForeignKeyError}
   * (`execution.enforcement -> enforcement`) while executions point at it.
   * Returns whether a row was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.enforcement.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** The rule's enforcements, newest first (at most 1000). */
  async findByRule(ruleId: Id): Promise<Enforcement[]> {
    return this.db.enforcement.findMany({ where: { ruleId: toId(ruleId) }, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /** Enforcements in `status`, newest first (at most 1000). */
  async findByStatus(status: EnforcementStatus): Promise<Enforcement[]> {
    const parsed = parseInput(ENTITY, z.object({ status: z.enum(EnforcementStatus) }), { status });
    return this.db.enforcement.findMany({ where: parsed, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /** The event's enforcements, newest first (at most 1000). */
  async findByEvent(eventId: Id): Promise<Enforcement[]> {
    return this.db.enforcement.findMany({ where: { eventId: toId(eventId) }, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /**
   * Applies a rule to an event, in one transaction: creates the enforcement
   * (rule ref and conditions from the rule, trigger ref from the event) and
   * the execution of the rule's action (status `requested`, config = the
   * rule's action parameters). A missing event or rule, or any failed write,
   * rolls everything back: {@link ForeignKeyError} naming the relation for a
   * missing parent.
   */
  async createForEvent(input: CreateForEventInput): Promise<EnforcementWithExecution> {
    const data = parseInput(ENTITY, createForEventInput, input);
    return inTransaction(this.db, async (tx) => {
      const [rule, event] = await Promise.all([
        tx.rule.findUnique({ where: { id: data.ruleId } }),
        tx.event.findUnique({ where: { id: data.eventId } }),
      ]);
      if (!rule) missingParent(ENTITY, "rule");
      if (!event) missingParent(ENTITY, "event");

      const enforcement = await mapErrors(ENTITY, () =>
        tx.enforcement.create({
          data: {
            ruleId: rule.id,
            ruleRef: rule.ref,
            triggerRef: event.triggerRef,
            eventId: event.id,
            payload: data.payload ?? (event.payload as Prisma.InputJsonValue | null) ?? {},
            conditions: data.conditions ?? (rule.conditions as Prisma.InputJsonValue),
            ...(data.config !== undefined && { config: data.config }),
            ...(data.status !== undefined && { status: data.status }),
            ...(data.condition !== undefined && { condition: data.condition }),
          },
        }),
      );
      const execution = await mapErrors("execution", () =>
        tx.execution.create({
          data: {
            actionId: rule.actionId,
            actionRef: rule.actionRef,
            enforcementId: enforcement.id,
            status: "requested",
            config: rule.actionParams === null ? Prisma.DbNull : (rule.actionParams as Prisma.InputJsonValue),
            executorId: data.executorId ?? null,
            parentId: data.parentId ?? null,
          },
        }),
      );
      return { enforcement, execution };
    });
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}

/** The same error the database's foreign key would give, for a parent looked up before writing. */
function missingParent(table: string, column: string): never {
  const constraint = `${table}_${column}_fkey`;
  throw new ForeignKeyError(table, "missing", FOREIGN_KEYS[constraint] ?? constraint, constraint);
}
