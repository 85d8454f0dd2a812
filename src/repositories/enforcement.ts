import { z } from "zod";
import { Prisma, type Enforcement, type Execution } from "../../prisma/generated/client.ts";
import { EnforcementCondition, EnforcementStatus } from "../../prisma/generated/enums.ts";
import { ForeignKeyError } from "../errors/foreign-key-error.ts";
import { FOREIGN_KEYS } from "../errors/database-constraints.ts";
import { editableRepository, inTransaction, MAX_PER_PAGE, type Id, type TransactionOptions } from "./common/index.ts";
import { id, jsonInput, nullableJsonInput, packScopedRef } from "./common/input-validation.ts";

const enforcementStatus = z.enum(EnforcementStatus);

const createInput = z.object({
  /** The rule applied; null once that rule is deleted (ON DELETE SET NULL). */
  ruleId: id.nullish(),
  ruleRef: packScopedRef,
  triggerRef: packScopedRef,
  config: nullableJsonInput.optional(),
  /** The event the rule was applied to; null once that event is deleted (ON DELETE SET NULL). */
  eventId: id.nullish(),
  status: enforcementStatus.optional(),
  payload: jsonInput,
  condition: z.enum(EnforcementCondition).optional(),
  conditions: jsonInput.optional(),
});
export type CreateEnforcementInput = z.input<typeof createInput>;

const updateInput = createInput.pick({ status: true, payload: true }).partial();
export type UpdateEnforcementInput = z.input<typeof updateInput>;

const createForEventInput = z.object({
  eventId: id,
  ruleId: id,
  /** Default is the event's payload (`{}` when it has none). */
  payload: jsonInput.optional(),
  config: nullableJsonInput.optional(),
  status: enforcementStatus.optional(),
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

/**
 * Enforcements: a rule being applied to an event. Listed newest first (at
 * most 1000 from the finders). `delete` is refused with a ForeignKeyError
 * (`execution.enforcement -> enforcement`) while executions point at it.
 */
export class EnforcementRepository extends editableRepository({ model: "enforcement", create: createInput, update: updateInput }) {
  async findByRule(ruleId: Id): Promise<Enforcement[]> {
    return this.findWhere({ ruleId: this.toId(ruleId, "ruleId") }, MAX_PER_PAGE);
  }

  async findByStatus(status: EnforcementStatus): Promise<Enforcement[]> {
    return this.findWhere(this.parse(z.object({ status: enforcementStatus }), { status }), MAX_PER_PAGE);
  }

  async findByEvent(eventId: Id): Promise<Enforcement[]> {
    return this.findWhere({ eventId: this.toId(eventId, "eventId") }, MAX_PER_PAGE);
  }

  /**
   * Applies a rule to an event, in one transaction: creates the enforcement
   * (rule ref and conditions from the rule, trigger ref from the event) and
   * the execution of the rule's action (status `requested`, config = the
   * rule's action parameters). A missing event or rule, or any failed write,
   * rolls everything back: ForeignKeyError naming the relation for a
   * missing parent.
   */
  async createForEvent(input: CreateForEventInput, options?: TransactionOptions): Promise<EnforcementWithExecution> {
    const data = this.parse(createForEventInput, input);
    return inTransaction(this.db, async (tx) => {
      const [rule, event] = await Promise.all([
        tx.rule.findUnique({ where: { id: data.ruleId } }),
        tx.event.findUnique({ where: { id: data.eventId } }),
      ]);
      if (!rule) missingParent("rule");
      if (!event) missingParent("event");

      const enforcement = await tx.enforcement.create({
        data: {
          ruleId: rule.id,
          ruleRef: rule.ref,
          triggerRef: event.triggerRef,
          eventId: event.id,
          payload: data.payload ?? jsonValue(event.payload) ?? {},
          conditions: data.conditions ?? jsonValue(rule.conditions) ?? [],
          ...(data.config !== undefined && { config: data.config }),
          ...(data.status !== undefined && { status: data.status }),
          ...(data.condition !== undefined && { condition: data.condition }),
        },
      });
      const execution = await tx.execution.create({
        data: {
          actionId: rule.actionId,
          actionRef: rule.actionRef,
          enforcementId: enforcement.id,
          status: "requested",
          config: jsonValue(rule.actionParams) ?? Prisma.DbNull,
          executorId: data.executorId ?? null,
          parentId: data.parentId ?? null,
        },
      });
      return { enforcement, execution };
    }, options);
  }
}

/** A stored JSON value to write again: SQL NULL (read as `null`) is undefined. */
function jsonValue(value: Prisma.JsonValue): Prisma.InputJsonValue | undefined {
  return value === null ? undefined : value;
}

/** The same error the database's foreign key would give, for a parent looked up before writing. */
function missingParent(column: "rule" | "event"): never {
  const constraint = `enforcement_${column}_fkey`;
  throw new ForeignKeyError("enforcement", "missing", FOREIGN_KEYS[constraint] ?? constraint, constraint);
}
