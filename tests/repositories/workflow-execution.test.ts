import { DatabaseError, ForeignKeyError, ValidationError } from "../../src/index.ts";
import { WorkflowExecutionRepository } from "../../src/repositories/workflow-execution.ts";
import { testPrisma } from "../../src/testing/index.ts";

const runs = () => new WorkflowExecutionRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const taskGraph = { nodes: ["a", "b"], edges: [["a", "b"]] };
const ids = (rows: { id: bigint }[]) => rows.map((r) => r.id);

async function newDefinition() {
  const prisma = testPrisma();
  const pack = await prisma.pack.create({ data: { ref: unique("pk"), label: "P", version: "1.0.0" } });
  return prisma.workflowDefinition.create({
    data: { ref: `${pack.ref}.wf`, packId: pack.id, packRef: pack.ref, label: "W", version: "1.0.0", definition: {} },
  });
}
const newExecution = () => testPrisma().execution.create({ data: { actionRef: "core.wf" } });
async function newRun(over: Record<string, unknown> = {}) {
  const [execution, definition] = [await newExecution(), await newDefinition()];
  return runs().create({ executionId: execution.id, workflowDefId: definition.id, taskGraph, ...over });
}

describe("WorkflowExecutionRepository", () => {
  it("creates a workflow execution with the database defaults and finds it by id", async () => {
    const run = await newRun();
    expect(run).toMatchObject({
      taskGraph, variables: {}, status: "requested", paused: false, pauseReason: null, errorMessage: null,
      currentTasks: [], completedTasks: [], failedTasks: [], skippedTasks: [],
    });
    expect(typeof run.id).toBe("bigint");
    expect(await runs().findById(run.id)).toEqual(run);
    expect(await runs().getById(run.id)).toEqual(run);
  });

  it("creates with variables and a status; null variables store SQL NULL", async () => {
    const run = await newRun({ variables: { x: 1 }, status: "running" });
    expect(run).toMatchObject({ variables: { x: 1 }, status: "running" });
    const bare = await newRun({ variables: null });
    expect(bare.variables).toBeNull();
    const [row] = await testPrisma().$queryRaw<{ isNull: boolean }[]>`SELECT variables IS NULL AS "isNull" FROM workflow_execution WHERE id = ${bare.id}`;
    expect(row?.isNull).toBe(true);
  });

  it("validates the input before the database, naming the field", async () => {
    const error = await runs().create({ executionId: 0, workflowDefId: "x", status: "done" } as never).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["executionId", "status", "taskGraph", "workflowDefId"]);
    const run = await newRun();
    await expect(runs().update(run.id, { currentTasks: "a" as never })).rejects.toThrow(/Invalid workflow_execution: currentTasks/);
    await expect(runs().update(run.id, { completedTasks: [null] as never })).rejects.toThrow(/completedTasks\.0/);
    await expect(runs().update(run.id, { paused: "yes" as never })).rejects.toThrow(/paused/);
    await expect(runs().findByStatus("done" as never)).rejects.toThrow(/Invalid workflow_execution: status/);
  });

  it("reports a missing execution or workflow definition as ForeignKeyError naming the relation", async () => {
    const [execution, definition] = [await newExecution(), await newDefinition()];
    const noExecution = await runs().create({ executionId: 987654n, workflowDefId: definition.id, taskGraph }).catch((e) => e);
    expect(noExecution).toBeInstanceOf(ForeignKeyError);
    expect(noExecution).toMatchObject({ kind: "missing", relation: "workflow_execution.execution -> execution" });
    const noDefinition = await runs().create({ executionId: execution.id, workflowDefId: 987654n, taskGraph }).catch((e) => e);
    expect(noDefinition).toMatchObject({
      kind: "missing", relation: "workflow_execution.workflow_def -> workflow_definition", constraint: "workflow_execution_workflow_def_fkey",
    });
  });

  it("updates only the given fields, replacing task arrays whole; the database trigger moves `updated`", async () => {
    const run = await newRun({ variables: { a: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const step = await runs().update(run.id, { currentTasks: ["b"], completedTasks: ["a"], status: "running" });
    expect(step).toMatchObject({ currentTasks: ["b"], completedTasks: ["a"], failedTasks: [], skippedTasks: [], status: "running", variables: { a: 1 }, taskGraph });
    expect(step.updated.getTime()).toBeGreaterThan(run.updated.getTime());
    const paused = await runs().update(run.id, { paused: true, pauseReason: "approval", variables: { a: 2, b: [1] } });
    expect(paused).toMatchObject({ paused: true, pauseReason: "approval", variables: { a: 2, b: [1] }, currentTasks: ["b"], status: "running" });
    const failed = await runs().update(run.id, {
      currentTasks: [], failedTasks: ["b"], skippedTasks: ["c", "d"], status: "failed", errorMessage: "boom", paused: false, pauseReason: null, variables: null,
    });
    expect(failed).toMatchObject({
      currentTasks: [], completedTasks: ["a"], failedTasks: ["b"], skippedTasks: ["c", "d"], status: "failed", errorMessage: "boom", paused: false, pauseReason: null, variables: null,
    });
    expect(await runs().update(run.id, { errorMessage: null })).toMatchObject({ errorMessage: null, status: "failed" });
  });

  it("finds by execution, by workflow definition, by status and the paused ones, newest first", async () => {
    const [execution, definition] = [await newExecution(), await newDefinition()];
    const first = await runs().create({ executionId: execution.id, workflowDefId: definition.id, taskGraph, status: "scheduled" });
    const second = await runs().create({ executionId: execution.id, workflowDefId: definition.id, taskGraph });
    const elsewhere = await newRun({ status: "scheduled" });
    await runs().update(second.id, { paused: true, pauseReason: "wait" });
    expect(ids(await runs().findByExecution(execution.id))).toEqual([second.id, first.id]);
    expect(ids(await runs().findByWorkflowDef(definition.id))).toEqual([second.id, first.id]);
    expect(await runs().findByExecution(987654n)).toEqual([]);
    const scheduled = ids(await runs().findByStatus("scheduled"));
    expect(scheduled.filter((id) => [first.id, elsewhere.id].includes(id))).toEqual([elsewhere.id, first.id]);
    expect(scheduled).not.toContain(second.id);
    const paused = await runs().findPaused();
    expect(ids(paused)).toContain(second.id);
    expect(paused.every((r) => r.paused)).toBe(true);
  });

  it("deletes a workflow execution, and goes with its parent execution (CASCADE)", async () => {
    const run = await newRun();
    expect(await runs().delete(run.id)).toBe(true);
    expect(await runs().findById(run.id)).toBeNull();
    expect(await runs().delete(run.id)).toBe(false);
    const other = await newRun();
    await testPrisma().execution.delete({ where: { id: other.executionId } });
    expect(await runs().findById(other.id)).toBeNull();
  });

  it("reads a NULL task array (written by other code) back as [], but { isEmpty: true } does not match it", async () => {
    const run = await newRun();
    await testPrisma().$executeRaw`UPDATE workflow_execution SET current_tasks = NULL, failed_tasks = NULL WHERE id = ${run.id}`;
    const read = await runs().getById(run.id);
    expect(read).toMatchObject({ currentTasks: [], failedTasks: [], completedTasks: [] });
    const empty = await testPrisma().workflowExecution.findMany({ where: { id: run.id, currentTasks: { isEmpty: true } } });
    expect(empty).toEqual([]);
    // writing through the repository stores an array again
    await runs().update(run.id, { currentTasks: [] });
    expect(await testPrisma().workflowExecution.count({ where: { id: run.id, currentTasks: { isEmpty: true } } })).toBe(1);
  });

  it("cannot read a row whose task array holds a NULL element (written by other code)", async () => {
    const run = await newRun();
    await testPrisma().$executeRaw`UPDATE workflow_execution SET completed_tasks = '{a,NULL}' WHERE id = ${run.id}`;
    const error = await runs().findById(run.id).catch((e) => e);
    // Prisma's P2023 "inconsistent column data": a DatabaseError carrying Prisma's code and words
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ entity: "workflow_execution", code: "P2023", retryable: false });
    expect(error.message).toMatch(/Expected a string in column 'completed_tasks\[1\]', got object: null/);
    expect(error.message).not.toMatch(/\n/);
  });
});
