import { createRepositories } from "../../../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../../../src/testing/index.ts";

/** An execution moves through its statuses; each change writes a notification. */
export function scenario(): void {
  const repos = () => createRepositories(testPrisma());

  async function newExecution(ref: string) {
    const pack = await repos().packs.create({ ref, label: ref, version: "1.0.0" });
    const action = await repos().actions.create({ ref: `${ref}.run`, packId: pack.id, packRef: ref, label: "run", description: "", entrypoint: "run.sh" });
    return repos().executions.create({ actionId: action.id, actionRef: action.ref });
  }

  it("runs to completion", async () => {
    const execution = await newExecution("lifea");
    for (const status of ["scheduling", "scheduled", "running", "completed"] as const) {
      await repos().executions.updateStatus(execution.id, status, status === "completed" ? { result: { ok: true } } : {});
    }
    expect(await repos().executions.getById(execution.id)).toMatchObject({ status: "completed", result: { ok: true } });
    expect(await repos().notifications.findByEntity("execution", String(execution.id))).toHaveLength(4);
  });

  it("fails with a result", async () => {
    const execution = await newExecution("lifeb");
    await repos().executions.updateStatus(execution.id, "running");
    await repos().executions.updateStatus(execution.id, "failed", { result: { error: "boom" } });
    expect((await repos().executions.findByStatus("failed")).map((e) => e.id)).toContain(execution.id);
  });

  it("asks a human", async () => {
    const execution = await newExecution("lifec");
    const inquiry = await repos().inquiries.create({ executionId: execution.id, prompt: "Proceed?" });
    await repos().inquiries.respond(inquiry.id, { answer: "yes" });
    expect(await repos().inquiries.getById(inquiry.id)).toMatchObject({ status: "responded", response: { answer: "yes" } });
  });

  it("tracks children of a workflow execution", async () => {
    const parent = await newExecution("lifed");
    const child = await repos().executions.create({ actionId: parent.actionId, actionRef: parent.actionRef, parentId: parent.id });
    expect((await repos().executions.findChildren(parent.id)).map((e) => e.id)).toEqual([child.id]);
  });
}
