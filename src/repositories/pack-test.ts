import { z } from "zod";
import { Prisma, type PackTestExecution } from "../../prisma/generated/client.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, parseInput } from "./common/input-validation.ts";
import { jsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { MAX_PER_PAGE, paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "pack_test_execution";

/** The values of CHECK valid_trigger_reason. */
export const PACK_TEST_TRIGGER_REASONS = ["install", "update", "manual", "validation"] as const;
export type PackTestTriggerReason = (typeof PACK_TEST_TRIGGER_REASONS)[number];

const triggerReason = z.enum(PACK_TEST_TRIGGER_REASONS);

/** A test counter: CHECK valid_test_counts (>= 0), and an `integer` column. */
const count = z.number().int().min(0).max(2_147_483_647);

/**
 * pass_rate is numeric(5,4), CHECK valid_pass_rate (0 to 1). A number, a
 * numeric string or a Prisma.Decimal is accepted and stored as a Decimal
 * (PostgreSQL rounds it to 4 decimal places).
 */
const passRate = z
  .union([
    z.number(),
    z.string().regex(/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/, "must be a decimal number"),
    z.custom<Prisma.Decimal>((v) => Prisma.Decimal.isDecimal(v), "must be a number"),
  ])
  .transform((v) => new Prisma.Decimal(typeof v === "string" ? v.trim() : v))
  .refine((d) => d.gte(0) && d.lte(1), "must be between 0 and 1");

const createPackTestInput = z.object({
  packId: id,
  packVersion: z.string().min(1, "must not be empty").max(50),
  /** When the suite ran (default now()). */
  executionTime: z.date().optional(),
  triggerReason,
  totalTests: count,
  passed: count,
  failed: count,
  skipped: count,
  passRate,
  durationMs: z.union([z.bigint(), z.number().int()]).transform((v) => BigInt(v)).refine((v) => v >= 0n, "must not be negative"),
  /** The full test result document. */
  result: jsonInput,
});
export type CreatePackTestInput = z.input<typeof createPackTestInput>;

const hoursAgoInput = z.number().int().min(0).max(2_147_483_647);
const limitInput = z.number().int().min(1).max(MAX_PER_PAGE);
const olderThanDaysInput = z.number().int().min(0).max(1_000_000);

const NEWEST_FIRST = [{ executionTime: "desc" }, { id: "desc" }] satisfies Prisma.PackTestExecutionOrderByWithRelationInput[];

/** A row of the view pack_latest_test: a pack's newest test run, with the pack's ref and label. */
export interface PackLatestTest {
  packId: bigint;
  packRef: string;
  packLabel: string;
  testExecutionId: bigint;
  packVersion: string;
  testTime: Date;
  triggerReason: string;
  totalTests: number;
  passed: number;
  failed: number;
  skipped: number;
  /** As in {@link PackTestExecution.passRate}: a Decimal. */
  passRate: Prisma.Decimal;
  durationMs: bigint;
}

/** What get_pack_test_stats(pack) returns. Every field but the counts is null when the pack has no runs. */
export interface PackTestStats {
  totalExecutions: bigint;
  /** Runs where passed = total_tests. */
  successfulExecutions: bigint;
  /** Runs with failed > 0. */
  failedExecutions: bigint;
  /**
   * The average pass rate as a JS number (0 to 1). The function returns an
   * unbounded numeric (e.g. 0.66665000000000000000); a double is precise
   * enough for an average of 4-decimal rates and is what callers compute and
   * display with (the Rust model reads it as f64 too).
   */
  avgPassRate: number | null;
  avgDurationMs: bigint | null;
  lastTestTime: Date | null;
  /** Whether the newest run had failed = 0. */
  lastTestPassed: boolean | null;
}

interface PackLatestTestRow {
  pack_id: bigint;
  pack_ref: string;
  pack_label: string;
  test_execution_id: bigint;
  pack_version: string;
  test_time: Date;
  trigger_reason: string;
  total_tests: number;
  passed: number;
  failed: number;
  skipped: number;
  pass_rate: Prisma.Decimal;
  duration_ms: bigint;
}

interface PackTestStatsRow {
  total_executions: bigint;
  successful_executions: bigint;
  failed_executions: bigint;
  avg_pass_rate: Prisma.Decimal | null;
  avg_duration_ms: bigint | null;
  last_test_time: Date | null;
  last_test_passed: boolean | null;
}

/**
 * Pack test runs (table pack_test_execution), with the view pack_latest_test
 * and the SQL functions get_pack_test_stats and pack_has_passing_tests.
 * Newest first means by execution_time DESC, then id DESC.
 */
export class PackTestRepository {
  constructor(private readonly db: DbClient) {}

  /** Records a test run. A missing pack is a {@link ForeignKeyError}. */
  async create(input: CreatePackTestInput): Promise<PackTestExecution> {
    const data = parseInput(ENTITY, createPackTestInput, input);
    return mapErrors(ENTITY, () =>
      this.db.packTestExecution.create({ data: data as Prisma.PackTestExecutionUncheckedCreateInput }),
    );
  }

  async findById(id: Id): Promise<PackTestExecution | null> {
    return mapErrors(ENTITY, () => this.db.packTestExecution.findUnique({ where: { id: toId(id) } }));
  }

  /** One page of the pack's test runs, newest first. */
  async listByPack(packId: Id, page?: PageRequest): Promise<Page<PackTestExecution>> {
    return this.listWhere({ packId: toId(packId) }, page);
  }

  /** The pack's newest test run, or null when it has none. */
  async getLatestByPack(packId: Id): Promise<PackTestExecution | null> {
    return mapErrors(ENTITY, () =>
      this.db.packTestExecution.findFirst({ where: { packId: toId(packId) }, orderBy: NEWEST_FIRST }),
    );
  }

  /**
   * The newest test run of every pack that has one (view pack_latest_test),
   * by pack ref. The view picks the newest by execution_time alone, so
   * between two runs of a pack at the same instant it may pick either.
   */
  async getAllLatest(): Promise<PackLatestTest[]> {
    const rows = await mapErrors(ENTITY, () =>
      this.db.$queryRaw<PackLatestTestRow[]>`SELECT * FROM pack_latest_test ORDER BY pack_ref`,
    );
    return rows.map((row) => ({
      packId: row.pack_id,
      packRef: row.pack_ref,
      packLabel: row.pack_label,
      testExecutionId: row.test_execution_id,
      packVersion: row.pack_version,
      testTime: row.test_time,
      triggerReason: row.trigger_reason,
      totalTests: row.total_tests,
      passed: row.passed,
      failed: row.failed,
      skipped: row.skipped,
      passRate: new Prisma.Decimal(row.pass_rate),
      durationMs: row.duration_ms,
    }));
  }

  /** Statistics over all of the pack's test runs (SQL function get_pack_test_stats). */
  async getStats(packId: Id): Promise<PackTestStats> {
    const rows = await mapErrors(ENTITY, () =>
      this.db.$queryRaw<PackTestStatsRow[]>`SELECT * FROM get_pack_test_stats(${toId(packId)}::bigint)`,
    );
    const row = rows[0];
    if (!row) throw new Error("get_pack_test_stats returned no row"); // an aggregate always returns one
    return {
      totalExecutions: BigInt(row.total_executions),
      successfulExecutions: BigInt(row.successful_executions),
      failedExecutions: BigInt(row.failed_executions),
      avgPassRate: row.avg_pass_rate === null ? null : Number(row.avg_pass_rate),
      avgDurationMs: row.avg_duration_ms === null ? null : BigInt(row.avg_duration_ms),
      lastTestTime: row.last_test_time,
      lastTestPassed: row.last_test_passed,
    };
  }

  /**
   * Whether the pack had a run with at least one test and none failed within
   * the last `hoursAgo` hours (SQL function pack_has_passing_tests).
   */
  async hasPassingTests(packId: Id, hoursAgo = 24): Promise<boolean> {
    const hours = parseInput(ENTITY, z.object({ hoursAgo: hoursAgoInput }), { hoursAgo }).hoursAgo;
    const rows = await mapErrors(ENTITY, () =>
      this.db.$queryRaw<{ passing: boolean }[]>`SELECT pack_has_passing_tests(${toId(packId)}::bigint, ${hours}::int) AS passing`,
    );
    return rows[0]?.passing === true;
  }

  async countByPack(packId: Id): Promise<number> {
    return mapErrors(ENTITY, () => this.db.packTestExecution.count({ where: { packId: toId(packId) } }));
  }

  /** One page of the runs triggered for `reason`, newest first. */
  async listByTriggerReason(reason: PackTestTriggerReason, page?: PageRequest): Promise<Page<PackTestExecution>> {
    const parsed = parseInput(ENTITY, z.object({ triggerReason }), { triggerReason: reason });
    return this.listWhere({ triggerReason: parsed.triggerReason }, page);
  }

  /** The pack's runs with failed > 0, newest first, at most `limit` (1 to 1000). */
  async getFailedByPack(packId: Id, limit = 50): Promise<PackTestExecution[]> {
    const take = parseInput(ENTITY, z.object({ limit: limitInput }), { limit }).limit;
    return mapErrors(ENTITY, () =>
      this.db.packTestExecution.findMany({
        where: { packId: toId(packId), failed: { gt: 0 } },
        orderBy: NEWEST_FIRST,
        take,
      }),
    );
  }

  /**
   * Deletes the runs whose execution_time is more than `olderThanDays` days
   * before now (as seen by this process's clock). Returns how many were deleted.
   */
  async deleteOldExecutions(olderThanDays: number): Promise<number> {
    const days = parseInput(ENTITY, z.object({ olderThanDays: olderThanDaysInput }), { olderThanDays }).olderThanDays;
    const cutoff = new Date(Date.now() - days * 86_400_000);
    const { count: deleted } = await mapErrors(ENTITY, () =>
      this.db.packTestExecution.deleteMany({ where: { executionTime: { lt: cutoff } } }),
    );
    return deleted;
  }

  private async listWhere(where: Prisma.PackTestExecutionWhereInput, page?: PageRequest): Promise<Page<PackTestExecution>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.packTestExecution.findMany({ where, orderBy: NEWEST_FIRST, ...window }),
      () => this.db.packTestExecution.count({ where }),
    );
  }
}
