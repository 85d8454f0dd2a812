import { ForeignKeyError, NotFoundError, ValidationError } from "../../src/index.ts";
import { ExecutionRepository } from "../../src/repositories/execution.ts";
import { testPrisma, testSchema } from "../../src/testing/index.ts";
import { collectNotifications, newAction, newExecution, newIdentity, newPack, unique } from "./fixtures/run-time-fixtures.ts";

const executions = () => new ExecutionRepository(testPrisma());

async function newWorkflowExecution() {
  const prisma = testPrisma();
  const pack = await newPack();
  const definition = await prisma.workflowDefinition.create({
    data: { ref: `${pack.ref}.${unique("wf")}`, packId: pack.id, packRef: pack.ref, label: "wf", version: "1.0.0", definition: {} },
  });
  const parent = await newExecution();
  return prisma.workflowExecution.create({ data: { executionId: parent.id, workflowDefId: definition.id, taskGraph: {} } });
}

describe("ExecutionRepository", () => {
  it("creates an execution with the database defaults and finds it by id", async () => {
    const action = await newAction();
    const execution = await executions().create({ actionId: action.id, actionRef: action.ref, config: { x: 1 } });
    expect(execution).toMatchObject({
      actionId: action.id, actionRef: action.ref, config: { x: 1 }, status: "requested", result: null, workflowTask: null,
      parentId: null, enforcementId: null, executorId: null,
    });
    expect(await executions().findById(execution.id)).toEqual(execution);
    expect(await executions().getById(execution.id)).toEqual(execution);
  });

  it("validates input before the database, naming the field", async () => {
    const error = await executions()
      .create({ actionRef: "no-dot", status: "finished" as never, parentId: 0 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["actionRef", "parentId", "status"]);
    await expect(executions().update(1n, { status: "done" as never })).rejects.toThrow(/Invalid execution: status/);
    await expect(executions().findByStatus("done" as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it("stores workflow_task with its snake_case keys and defaults, validated with the shape of the Rust struct", async () => {
    const workflow = await newWorkflowExecution();
    const startedAt = new Date("2026-01-02T03:04:05.678Z");
    const execution = await executions().create({
      actionRef: "core.a",
      workflowTask: { workflow_execution: Number(workflow.id), task_name: "build", task_index: 0, started_at: startedAt, next_retry_at: "2026-01-02T03:04:05+01:00" },
    });
    expect(execution.workflowTask).toEqual({
      workflow_execution: Number(workflow.id), task_name: "build", task_index: 0, retry_count: 0, max_retries: 0, timed_out: false,
      started_at: "2026-01-02T03:04:05.678Z", next_retry_at: "2026-01-02T03:04:05+01:00",
    });

    const bad = await executions()
      .create({ actionRef: "core.a", workflowTask: { workflow_execution: "1", task_name: "", taskIndex: 1, retry_count: -1, started_at: "yesterday" } as never })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    const fields = bad.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining(["workflowTask.workflow_execution", "workflowTask.task_name", "workflowTask.retry_count", "workflowTask.started_at"]),
    );
    expect(bad.message).toMatch(/taskIndex/);

    const cleared = await executions().update(execution.id, { workflowTask: null });
    expect(cleared.workflowTask).toBeNull();
    expect(await executions().findByWorkflowExecution(workflow.id)).toEqual([]);
  });

  it("reports missing parents as ForeignKeyError naming the relation", async () => {
    for (const [field, relation] of [
      ["actionId", "execution.action -> action"],
      ["parentId", "execution.parent -> execution"],
      ["enforcementId", "execution.enforcement -> enforcement"],
      ["executorId", "execution.executor -> identity"],
    ] as const) {
      await expect(executions().create({ actionRef: "core.a", [field]: 987654n })).rejects.toMatchObject({
        constructor: ForeignKeyError, kind: "missing", relation,
      });
    }
    const execution = await newExecution();
    await expect(executions().update(execution.id, { executorId: 987654n })).rejects.toMatchObject({ relation: "execution.executor -> identity" });
  });

  it("updates only status, result, executorId and workflowTask; `updated` moves on update", async () => {
    const identity = await newIdentity();
    const execution = await executions().create({ actionRef: "core.a", config: { keep: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await executions().update(execution.id, { status: "running", executorId: identity.id });
    expect(updated).toMatchObject({ status: "running", executorId: identity.id, config: { keep: 1 }, result: null });
    expect(updated.updated.getTime()).toBeGreaterThan(execution.updated.getTime());
    expect(updated.created).toEqual(execution.created);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const done = await executions().update(execution.id, { result: { ok: true }, status: "completed" });
    expect(done).toMatchObject({ status: "completed", result: { ok: true }, executorId: identity.id });
    expect(done.updated.getTime()).toBeGreaterThan(updated.updated.getTime());
    // Deleting the executor sets it to NULL.
    await testPrisma().identity.delete({ where: { id: identity.id } });
    expect((await executions().getById(execution.id)).executorId).toBeNull();
  });

  it("finds by status, enforcement, parent and workflow execution, newest first", async () => {
    const enforcement = await testPrisma().enforcement.create({ data: { ruleRef: "core.r", triggerRef: "core.t", payload: {} } });
    const parent = await newExecution();
    const workflow = await newWorkflowExecution();
    const other = await newWorkflowExecution();
    const task = (name: string, wf = workflow.id) => ({ workflow_execution: Number(wf), task_name: name });
    const first = await executions().create({ actionRef: "core.a", parentId: parent.id, enforcementId: enforcement.id, status: "abandoned", workflowTask: task("one") });
    const second = await executions().create({ actionRef: "core.a", parentId: parent.id, enforcementId: enforcement.id, workflowTask: task("two") });
    await executions().create({ actionRef: "core.a", workflowTask: task("three", other.id) });

    expect((await executions().findChildren(parent.id)).map((e) => e.id)).toEqual([second.id, first.id]);
    expect((await executions().findByEnforcement(enforcement.id)).map((e) => e.id)).toEqual([second.id, first.id]);
    expect((await executions().findByWorkflowExecution(workflow.id)).map((e) => e.id)).toEqual([second.id, first.id]);
    const abandoned = await executions().findByStatus("abandoned");
    expect(abandoned.map((e) => e.id)).toContain(first.id);
    expect(abandoned.every((e) => e.status === "abandoned")).toBe(true);
  });

  it("deleting an execution cascades to its inquiries and workflow executions", async () => {
    const workflow = await newWorkflowExecution();
    const execution = await executions().getById(workflow.executionId);
    await testPrisma().inquiry.create({ data: { executionId: execution.id, prompt: "ok?" } });
    expect(await executions().delete(execution.id)).toBe(true);
    expect(await testPrisma().inquiry.count({ where: { executionId: execution.id } })).toBe(0);
    expect(await testPrisma().workflowExecution.count({ where: { id: workflow.id } })).toBe(0);
  });

  it("refuses to delete a parent that has children, naming execution.parent -> execution", async () => {
    const parent = await newExecution();
    const child = await executions().create({ actionRef: "core.a", parentId: parent.id });
    const error = await executions().delete(parent.id).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "referenced", relation: "execution.parent -> execution", constraint: "execution_parent_fkey" });
    expect(await executions().findById(parent.id)).not.toBeNull();
    expect(await executions().delete(child.id)).toBe(true);
    expect(await executions().delete(parent.id)).toBe(true);
  });

  describe("NOTIFY on attune_notifications", () => {
    it("an execution with a 100 kB result can be stored and its notification still arrives", async () => {
      const listener = await collectNotifications();
      try {
        const result = { log: "x".repeat(100_000) };
        const execution = await executions().create({ actionRef: "core.a", status: "completed", result });
        expect((await executions().getById(execution.id)).result).toEqual(result);
        const { payload } = await listener.next((n) => (n.payload.data as { id?: unknown } | undefined)?.id === Number(execution.id));
        expect(payload).toMatchObject({
          schema: testSchema().schema, entity_type: "execution", entity_id: Number(execution.id), result_omitted: true,
          data: { id: Number(execution.id), status: "completed", action_ref: "core.a", result: null },
        });
        expect(payload.result_size).toBeGreaterThan(100_000);

        const updated = await executions().update(execution.id, { status: "failed", result: { log: "y".repeat(100_000) } });
        const second = await listener.next(
          (n) => (n.payload.data as { id?: unknown; status?: unknown }).id === Number(updated.id) && (n.payload.data as { status?: unknown }).status === "failed",
        );
        expect(second.payload).toMatchObject({ result_omitted: true, data: { result: null } });
      } finally {
        await listener.close();
      }
    });

    it("a small result arrives inline", async () => {
      const listener = await collectNotifications();
      try {
        const execution = await executions().create({ actionRef: "core.a", result: { answer: 42 } });
        const { payload, channel } = await listener.next((n) => (n.payload.data as { id?: unknown }).id === Number(execution.id));
        expect(channel).toBe("attune_notifications");
        expect(payload).toMatchObject({ schema: testSchema().schema, data: { id: Number(execution.id), result: { answer: 42 }, status: "requested" } });
        expect(payload).not.toHaveProperty("result_omitted");
      } finally {
        await listener.close();
      }
    });
  });

  describe("updateStatus", () => {
    it("updates status and result and writes a notification row, NOTIFY'd on execution_status_changed", async () => {
      const listener = await collectNotifications(["execution_status_changed"]);
      try {
        const execution = await newExecution();
        await new Promise((resolve) => setTimeout(resolve, 5));
        const updated = await executions().updateStatus(execution.id, "running", { result: { step: 1 } });
        expect(updated).toMatchObject({ id: execution.id, status: "running", result: { step: 1 } });
        expect(updated.updated.getTime()).toBeGreaterThan(execution.updated.getTime());

        const rows = await testPrisma().notification.findMany({ where: { entityType: "execution", entity: String(execution.id) } });
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          channel: "execution_status_changed", activity: "running", state: "created", content: { status: "running", previous: "requested" },
        });
        const { payload, channel } = await listener.next((n) => n.payload.entity === String(execution.id));
        expect(channel).toBe("execution_status_changed");
        expect(payload).toEqual({
          schema: testSchema().schema, id: Number(rows[0]!.id), entity_type: "execution", entity: String(execution.id), activity: "running",
        });
      } finally {
        await listener.close();
      }
    });

    it("takes a channel and activity, keeps the result when none is given, and records the previous status", async () => {
      const channel = unique("exec_chan_");
      const listener = await collectNotifications([channel]);
      try {
        const execution = await executions().create({ actionRef: "core.a", status: "running", result: { partial: true } });
        const updated = await executions().updateStatus(execution.id, "completed", { notify: { channel, activity: "finished" } });
        expect(updated).toMatchObject({ status: "completed", result: { partial: true } });
        const cleared = await executions().updateStatus(execution.id, "completed", { result: null, notify: { channel } });
        expect(cleared.result).toBeNull();
        const rows = await testPrisma().notification.findMany({ where: { channel }, orderBy: { id: "asc" } });
        expect(rows.map((r) => [r.activity, r.content])).toEqual([
          ["finished", { status: "completed", previous: "running" }],
          ["completed", { status: "completed", previous: "completed" }],
        ]);
        await listener.next((n) => n.payload.activity === "finished");
      } finally {
        await listener.close();
      }
    });

    it("refuses unknown statuses and a missing execution, writing nothing", async () => {
      const execution = await newExecution();
      await expect(executions().updateStatus(execution.id, "exploded" as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(executions().updateStatus(execution.id, "running", { notify: { channel: "" } })).rejects.toThrow(/notify\.channel/);
      await expect(executions().updateStatus(987654n, "running")).rejects.toThrow(new NotFoundError("execution", { id: 987654n }));
      expect(await testPrisma().notification.count({ where: { entity: { in: [String(execution.id), "987654"] } } })).toBe(0);
      expect((await executions().getById(execution.id)).status).toBe("requested");
    });

    it("is rolled back with the caller's transaction: neither the status nor the notification row stays", async () => {
      const execution = await newExecution();
      const error = await testPrisma()
        .$transaction(async (tx) => {
          await new ExecutionRepository(tx).updateStatus(execution.id, "scheduled");
          throw new Error("caller aborts");
        })
        .catch((e) => e);
      expect(error.message).toBe("caller aborts");
      expect((await executions().getById(execution.id)).status).toBe("requested");
      expect(await testPrisma().notification.count({ where: { entity: String(execution.id) } })).toBe(0);
    });

    it("records the right previous status when two updates race", async () => {
      const execution = await newExecution();
      const [a, b] = await Promise.all([
        executions().updateStatus(execution.id, "scheduling"),
        executions().updateStatus(execution.id, "running"),
      ]);
      expect([a.status, b.status].sort()).toEqual(["running", "scheduling"]);
      const rows = await testPrisma().notification.findMany({ where: { entity: String(execution.id) }, orderBy: { id: "asc" } });
      const contents = rows.map((r) => r.content as { status: string; previous: string });
      // Whatever the order, the two changes chain: requested -> x -> y.
      expect(contents).toHaveLength(2);
      const [firstChange, secondChange] = contents[0]!.previous === "requested" ? [contents[0]!, contents[1]!] : [contents[1]!, contents[0]!];
      expect(firstChange.previous).toBe("requested");
      expect(secondChange.previous).toBe(firstChange.status);
      expect((await executions().getById(execution.id)).status).toBe(secondChange.status);
    });
  });
});
