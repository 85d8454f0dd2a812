import { z } from "zod";
import { Prisma, type Execution } from "../../prisma/generated/client.ts";
import { ExecutionStatus } from "../../prisma/generated/enums.ts";
import { ConcurrentUpdateError } from "../errors/concurrent-update-error.ts";
import { editableRepository, inTransaction, MAX_PER_PAGE, type Id, type TransactionOptions } from "./common/index.ts";
import { channelName, id, indexedText, nullableJsonInput, packScopedRef } from "./common/input-validation.ts";
import { EXECUTION_STATUS_CHANGED_CHANNEL } from "../notifications/channels.ts";

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
const workflowTaskSchema = z
  .object({
    /** Id of the workflow_execution row (not enforced by a foreign key). */
    workflow_execution: z.number().int().positive(),
    task_name: indexedText.min(1),
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

const createInput = z.object({
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
export type CreateExecutionInput = z.input<typeof createInput>;

/** The status must be one of the enum's values; no transition rules are applied. */
const updateInput = createInput.pick({ status: true, result: true, executorId: true, workflowTask: true }).partial();
export type UpdateExecutionInput = z.input<typeof updateInput>;

const updateStatusInput = z.object({
  status: executionStatus,
  result: nullableJsonInput.optional(),
  notify: z
    .object({
      /** Default is `execution_status_changed`. */
      channel: channelName.optional(),
      /** Default is the new status. */
      activity: z.string().min(1).optional(),
    })
    .optional(),
});
/**
 * `result`: a new result (null clears it; default is to leave it). `notify`:
 * the notification row's channel and activity. `transaction`: its timeout
 * (a large result may need more than the default 5 s).
 */
export type UpdateStatusOptions = Omit<z.input<typeof updateStatusInput>, "status"> & { readonly transaction?: TransactionOptions };

/**
 * Executions: one run of an action (also workflow parents and workflow
 * tasks). Every insert and update is NOTIFY'd on `attune_notifications` by a
 * database trigger (results over ~7.9 kB are left out of that payload).
 * Listed newest first.
 */
export class ExecutionRepository extends editableRepository({ model: "execution", create: createInput, update: updateInput }) {
  async findByStatus(status: ExecutionStatus): Promise<Execution[]> {
    return this.findWhere(this.parse(z.object({ status: executionStatus }), { status }), MAX_PER_PAGE);
  }

  async findByEnforcement(enforcementId: Id): Promise<Execution[]> {
    return this.findWhere({ enforcementId: this.toId(enforcementId, "enforcementId") }, MAX_PER_PAGE);
  }

  async findChildren(parentId: Id): Promise<Execution[]> {
    return this.findWhere({ parentId: this.toId(parentId, "parentId") }, MAX_PER_PAGE);
  }

  /** The task executions of a workflow execution (`workflow_task.workflow_execution`). */
  async findByWorkflowExecution(workflowExecutionId: Id): Promise<Execution[]> {
    const value = Number(this.toId(workflowExecutionId, "workflowExecutionId"));
    return this.findWhere(
      {
        OR: [
          { workflowTask: { path: ["workflow_execution"], equals: value } },
          // `->>` semantics: a key written as a string by other code matches too.
          { workflowTask: { path: ["workflow_execution"], equals: String(value) } },
        ],
      },
      MAX_PER_PAGE,
    );
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
    const { transaction, ...rest } = options;
    const data = this.parse(updateStatusInput, { status, ...rest });
    const key = { id: this.toId(id) };
    return inTransaction(this.db, async (tx) => {
      for (let attempt = 1; ; attempt++) {
        const current = await tx.execution.findUnique({ where: key, select: { status: true } });
        if (!current) this.notFound(key);
        // Compare-and-set on the status read, so `previous` is exact even with concurrent writers.
        const { count } = await tx.execution.updateMany({
          where: { ...key, status: current.status },
          data: { status: data.status, ...(data.result !== undefined && { result: data.result }) },
        });
        if (count === 0 && attempt < STATUS_UPDATE_ATTEMPTS) continue;
        if (count === 0) throw new ConcurrentUpdateError(this.entity, key, STATUS_UPDATE_ATTEMPTS);
        await tx.notification.create({
          data: {
            channel: data.notify?.channel ?? EXECUTION_STATUS_CHANGED_CHANNEL,
            entityType: this.entity,
            entity: key.id.toString(),
            activity: data.notify?.activity ?? data.status,
            content: { status: data.status, previous: current.status },
          },
        });
        return tx.execution.findUniqueOrThrow({ where: key });
      }
    }, transaction);
  }
}
