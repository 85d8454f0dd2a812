import { z } from "zod";
import type { QueueStats } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import { inTransaction, toId, withErrorMapping, type DbClient, type Id, type TransactionOptions } from "./common/index.ts";
import { bigCount, count, id, parseInput } from "./common/input-validation.ts";

const ENTITY = "queue_stats";

const upsertQueueStatsInput = z.object({
  actionId: id,
  queueLength: count,
  activeCount: count,
  maxConcurrent: count,
  /** When the oldest queued request was enqueued; `null` (the default) when the queue is empty. */
  oldestEnqueuedAt: z.date().nullish(),
  totalEnqueued: bigCount,
  totalCompleted: bigCount,
});
/** A full snapshot of one action's queue counters. */
export type UpsertQueueStatsInput = z.input<typeof upsertQueueStatsInput>;
type ParsedStats = z.output<typeof upsertQueueStatsInput>;

const batchInput = z.array(upsertQueueStatsInput).superRefine((rows, ctx) => {
  const seen = new Map<bigint, number>();
  rows.forEach((row, index) => {
    const first = seen.get(row.actionId);
    if (first !== undefined) {
      ctx.addIssue({ code: "custom", path: [index, "actionId"], message: `duplicates the actionId of row ${first}` });
    } else {
      seen.set(row.actionId, index);
    }
  });
});

const staleInput = z.object({ olderThan: z.date().refine((d) => !Number.isNaN(d.getTime()), "must be a valid date") });

/**
 * Per-action execution queue counters (one row per action; the primary key is
 * `action_id`). The table has no `updated` trigger: every write sets
 * `lastUpdated` to the current time here.
 */
export class QueueStatsRepository {
  private readonly db: DbClient;

  constructor(db: DbClient) {
    this.db = withErrorMapping(db, ENTITY);
  }

  async findByAction(actionId: Id): Promise<QueueStats | null> {
    return this.db.queueStats.findUnique({ where: { actionId: toId(ENTITY, actionId, "actionId") } });
  }

  /** The counters of one action, or {@link NotFoundError}. */
  async getByAction(actionId: Id): Promise<QueueStats> {
    return (await this.findByAction(actionId)) ?? notFound({ actionId: toId(ENTITY, actionId, "actionId") });
  }

  /**
   * Inserts or replaces the counters of one action and sets `lastUpdated` to
   * now. A missing action is a ForeignKeyError naming
   * `queue_stats.action_id -> action`.
   */
  async upsert(input: UpsertQueueStatsInput): Promise<QueueStats> {
    const stats = parseInput(ENTITY, upsertQueueStatsInput, input);
    return this.upsertOne(this.db, stats, new Date());
  }

  /**
   * Upserts many actions' counters in one transaction: either every row is
   * written or none (a missing action fails the whole batch). All rows get the
   * same `lastUpdated`. Returns the rows in input order. An actionId may appear
   * only once per batch.
   */
  async batchUpsert(inputs: readonly UpsertQueueStatsInput[], options?: TransactionOptions): Promise<QueueStats[]> {
    const rows = parseInput(ENTITY, batchInput, inputs);
    if (rows.length === 0) return [];
    const now = new Date();
    return inTransaction(this.db, async (tx) => {
      const written: QueueStats[] = [];
      for (const row of rows) written.push(await this.upsertOne(tx, row, now));
      return written;
    }, options);
  }

  /** Actions with queued or running executions (queueLength > 0 or activeCount > 0), most recently updated first. */
  async listActive(): Promise<QueueStats[]> {
    return this.db.queueStats.findMany({
      where: { OR: [{ queueLength: { gt: 0 } }, { activeCount: { gt: 0 } }] },
      orderBy: [{ lastUpdated: "desc" }, { actionId: "desc" }],
    });
  }

  /** Every action's counters, most recently updated first. */
  async listAll(): Promise<QueueStats[]> {
    return this.db.queueStats.findMany({ orderBy: [{ lastUpdated: "desc" }, { actionId: "desc" }] });
  }

  /** Deletes (clears) the counters of one action. Returns whether a row was deleted. */
  async delete(actionId: Id): Promise<boolean> {
    const { count } = await this.db.queueStats.deleteMany({ where: { actionId: toId(ENTITY, actionId, "actionId") } });
    return count > 0;
  }

  /**
   * Deletes idle rows (queueLength = 0 and activeCount = 0) last updated
   * before `olderThan`. Returns how many rows were deleted.
   */
  async clearStale(olderThan: Date): Promise<number> {
    const parsed = parseInput(ENTITY, staleInput, { olderThan });
    const { count } = await this.db.queueStats.deleteMany({
      where: { lastUpdated: { lt: parsed.olderThan }, queueLength: 0, activeCount: 0 },
    });
    return count;
  }

  private upsertOne(db: DbClient, { actionId, ...counters }: ParsedStats, now: Date): Promise<QueueStats> {
    const values = { ...counters, oldestEnqueuedAt: counters.oldestEnqueuedAt ?? null, lastUpdated: now };
    return db.queueStats.upsert({ where: { actionId }, create: { actionId, ...values }, update: values });
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
