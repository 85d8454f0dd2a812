import { ForeignKeyError, ValidationError } from "../../src/index.ts";
import { QueueStatsRepository, type UpsertQueueStatsInput } from "../../src/repositories/queue-stats.ts";
import { testPrisma } from "../../src/testing/index.ts";

const queueStats = () => new QueueStatsRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;

const newAction = async () => {
  const prisma = testPrisma();
  const pack = await prisma.pack.create({ data: { ref: unique("pk"), label: "Pack", version: "1.0.0" } });
  return prisma.action.create({
    data: { ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, label: "a", description: "d", entrypoint: "a.py" },
  });
};
const snapshot = (actionId: bigint, over: Partial<UpsertQueueStatsInput> = {}): UpsertQueueStatsInput => ({
  actionId,
  queueLength: 0,
  activeCount: 0,
  maxConcurrent: 1,
  totalEnqueued: 0,
  totalCompleted: 0,
  ...over,
});

describe("QueueStatsRepository", () => {
  it("upsert inserts a row, sets lastUpdated to now, and findByAction/getByAction read it", async () => {
    const action = await newAction();
    const enqueuedAt = new Date("2026-01-01T00:00:00Z");
    const before = new Date();
    const stats = await queueStats().upsert(
      snapshot(action.id, { queueLength: 5, activeCount: 2, maxConcurrent: 3, oldestEnqueuedAt: enqueuedAt, totalEnqueued: 100, totalCompleted: 95n }),
    );
    const after = new Date();
    expect(stats).toMatchObject({
      actionId: action.id,
      queueLength: 5,
      activeCount: 2,
      maxConcurrent: 3,
      oldestEnqueuedAt: enqueuedAt,
      totalEnqueued: 100n,
      totalCompleted: 95n,
    });
    expect(stats.lastUpdated.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(stats.lastUpdated.getTime()).toBeLessThanOrEqual(after.getTime());
    expect(await queueStats().findByAction(action.id)).toEqual(stats);
    expect(await queueStats().getByAction(Number(action.id))).toEqual(stats);
  });

  it("upsert replaces the counters of an existing row and moves lastUpdated", async () => {
    const action = await newAction();
    // A row written long ago, as if by another process.
    await testPrisma().queueStats.create({
      data: { actionId: action.id, queueLength: 9, oldestEnqueuedAt: new Date(), lastUpdated: new Date("2020-01-01T00:00:00Z") },
    });
    const stats = await queueStats().upsert(snapshot(action.id, { activeCount: 1, totalEnqueued: 7, totalCompleted: 6 }));
    expect(stats).toMatchObject({ queueLength: 0, activeCount: 1, maxConcurrent: 1, oldestEnqueuedAt: null, totalEnqueued: 7n, totalCompleted: 6n });
    expect(stats.lastUpdated.getTime()).toBeGreaterThan(new Date("2020-01-01T00:00:00Z").getTime());
    expect(await testPrisma().queueStats.count({ where: { actionId: action.id } })).toBe(1);
  });

  it("validates counters as non-negative integers before the database, naming the field", async () => {
    const error = await queueStats()
      .upsert(snapshot(1n, { queueLength: -1, activeCount: 1.5, totalCompleted: -3n }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["activeCount", "queueLength", "totalCompleted"]);
    expect(error.message).toMatch(/queueLength: must not be negative/);
    await expect(queueStats().upsert(snapshot(1n, { maxConcurrent: 2 ** 31 }))).rejects.toThrow(/maxConcurrent/);
    await expect(queueStats().upsert(snapshot(0n))).rejects.toThrow(/actionId: must be a positive id/);
    await expect(queueStats().upsert(snapshot(1n, { totalEnqueued: 2n ** 63n }))).rejects.toThrow(/totalEnqueued: must fit/);
  });

  it("upsert for a missing action is a ForeignKeyError naming queue_stats.action_id -> action", async () => {
    const error = await queueStats().upsert(snapshot(987654n)).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({
      entity: "queue_stats",
      kind: "missing",
      relation: "queue_stats.action_id -> action",
      constraint: "queue_stats_action_id_fkey",
    });
  });

  it("batchUpsert inserts and updates many rows with one lastUpdated, in input order", async () => {
    const [a, b, c] = [await newAction(), await newAction(), await newAction()];
    await queueStats().upsert(snapshot(b.id, { queueLength: 4 }));
    const written = await queueStats().batchUpsert([
      snapshot(c.id, { queueLength: 1 }),
      snapshot(a.id, { activeCount: 2 }),
      snapshot(b.id, { queueLength: 0, totalCompleted: 4 }),
    ]);
    expect(written.map((s) => s.actionId)).toEqual([c.id, a.id, b.id]);
    expect(written.map((s) => [s.queueLength, s.activeCount, s.totalCompleted])).toEqual([
      [1, 0, 0n],
      [0, 2, 0n],
      [0, 0, 4n],
    ]);
    expect(new Set(written.map((s) => s.lastUpdated.getTime())).size).toBe(1);
    expect(await queueStats().findByAction(b.id)).toMatchObject({ queueLength: 0, totalCompleted: 4n });
    expect(await queueStats().batchUpsert([])).toEqual([]);
  });

  it("batchUpsert is atomic: one row pointing at a missing action fails the whole batch and writes nothing", async () => {
    const [a, b] = [await newAction(), await newAction()];
    const existing = await queueStats().upsert(snapshot(b.id, { queueLength: 4 }));
    const error = await queueStats()
      .batchUpsert([snapshot(a.id, { queueLength: 1 }), snapshot(b.id, { queueLength: 9 }), snapshot(987654n)])
      .catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "missing", relation: "queue_stats.action_id -> action" });
    expect(await queueStats().findByAction(a.id)).toBeNull();
    expect(await queueStats().findByAction(987654n)).toBeNull();
    expect(await queueStats().findByAction(b.id)).toEqual(existing);
  });

  it("batchUpsert validates every row first and refuses an action twice in one batch", async () => {
    const a = await newAction();
    const error = await queueStats()
      .batchUpsert([snapshot(a.id), snapshot(987654n, { queueLength: -1 }), snapshot(987655n)])
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: "1.queueLength", message: "must not be negative" }]);
    const duplicate = await queueStats().batchUpsert([snapshot(a.id), snapshot(a.id)]).catch((e) => e);
    expect(duplicate).toBeInstanceOf(ValidationError);
    expect(duplicate.issues).toEqual([{ field: "1.actionId", message: "duplicates the actionId of row 0" }]);
    expect(await queueStats().findByAction(a.id)).toBeNull();
  });

  it("batchUpsert joins the caller's transaction when given a transaction client", async () => {
    const a = await newAction();
    const rollback = new Error("roll back");
    await expect(
      testPrisma().$transaction(async (tx) => {
        await new QueueStatsRepository(tx).batchUpsert([snapshot(a.id, { queueLength: 3 })]);
        expect(await new QueueStatsRepository(tx).findByAction(a.id)).toMatchObject({ queueLength: 3 });
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await queueStats().findByAction(a.id)).toBeNull();
  });

  it("listActive returns rows with queued or running work, listAll every row, most recently updated first", async () => {
    const [idle, queued, running] = [await newAction(), await newAction(), await newAction()];
    await queueStats().upsert(snapshot(idle.id));
    await queueStats().upsert(snapshot(queued.id, { queueLength: 2 }));
    await queueStats().upsert(snapshot(running.id, { activeCount: 1 }));
    const active = (await queueStats().listActive()).map((s) => s.actionId);
    expect(active).toEqual(expect.arrayContaining([queued.id, running.id]));
    expect(active).not.toContain(idle.id);
    const all = await queueStats().listAll();
    expect(all.map((s) => s.actionId)).toEqual(expect.arrayContaining([idle.id, queued.id, running.id]));
    const times = all.map((s) => s.lastUpdated.getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));
    for (const s of await queueStats().listActive()) expect(s.queueLength > 0 || s.activeCount > 0).toBe(true);
  });

  it("delete clears one action's stats and returns whether a row was deleted", async () => {
    const a = await newAction();
    await queueStats().upsert(snapshot(a.id));
    expect(await queueStats().delete(a.id)).toBe(true);
    expect(await queueStats().findByAction(a.id)).toBeNull();
    expect(await queueStats().delete(a.id)).toBe(false);
  });

  it("clearStale deletes only idle rows last updated before the cut-off", async () => {
    const prisma = testPrisma();
    const [oldIdle, oldBusy, freshIdle] = [await newAction(), await newAction(), await newAction()];
    const longAgo = new Date("2020-01-01T00:00:00Z");
    await prisma.queueStats.create({ data: { actionId: oldIdle.id, lastUpdated: longAgo } });
    await prisma.queueStats.create({ data: { actionId: oldBusy.id, queueLength: 1, lastUpdated: longAgo } });
    await queueStats().upsert(snapshot(freshIdle.id));
    const removed = await queueStats().clearStale(new Date("2021-01-01T00:00:00Z"));
    expect(removed).toBe(1);
    expect(await queueStats().findByAction(oldIdle.id)).toBeNull();
    expect(await queueStats().findByAction(oldBusy.id)).not.toBeNull();
    expect(await queueStats().findByAction(freshIdle.id)).not.toBeNull();
    await expect(queueStats().clearStale(new Date("nonsense"))).rejects.toBeInstanceOf(ValidationError);
  });

  it("deleting the action cascades to its stats", async () => {
    const a = await newAction();
    await queueStats().upsert(snapshot(a.id, { queueLength: 1 }));
    await testPrisma().action.delete({ where: { id: a.id } });
    expect(await queueStats().findByAction(a.id)).toBeNull();
  });
});
