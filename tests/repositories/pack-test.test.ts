import { CheckViolationError, ForeignKeyError, Prisma, ValidationError } from "../../src/index.ts";
import { mapDatabaseError } from "../../src/errors/map-database-error.ts";
import { PackTestRepository, type CreatePackTestInput } from "../../src/repositories/pack-test.ts";
import { testPrisma } from "../../src/testing/index.ts";

const tests = () => new PackTestRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newPack = () => testPrisma().pack.create({ data: { ref: unique("pk"), label: unique("Pack "), version: "1.0.0" } });
const HOUR = 3_600_000;
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR);
const passing = { triggerReason: "manual", totalTests: 4, passed: 4, failed: 0, skipped: 0, passRate: 1, durationMs: 120, result: { status: "passed" } } as const;
const failing = { triggerReason: "manual", totalTests: 4, passed: 3, failed: 1, skipped: 0, passRate: 0.75, durationMs: 80, result: { status: "failed" } } as const;
const run = (packId: bigint, over: Partial<CreatePackTestInput> = {}) => tests().create({ packId, packVersion: "1.0.0", ...passing, ...over });
const ids = (rows: { id: bigint }[]) => rows.map((r) => r.id);

describe("PackTestRepository", () => {
  it("records a test run with a Decimal pass rate and finds it by id", async () => {
    const pack = await newPack();
    const created = await run(pack.id, { passRate: 0.75, durationMs: 1234n, totalTests: 4, passed: 3, failed: 1 });
    expect(created).toMatchObject({ packId: pack.id, packVersion: "1.0.0", triggerReason: "manual", totalTests: 4, passed: 3, failed: 1, skipped: 0, durationMs: 1234n, result: { status: "passed" } });
    expect(Prisma.Decimal.isDecimal(created.passRate)).toBe(true);
    expect(created.passRate.toString()).toBe("0.75");
    expect(created.executionTime.getTime()).toBe(created.created.getTime());
    expect(await tests().findById(created.id)).toEqual(created);
    expect(await tests().findById(987654n)).toBeNull();
  });

  it("accepts the pass rate as a number, a numeric string or a Decimal; PostgreSQL keeps 4 decimals", async () => {
    const pack = await newPack();
    expect((await run(pack.id, { passRate: "0.3333" })).passRate.toString()).toBe("0.3333");
    expect((await run(pack.id, { passRate: new Prisma.Decimal("0.5") })).passRate.toString()).toBe("0.5");
    expect((await run(pack.id, { passRate: 2 / 3 })).passRate.toString()).toBe("0.6667");
    expect((await run(pack.id, { passRate: " 1 " })).passRate.toString()).toBe("1");
    expect((await run(pack.id, { passRate: 0 })).passRate.toString()).toBe("0");
  });

  it("validates counts, pass rate, trigger reason and version before the database, naming the field", async () => {
    const pack = await newPack();
    const error = await run(pack.id, { totalTests: -1, passed: 1.5, failed: -2, skipped: -3, passRate: 1.5, triggerReason: "cron" as never, packVersion: "v".repeat(51) }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["failed", "packVersion", "passRate", "passed", "skipped", "totalTests", "triggerReason"]);
    await expect(run(pack.id, { passRate: -0.1 })).rejects.toThrow(/passRate: must be between 0 and 1/);
    await expect(run(pack.id, { passRate: "abc" })).rejects.toThrow(/passRate/);
    await expect(run(pack.id, { passRate: Number.NaN })).rejects.toThrow(/passRate/);
    await expect(run(pack.id, { durationMs: -1 })).rejects.toThrow(/durationMs/);
    await expect(run(pack.id, { result: undefined as never })).rejects.toThrow(/result/);
  });

  it("keeps the database's CHECKs as the last line, as CheckViolationError naming the rule", async () => {
    const pack = await newPack();
    const base = { packId: pack.id, packVersion: "1", triggerReason: "manual", totalTests: 1, passed: 1, failed: 0, skipped: 0, passRate: 1, durationMs: 1n, result: {} };
    const cases = [
      [{ skipped: -1 }, "valid_test_counts", /test counts \(total, passed, failed, skipped\) must not be negative/],
      [{ passRate: 1.5 }, "valid_pass_rate", /pass rate must be between 0 and 1/],
      [{ triggerReason: "cron" }, "valid_trigger_reason", /trigger reason must be one of install, update, manual, validation/],
    ] as const;
    for (const [over, constraint, rule] of cases) {
      const error = await testPrisma().packTestExecution.create({ data: { ...base, ...over } }).catch((e) => e);
      const mapped = mapDatabaseError("pack_test_execution", error);
      expect(mapped).toBeInstanceOf(CheckViolationError);
      expect(mapped).toMatchObject({ entity: "pack_test_execution", constraint });
      expect((mapped as Error).message).toMatch(rule);
    }
  });

  it("reports a missing pack as ForeignKeyError naming the relation", async () => {
    const error = await run(987654n).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "missing", relation: "pack_test_execution.pack_id -> pack", constraint: "pack_test_execution_pack_id_fkey" });
  });

  it("lists a pack's runs newest first by execution time, pages them, and counts them", async () => {
    const pack = await newPack();
    const middle = await run(pack.id, { executionTime: hoursAgo(2) });
    const newest = await run(pack.id, { executionTime: hoursAgo(1) });
    const oldest = await run(pack.id, { executionTime: hoursAgo(3) });
    await run((await newPack()).id);
    const page = await tests().listByPack(pack.id);
    expect(ids(page.items)).toEqual([newest.id, middle.id, oldest.id]);
    expect(page).toMatchObject({ page: 0, perPage: 50, total: 3 });
    const second = await tests().listByPack(pack.id, { page: 1, perPage: 2 });
    expect(ids(second.items)).toEqual([oldest.id]);
    expect(second.total).toBe(3);
    expect(await tests().countByPack(pack.id)).toBe(3);
    expect(await tests().countByPack(987654n)).toBe(0);
    await expect(tests().listByPack(pack.id, { perPage: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it("gets a pack's latest run, or null when it has none", async () => {
    const pack = await newPack();
    expect(await tests().getLatestByPack(pack.id)).toBeNull();
    await run(pack.id, { executionTime: hoursAgo(5) });
    const latest = await run(pack.id, { executionTime: hoursAgo(1), packVersion: "1.1.0" });
    await run(pack.id, { executionTime: hoursAgo(3) });
    expect(await tests().getLatestByPack(pack.id)).toEqual(latest);
  });

  it("gets the latest run of every pack from the view pack_latest_test, in camelCase", async () => {
    const [a, b, none] = [await newPack(), await newPack(), await newPack()];
    await run(a.id, { executionTime: hoursAgo(4) });
    const latestA = await run(a.id, { executionTime: hoursAgo(2), ...failing, triggerReason: "update", packVersion: "2.0.0", durationMs: 99n });
    const latestB = await run(b.id, { executionTime: hoursAgo(1) });
    const all = await tests().getAllLatest();
    expect(all.map((row) => row.packRef)).toEqual([...all.map((row) => row.packRef)].sort());
    expect(all.filter((row) => row.packId === none.id)).toEqual([]);
    const rowA = all.find((row) => row.packId === a.id);
    expect(rowA).toEqual({
      packId: a.id, packRef: a.ref, packLabel: a.label, testExecutionId: latestA.id, packVersion: "2.0.0",
      testTime: latestA.executionTime, triggerReason: "update", totalTests: 4, passed: 3, failed: 1, skipped: 0,
      passRate: expect.anything(), durationMs: 99n,
    });
    expect(Prisma.Decimal.isDecimal(rowA!.passRate)).toBe(true);
    expect(rowA!.passRate.toString()).toBe("0.75");
    expect(all.find((row) => row.packId === b.id)?.testExecutionId).toBe(latestB.id);
    expect(all.filter((row) => row.packId === a.id)).toHaveLength(1);
  });

  it("computes a pack's statistics with get_pack_test_stats (bigint counts, avgPassRate as a number)", async () => {
    const pack = await newPack();
    expect(await tests().getStats(pack.id)).toEqual({
      totalExecutions: 0n, successfulExecutions: 0n, failedExecutions: 0n,
      avgPassRate: null, avgDurationMs: null, lastTestTime: null, lastTestPassed: null,
    });
    await run(pack.id, { executionTime: hoursAgo(3), ...failing, passRate: "0.3333", durationMs: 100 });
    await run(pack.id, { executionTime: hoursAgo(2), ...passing, durationMs: 200 });
    const last = await run(pack.id, { executionTime: hoursAgo(1), ...failing, passRate: 0.75, durationMs: 301 });
    const stats = await tests().getStats(pack.id);
    expect(stats).toEqual({
      totalExecutions: 3n, successfulExecutions: 1n, failedExecutions: 2n,
      avgPassRate: expect.any(Number), avgDurationMs: 200n, lastTestTime: last.executionTime, lastTestPassed: false,
    });
    expect(stats.avgPassRate).toBeCloseTo((0.3333 + 1 + 0.75) / 3, 10);
  });

  it("tells whether a pack had a passing run within the last hours (pack_has_passing_tests)", async () => {
    const pack = await newPack();
    expect(await tests().hasPassingTests(pack.id)).toBe(false);
    await run(pack.id, { executionTime: hoursAgo(1), ...failing });
    await run(pack.id, { executionTime: hoursAgo(2), totalTests: 0, passed: 0, failed: 0, passRate: 0 });
    expect(await tests().hasPassingTests(pack.id)).toBe(false);
    await run(pack.id, { executionTime: hoursAgo(48) });
    expect(await tests().hasPassingTests(pack.id)).toBe(false);
    expect(await tests().hasPassingTests(pack.id, 24)).toBe(false);
    expect(await tests().hasPassingTests(pack.id, 72)).toBe(true);
    await run(pack.id, { executionTime: hoursAgo(3) });
    expect(await tests().hasPassingTests(pack.id)).toBe(true);
    expect(await tests().hasPassingTests(987654n)).toBe(false);
    await expect(tests().hasPassingTests(pack.id, -1)).rejects.toThrow(/hoursAgo/);
    await expect(tests().hasPassingTests(pack.id, 1.5)).rejects.toBeInstanceOf(ValidationError);
  });

  it("lists runs by trigger reason, newest first, with pagination", async () => {
    const pack = await newPack();
    const older = await run(pack.id, { triggerReason: "validation", executionTime: hoursAgo(2) });
    const newer = await run(pack.id, { triggerReason: "validation", executionTime: hoursAgo(1) });
    await run(pack.id, { triggerReason: "install" });
    const page = await tests().listByTriggerReason("validation");
    expect(ids(page.items)).toEqual([newer.id, older.id]);
    expect(page.total).toBe(2);
    const second = await tests().listByTriggerReason("validation", { page: 1, perPage: 1 });
    expect(ids(second.items)).toEqual([older.id]);
    expect((await tests().listByTriggerReason("install")).items.every((r) => r.triggerReason === "install")).toBe(true);
    await expect(tests().listByTriggerReason("cron" as never)).rejects.toThrow(/Invalid pack_test_execution: triggerReason/);
  });

  it("gets a pack's failed runs, newest first, at most `limit`", async () => {
    const pack = await newPack();
    const f1 = await run(pack.id, { ...failing, executionTime: hoursAgo(3) });
    await run(pack.id, { executionTime: hoursAgo(2) });
    const f2 = await run(pack.id, { ...failing, executionTime: hoursAgo(1) });
    await run((await newPack()).id, failing);
    expect(ids(await tests().getFailedByPack(pack.id))).toEqual([f2.id, f1.id]);
    expect(ids(await tests().getFailedByPack(pack.id, 1))).toEqual([f2.id]);
    await expect(tests().getFailedByPack(pack.id, 0)).rejects.toThrow(/limit/);
    await expect(tests().getFailedByPack(pack.id, 1001)).rejects.toBeInstanceOf(ValidationError);
  });

  it("deletes the runs older than N days and returns how many", async () => {
    const pack = await newPack();
    await run(pack.id, { executionTime: hoursAgo(24 * 30) });
    await run(pack.id, { executionTime: hoursAgo(24 * 10) });
    const recent = await run(pack.id, { executionTime: hoursAgo(24 * 2) });
    expect(await tests().deleteOldExecutions(5)).toBe(2);
    expect(ids((await tests().listByPack(pack.id)).items)).toEqual([recent.id]);
    expect(await tests().deleteOldExecutions(5)).toBe(0);
    await expect(tests().deleteOldExecutions(-1)).rejects.toThrow(/olderThanDays/);
  });

  it("goes with its pack (CASCADE)", async () => {
    const pack = await newPack();
    const created = await run(pack.id);
    await testPrisma().pack.delete({ where: { id: pack.id } });
    expect(await tests().findById(created.id)).toBeNull();
  });
});
