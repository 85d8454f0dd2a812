import { z } from "zod";
import { Prisma, type Execution } from "../../prisma/generated/client.ts";
import { ExecutionStatus } from "../../prisma/generated/enums.ts";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import { inTransaction, type DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, packScopedRef, parseInput } from "./common/input-validation.ts";
import { nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { MAX_PER_PAGE, paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "execution";

/** The channel {@link ExecutionRepository.updateStatus} writes its notification row to. */
export const EXECUTION_STATUS_CHANGED_CHANNEL = "execution_status_changed";

/** Newest first; `id` breaks ties between rows created in the same transaction. */
const NEWEST_FIRST: Prisma.ExecutionOrderByWithRelationInput[] = [{ created: "desc" }, { id: "desc" }];

/** How often updateStatus re-reads the status when a concurrent writer changed it in between. */
const STATUS_UPDATE_ATTEMPTS = 5;

const timestamp = z
  .union([z.iso.datetime({ offset: true }), z.date()])
  .transform((value) => (value instanceof Date ? value.toISOString() : value));
const nonNegativeInt = z.number().int().min(0);

/**
 * `execution.workflow_task`: the metadata of a workflow task execution, stored
 * with the snake_case keys that the expression indexes and the Rust
 * `WorkflowTaskMetadata` read. Timestamps are ISO-8601 strings (a `Date` is
 * converted). Unknown keys are refused.
 */
export const workflowTaskSchema = z
  .object({
    /** Id of the workflow_execution row (not enforced by a foreign key). */
    workflow_execution: z.number().int().positive(),
    task_name: z.string().min(1),
    task_index: nonNegativeInt.nullish(),
    task_batch: nonNegativeInt.nullish(),
    retry_count: nonNegativeInt.default(0),
    max_retries: nonNegativeInt.default(0),
    next_retry_at: timestamp.nullish(),
    timeout_seconds: z.number().int().positive().nullish(),
    timed_out: z.boolean().default(false),
    duration_ms: nonNegativeInt.nullish(),
    started_at: timestamp.nullish(),
    completed_at: timestamp.nullish(),
  })
  .strict();
export type WorkflowTaskInput = z.input<typeof workflowTaskSchema>;
export type WorkflowTask = z.output<typeof workflowTaskSchema>;

/** A nullable workflow_task: null stores SQL NULL (a plain execution). */
const workflowTaskInput = workflowTaskSchema.nullable().transform((value) => (value === null ? Prisma.DbNull : value));

const executionStatus = z.enum(ExecutionStatus);

const createExecutionInput = z.object({
  /** The action run. An action with executions cannot be deleted (execution.action has no ON DELETE action). */
  actionId: id.nullish(),
  actionRef: packScopedRef,
  config: nullableJsonInput.optional(),
  /** The parent (workflow) execution. */
  parentId: id.nullish(),
  enforcementId: id.nullish(),
  /** The identity that runs it; null once that identity is deleted (ON DELETE SET NULL). */
  executorId: id.nullish(),
  status: executionStatus.optional(),
  result: nullableJsonInput.optional(),
  workflowTask: workflowTaskInput.optional(),
});
export type CreateExecutionInput = z.input<typeof createExecutionInput>;

const updateExecutionInput = createExecutionInput
  .pick({ status: true, result: true, executorId: true, workflowTask: true })
  .partial();
export type UpdateExecutionInput = z.input<typeof updateExecutionInput>;

const updateStatusInput = z.object({
  status: executionStatus,
  result: nullableJsonInput.optional(),
  notify: z
    .object({
      /** A PostgreSQL channel name: 1 to 63 bytes. Default is `execution_status_changed`. */
      channel: z
        .string()
        .min(1)
        .refine((value) => Buffer.byteLength(value) <= 63, "must be at most 63 bytes (a PostgreSQL channel name)")
        .optional(),
      /** Default is the new status. */
      activity: z.string().min(1).optional(),
    })
    .optional(),
});
/** `result`: a new result (null clears it; default is to leave it). `notify`: the notification row's channel and activity. */
export type UpdateStatusOptions = Omit<z.input<typeof updateStatusInput>, "status">;

/**
 * Executions: one run of an action (also workflow parents and workflow
 * tasks). Every insert and update is NOTIFY'd on `attune_notifications` by a
 * database trigger (results over ~7.9 kB are left out of that payload).
 * Listed newest first.
 */
export class ExecutionRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Execution | null> {
    return mapErrors(ENTITY, () => this.db.execution.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<Execution> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of executions, newest first. */
  async list(page?: PageRequest): Promise<Page<Execution>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.execution.findMany({ orderBy: NEWEST_FIRST, ...window }),
      () => this.db.execution.count(),
    );
  }

  async create(input: CreateExecutionInput): Promise<Execution> {
    const data = parseInput(ENTITY, createExecutionInput, input);
    return mapErrors(ENTITY, () => this.db.execution.create({ data: data as Prisma.ExecutionUncheckedCreateInput }));
  }

  /**
   * Changes only the given fields (status, result, executorId, workflowTask);
   * `updated` is set by the database. The status must be one of the enum's
   * values; no transition rules are applied.
   */
  async update(id: Id, input: UpdateExecutionInput): Promise<Execution> {
    const data = parseInput(ENTITY, updateExecutionInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.execution.update({ where: { id: toId(id) }, data: data as Prisma.ExecutionUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /**
   * Deletes the execution, and through ON DELETE CASCADE its inquiries and
   * workflow executions. Refused with a {@link ForeignKeyError}
   * (`execution.parent -> execution`) while child executions point at it.
   * Returns whether a row was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.execution.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Executions in `status`, newest first (at most 1000). */
  async findByStatus(status: ExecutionStatus): Promise<Execution[]> {
    const where = parseInput(ENTITY, z.object({ status: executionStatus }), { status });
    return this.db.execution.findMany({ where, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /** The executions an enforcement started, newest first (at most 1000). */
  async findByEnforcement(enforcementId: Id): Promise<Execution[]> {
    return this.db.execution.findMany({
      where: { enforcementId: toId(enforcementId) },
      orderBy: NEWEST_FIRST,
      take: MAX_PER_PAGE,
    });
  }

  /** The child executions of `parentId`, newest first (at most 1000). */
  async findChildren(parentId: Id): Promise<Execution[]> {
    return this.db.execution.findMany({ where: { parentId: toId(parentId) }, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /**
   * The task executions of a workflow execution (`workflow_task.workflow_execution`),
   * newest first (at most 1000).
   */
  async findByWorkflowExecution(workflowExecutionId: Id): Promise<Execution[]> {
    const value = Number(toId(workflowExecutionId));
    const where: Prisma.ExecutionWhereInput = {
      OR: [
        { workflowTask: { path: ["workflow_execution"], equals: value } },
        // `->>` semantics: a key written as a string by other code matches too.
        { workflowTask: { path: ["workflow_execution"], equals: String(value) } },
      ],
    };
    return this.db.execution.findMany({ where, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /**
   * Sets the status (and optionally the result) and, in the same
   * transaction, writes a `notification` row about it (entity type
   * "execution", entity = the id, activity = the status, content
   * `{ status, previous }`), which the database NOTIFYs on its channel at
   * commit. The status must be one of the enum's values; no transition rules
   * are applied. Returns the updated execution.
   */
  async updateStatus(id: Id, status: ExecutionStatus, options: UpdateStatusOptions = {}): Promise<Execution> {
    const data = parseInput(ENTITY, updateStatusInput, { status, ...options });
    const key = { id: toId(id) };
    return inTransaction(this.db, async (tx) => {
      for (let attempt = 1; ; attempt++) {
        const current = await tx.execution.findUnique({ where: key, select: { status: true } });
        if (!current) notFound(key);
        // Compare-and-set on the status read, so `previous` is exact even with concurrent writers.
        const { count } = await mapErrors(
          ENTITY,
          () =>
            tx.execution.updateMany({
              where: { ...key, status: current.status },
              data: { status: data.status, ...(data.result !== undefined && { result: data.result }) },
            }),
          key,
        );
        if (count === 0 && attempt < STATUS_UPDATE_ATTEMPTS) continue;
        if (count === 0) {
          throw new AttuneDbError(`execution ${key.id}: status changed concurrently ${STATUS_UPDATE_ATTEMPTS} times, giving up`);
        }
        await mapErrors("notification", () =>
          tx.notification.create({
            data: {
              channel: data.notify?.channel ?? EXECUTION_STATUS_CHANGED_CHANNEL,
              entityType: ENTITY,
              entity: key.id.toString(),
              activity: data.notify?.activity ?? data.status,
              content: { status: data.status, previous: current.status },
            },
          }),
        );
        return tx.execution.findUniqueOrThrow({ where: key });
      }
    });
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
