import { z } from "zod";
import { Prisma, type PackTestExecution } from "../../prisma/generated/client.ts";
import { MAX_PER_PAGE, modelRepository, type Id, type Page, type PageRequest } from "./common/index.ts";
import { bigCount, count, id, jsonInput } from "./common/input-validation.ts";

/** The values of CHECK valid_trigger_reason. */
export const PACK_TEST_TRIGGER_REASONS = ["install", "update", "manual", "validation"] as const;
export type PackTestTriggerReason = (typeof PACK_TEST_TRIGGER_REASONS)[number];

const triggerReason = z.enum(PACK_TEST_TRIGGER_REASONS);

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

/** A missing pack is a ForeignKeyError. */
const createInput = z.object({
  packId: id,
  packVersion: z.string().min(1, "must not be empty").max(50),
  /** When the suite ran (default now()). */
  executionTime: z.date().optional(),
  triggerReason,
  /** CHECK valid_test_counts: none negative. */
  totalTests: count,
  passed: count,
  failed: count,
  skipped: count,
  passRate,
  durationMs: bigCount,
  /** The full test result document. */
  result: jsonInput,
});
export type CreatePackTestInput = z.input<typeof createInput>;

/**
 * A row of the view pack_latest_test: a pack's newest test run (its id and
 * execution_time as `testExecutionId` and `testTime`), with the pack's ref and label.
 */
export type PackLatestTest = Pick<
  PackTestExecution,
  "packId" | "packVersion" | "triggerReason" | "totalTests" | "passed" | "failed" | "skipped" | "passRate" | "durationMs"
> & { packRef: string; packLabel: string; testExecutionId: bigint; testTime: Date };

/** What get_pack_test_stats(pack) returns. Every field but the counts is null when the pack has no runs. */
export interface PackTestStats {
  totalExecutions: bigint;
  /** Runs where passed = total_tests. */
  successfulExecutions: bigint;
  /** Runs with failed > 0. */
  failedExecutions: bigint;
  /**
   * The average pass rate (0 to 1) as a double, not the function's unbounded numeric (0.66665000000000000000):
   * precise enough for an average of 4-decimal rates, and what callers compute with (the Rust model reads an f64).
   */
  avgPassRate: number | null;
  avgDurationMs: bigint | null;
  lastTestTime: Date | null;
  /** Whether the newest run had failed = 0. */
  lastTestPassed: boolean | null;
}

/**
 * Pack test runs (table pack_test_execution), with the view pack_latest_test
 * and the SQL functions get_pack_test_stats and pack_has_passing_tests.
 * Newest first means by execution_time DESC, then id DESC.
 */
export class PackTestRepository extends modelRepository({
  model: "packTestExecution",
  order: [{ executionTime: "desc" }, { id: "desc" }],
  create: createInput,
}) {
  async listByPack(packId: Id, page?: PageRequest): Promise<Page<PackTestExecution>> {
    return this.page({ packId: this.toId(packId, "packId") }, page);
  }

  /** The pack's newest test run, or null when it has none. */
  async getLatestByPack(packId: Id): Promise<PackTestExecution | null> {
    return (await this.findWhere({ packId: this.toId(packId, "packId") }, 1))[0] ?? null;
  }

  /**
   * The newest test run of every pack that has one (view pack_latest_test),
   * by pack ref. The view picks the newest by execution_time alone, so
   * between two runs of a pack at the same instant it may pick either.
   */
  async getAllLatest(): Promise<PackLatestTest[]> {
    return this.db.$queryRaw<PackLatestTest[]>`
      SELECT pack_id AS "packId", pack_ref AS "packRef", pack_label AS "packLabel", test_execution_id AS "testExecutionId",
        pack_version AS "packVersion", test_time AS "testTime", trigger_reason AS "triggerReason", total_tests AS "totalTests",
        passed, failed, skipped, pass_rate AS "passRate", duration_ms AS "durationMs"
      FROM pack_latest_test ORDER BY pack_ref`;
  }

  /** Statistics over all of the pack's test runs (SQL function get_pack_test_stats). */
  async getStats(packId: Id): Promise<PackTestStats> {
    // An aggregate: exactly one row.
    const [stats] = await this.db.$queryRaw<[PackTestStats]>`
      SELECT total_executions AS "totalExecutions", successful_executions AS "successfulExecutions",
        failed_executions AS "failedExecutions", avg_pass_rate::float8 AS "avgPassRate", avg_duration_ms AS "avgDurationMs",
        last_test_time AS "lastTestTime", last_test_passed AS "lastTestPassed"
      FROM get_pack_test_stats(${this.toId(packId, "packId")}::bigint)`;
    return stats;
  }

  /**
   * Whether the pack had a run with at least one test and none failed within
   * the last `hoursAgo` hours (SQL function pack_has_passing_tests).
   */
  async hasPassingTests(packId: Id, hoursAgo = 24): Promise<boolean> {
    const hours = this.parse(z.object({ hoursAgo: count }), { hoursAgo }).hoursAgo;
    const rows = await this.db.$queryRaw<{ passing: boolean }[]>`
      SELECT pack_has_passing_tests(${this.toId(packId, "packId")}::bigint, ${hours}::int) AS passing`;
    return rows[0]?.passing === true;
  }

  async countByPack(packId: Id): Promise<number> {
    return this.db.packTestExecution.count({ where: { packId: this.toId(packId, "packId") } });
  }

  async listByTriggerReason(reason: PackTestTriggerReason, page?: PageRequest): Promise<Page<PackTestExecution>> {
    return this.page(this.parse(z.object({ triggerReason }), { triggerReason: reason }), page);
  }

  /** The pack's runs with failed > 0, newest first, at most `limit` (1 to 1000). */
  async getFailedByPack(packId: Id, limit = 50): Promise<PackTestExecution[]> {
    const take = this.parse(z.object({ limit: z.number().int().min(1).max(MAX_PER_PAGE) }), { limit }).limit;
    return this.findWhere({ packId: this.toId(packId, "packId"), failed: { gt: 0 } }, take);
  }

  /**
   * Deletes the runs whose execution_time is more than `olderThanDays` days
   * before now (as seen by this process's clock). Returns how many were deleted.
   */
  async deleteOldExecutions(olderThanDays: number): Promise<number> {
    const days = this.parse(z.object({ olderThanDays: z.number().int().min(0).max(1_000_000) }), { olderThanDays }).olderThanDays;
    const cutoff = new Date(Date.now() - days * 86_400_000);
    const { count: deleted } = await this.db.packTestExecution.deleteMany({ where: { executionTime: { lt: cutoff } } });
    return deleted;
  }
}
