import { createRepositories } from "../../../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../../../src/testing/index.ts";

/** Runtimes, workers, policies and queue statistics. */
export function scenario(): void {
  const repos = () => createRepositories(testPrisma());

  it("registers runtimes and workers", async () => {
    const runtime = await repos().runtimes.create({ ref: "core.action.python", runtimeType: "action", name: "python", distributions: {} });
    const worker = await repos().workers.create({ name: "w1", workerType: "local", runtimeId: runtime.id, status: "active" });
    await repos().workers.updateHeartbeat(worker.id);
    expect((await repos().workers.findByStatus("active")).map((w) => w.id)).toContain(worker.id);
  });

  it("attaches policies to actions", async () => {
    const pack = await repos().packs.create({ ref: "opsa", label: "o", version: "1.0.0" });
    const action = await repos().actions.create({ ref: "opsa.run", packId: pack.id, packRef: "opsa", label: "run", description: "", entrypoint: "x" });
    await repos().policies.create({ ref: "opsa.limit", packId: pack.id, packRef: "opsa", actionId: action.id, actionRef: action.ref, method: "enqueue", threshold: 3, name: "limit" });
    expect(await repos().policies.findByAction(action.id)).toHaveLength(1);
  });

  it("upserts queue stats in a batch", async () => {
    const pack = await repos().packs.create({ ref: "opsb", label: "o", version: "1.0.0" });
    const actions = [];
    for (const name of ["a", "b", "c"]) {
      actions.push(await repos().actions.create({ ref: `opsb.${name}`, packId: pack.id, packRef: "opsb", label: name, description: "", entrypoint: "x" }));
    }
    await repos().queueStats.batchUpsert(
      actions.map((a, i) => ({ actionId: a.id, queueLength: i, activeCount: 1, maxConcurrent: 2, totalEnqueued: 5n, totalCompleted: 4n })),
    );
    expect((await repos().queueStats.findByAction(actions[2]!.id))?.queueLength).toBe(2);
  });
}
