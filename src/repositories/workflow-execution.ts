import { z } from "zod";
import type { Prisma, WorkflowExecution } from "../../prisma/generated/client.ts";
import { ExecutionStatus } from "../../prisma/generated/enums.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, parseInput } from "./common/input-validation.ts";
import { jsonInput, nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "workflow_execution";

/** What the finders return at most (the Rust repository's cap). */
const FINDER_LIMIT = 1000;

const createWorkflowExecutionInput = z.object({
  /** The parent execution (the run of the workflow action). */
  executionId: id,
  workflowDefId: id,
  /** The execution graph with dependencies and transitions. */
  taskGraph: jsonInput,
  /** Workflow-scoped variables (default `{}`; `null` stores SQL NULL). */
  variables: nullableJsonInput.optional(),
  status: z.enum(ExecutionStatus).optional(),
});
export type CreateWorkflowExecutionInput = z.input<typeof createWorkflowExecutionInput>;

const taskNames = z.array(z.string());

const updateWorkflowExecutionInput = z
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
export type UpdateWorkflowExecutionInput = z.input<typeof updateWorkflowExecutionInput>;

const NEWEST_FIRST = [{ created: "desc" }, { id: "desc" }] satisfies Prisma.WorkflowExecutionOrderByWithRelationInput[];

/**
 * Workflow executions: the orchestration state of a running workflow. Listed
 * newest first; the finders return at most 1000 rows, newest first.
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
 *   'completed_tasks[1]', got object: null"), passed through unchanged.
 */
export class WorkflowExecutionRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<WorkflowExecution | null> {
    return mapErrors(ENTITY, () => this.db.workflowExecution.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<WorkflowExecution> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of workflow executions, newest first. */
  async list(page?: PageRequest): Promise<Page<WorkflowExecution>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.workflowExecution.findMany({ orderBy: NEWEST_FIRST, ...window }),
      () => this.db.workflowExecution.count(),
    );
  }

  /** A missing execution or definition is a {@link ForeignKeyError} naming the relation. */
  async create(input: CreateWorkflowExecutionInput): Promise<WorkflowExecution> {
    const data = parseInput(ENTITY, createWorkflowExecutionInput, input);
    return mapErrors(ENTITY, () =>
      this.db.workflowExecution.create({ data: data as Prisma.WorkflowExecutionUncheckedCreateInput }),
    );
  }

  /**
   * Changes only the given fields (task arrays, variables, status, error
   * message, pause state); `updated` is set by the database. Task arrays are
   * replaced as a whole.
   */
  async update(id: Id, input: UpdateWorkflowExecutionInput): Promise<WorkflowExecution> {
    const data = parseInput(ENTITY, updateWorkflowExecutionInput, input);
    return mapErrors(
      ENTITY,
      () =>
        this.db.workflowExecution.update({ where: { id: toId(id) }, data: data as Prisma.WorkflowExecutionUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Returns whether a row was deleted (nothing references workflow executions by foreign key). */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () =>
      this.db.workflowExecution.deleteMany({ where: { id: toId(id) } }),
    );
    return count > 0;
  }

  /** The workflow executions of a (parent) execution, newest first. */
  async findByExecution(executionId: Id): Promise<WorkflowExecution[]> {
    return this.findMany({ executionId: toId(executionId) });
  }

  async findByStatus(status: ExecutionStatus): Promise<WorkflowExecution[]> {
    const parsed = parseInput(ENTITY, z.object({ status: z.enum(ExecutionStatus) }), { status });
    return this.findMany({ status: parsed.status });
  }

  /** Paused workflow executions, newest first. */
  async findPaused(): Promise<WorkflowExecution[]> {
    return this.findMany({ paused: true });
  }

  async findByWorkflowDef(workflowDefId: Id): Promise<WorkflowExecution[]> {
    return this.findMany({ workflowDefId: toId(workflowDefId) });
  }

  private async findMany(where: Prisma.WorkflowExecutionWhereInput): Promise<WorkflowExecution[]> {
    return mapErrors(ENTITY, () =>
      this.db.workflowExecution.findMany({ where, orderBy: NEWEST_FIRST, take: FINDER_LIMIT }),
    );
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
