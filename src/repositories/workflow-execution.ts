import { z } from "zod";
import type { WorkflowExecution } from "../../prisma/generated/client.ts";
import { ExecutionStatus } from "../../prisma/generated/enums.ts";
import { editableRepository, MAX_PER_PAGE, type Id } from "./common/index.ts";
import { id, jsonInput, nullableJsonInput } from "./common/input-validation.ts";

/** A missing execution or definition is a ForeignKeyError naming the relation. */
const createInput = z.object({
  /** The parent execution (the run of the workflow action). */
  executionId: id,
  workflowDefId: id,
  /** The execution graph with dependencies and transitions. */
  taskGraph: jsonInput,
  /** Workflow-scoped variables (default `{}`; `null` stores SQL NULL). */
  variables: nullableJsonInput.optional(),
  status: z.enum(ExecutionStatus).optional(),
});
export type CreateWorkflowExecutionInput = z.input<typeof createInput>;

const taskNames = z.array(z.string());

/** Task arrays are replaced as a whole. */
const updateInput = z
  .object({
    currentTasks: taskNames,
    completedTasks: taskNames,
    failedTasks: taskNames,
    skippedTasks: taskNames,
    variables: nullableJsonInput,
    status: z.enum(ExecutionStatus),
    errorMessage: z.string().nullable(),
    paused: z.boolean(),
    pauseReason: z.string().nullable(),
  })
  .partial();
export type UpdateWorkflowExecutionInput = z.input<typeof updateInput>;

/**
 * Workflow executions: the orchestration state of a running workflow. Listed
 * newest first; the finders return at most 1000 rows, newest first. Nothing
 * references workflow executions by foreign key.
 *
 * The four task arrays (current/completed/failed/skipped_tasks) are nullable
 * `text[]` columns (default `{}`) but `String[]` in Prisma, which has no
 * optional lists. This repository always writes arrays (an empty list stores
 * `{}`, never NULL). What the tests of this repository verified about rows
 * written by other code (raw SQL):
 * - a NULL array reads back through Prisma as `[]`, indistinguishable from
 *   an empty array (so the `string[]` type holds), but Prisma's list filters
 *   do not see it as empty: `{ isEmpty: true }` does not match a NULL array
 *   (SQL `NULL = '{}'` is not true);
 * - a NULL *element* inside an array (`'{a,NULL}'`) makes every read of the
 *   row fail with Prisma error P2023 ("Expected a string in column
 *   'completed_tasks[1]', got object: null"), a DatabaseError with that code.
 */
export class WorkflowExecutionRepository extends editableRepository({ model: "workflowExecution", create: createInput, update: updateInput }) {
  async findByExecution(executionId: Id): Promise<WorkflowExecution[]> {
    return this.findWhere({ executionId: this.toId(executionId, "executionId") }, MAX_PER_PAGE);
  }

  async findByStatus(status: ExecutionStatus): Promise<WorkflowExecution[]> {
    return this.findWhere(this.parse(z.object({ status: z.enum(ExecutionStatus) }), { status }), MAX_PER_PAGE);
  }

  async findPaused(): Promise<WorkflowExecution[]> {
    return this.findWhere({ paused: true }, MAX_PER_PAGE);
  }

  async findByWorkflowDef(workflowDefId: Id): Promise<WorkflowExecution[]> {
    return this.findWhere({ workflowDefId: this.toId(workflowDefId, "workflowDefId") }, MAX_PER_PAGE);
  }
}
