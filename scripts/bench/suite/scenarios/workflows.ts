import { createRepositories } from "../../../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../../../src/testing/index.ts";

/** Workflow definitions, their actions and their executions. */
export function scenario(): void {
  const repos = () => createRepositories(testPrisma());

  async function setup(ref: string) {
    const pack = await repos().packs.create({ ref, label: ref, version: "1.0.0" });
    const definition = await repos().workflowDefinitions.create({
      ref: `${ref}.deploy`, packId: pack.id, packRef: ref, label: "Deploy", version: "1.0.0", definition: { tasks: [] }, tags: ["deploy"],
    });
    const action = await repos().actions.create({ ref: `${ref}.deploy`, packId: pack.id, packRef: ref, label: "Deploy", description: "", entrypoint: "wf" });
    await repos().actions.linkWorkflowDef(action.id, definition.id);
    const execution = await repos().executions.create({ actionId: action.id, actionRef: action.ref });
    return { pack, definition, action, execution };
  }

  it("links a definition to its action", async () => {
    const { definition, action } = await setup("wfa");
    expect((await repos().actions.findWorkflows()).map((a) => a.id)).toContain(action.id);
    expect((await repos().workflowDefinitions.findByTag("deploy")).map((d) => d.id)).toContain(definition.id);
  });

  it("tracks a workflow execution", async () => {
    const { definition, execution } = await setup("wfb");
    const run = await repos().workflowExecutions.create({ executionId: execution.id, workflowDefId: definition.id, taskGraph: {} });
    await repos().workflowExecutions.update(run.id, { currentTasks: ["build"], status: "running" });
    expect((await repos().workflowExecutions.findByExecution(execution.id))[0]).toMatchObject({ currentTasks: ["build"], status: "running" });
  });

  it("pauses a workflow execution", async () => {
    const { definition, execution } = await setup("wfc");
    const run = await repos().workflowExecutions.create({ executionId: execution.id, workflowDefId: definition.id, taskGraph: {} });
    await repos().workflowExecutions.update(run.id, { paused: true, pauseReason: "approval" });
    expect((await repos().workflowExecutions.findPaused()).map((w) => w.id)).toContain(run.id);
  });
}
