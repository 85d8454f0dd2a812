import type pg from "pg";
import { forEachBounded } from "../concurrency/for-each-bounded.ts";
import { describeHolder } from "./lock-holders.ts";
import type { OwnerSession } from "./owner-session.ts";
import { BOUNDED_TRANSACTION_SQL, LOCK_TIMEOUT_MS } from "./provisioner-timeouts.ts";
import type { ReadyPool } from "./ready-pool.ts";
import { reapTestSchemas } from "./reap-test-schemas.ts";
import { MAX_REUSES, type SchemaRecycler } from "./schema-recycler.ts";
import { BUILD_LOCK_CLASS, USE_LOCK_CLASS, tryLockExclusiveInTransaction } from "./schema-locks.ts";
import { REGISTRY_TABLE } from "./test-schema-registry.ts";

export interface ReleaseQueueOptions {
  readonly owner: OwnerSession;
  readonly work: pg.Pool;
  readonly pool: ReadyPool;
  readonly recycler: SchemaRecycler;
  readonly fingerprint: string;
  readonly runId: string;
  readonly prefix: string;
  /** Recycle released schemas into the pool (else drop them all). */
  readonly recycle: boolean;
  readonly log?: (line: string) => void;
}

const MAX_DROP_ATTEMPTS = 5;
/** Released schemas recycled at once (the work pool has 3 connections: one stays free for builds and drops). */
const RECYCLE_CONCURRENCY = 2;
const RETRY_DELAY_MS = 200;

/** What became of released schemas, for diagnostics and tests. */
export interface ReleaseStats {
  recycled: number;
  dropped: number;
  /** Left in place because another session held a lock on them. */
  blocked: number;
  /** Why schemas were not recycled, with counts. */
  readonly notRecycled: Map<string, number>;
}

/**
 * Released schemas are handled here, in the background, off the tests'
 * critical path: each is recycled into the pool when that is provably safe,
 * else dropped (see schema-recycler.ts and reap-test-schemas.ts).
 */
export class ReleaseQueue {
  readonly stats: ReleaseStats = { recycled: 0, dropped: 0, blocked: 0, notRecycled: new Map() };
  private readonly waiting = new Map<string, (() => void)[]>();
  /** Drop attempts of schemas that looked alive (another session held their key a moment). */
  private readonly attempts = new Map<string, number>();
  private draining: Promise<void> | undefined;
  private handling = 0;
  private poolShort = false;
  private recycledWaiters: (() => void)[] = [];
  /** Released schemas whose BUILD key this process's session took at release (owner-session.ts) and still holds. */
  private readonly buildHeld = new Set<string>();
  private closed = false;

  constructor(private readonly options: ReleaseQueueOptions) {}

  /** Queues a released schema; resolves once it has been recycled, dropped, or left (blocked). */
  enqueue(schema: string): Promise<void> {
    this.buildHeld.add(schema);
    const done = new Promise<void>((resolve) => this.waiting.set(schema, [...(this.waiting.get(schema) ?? []), resolve]));
    this.draining ??= this.drain();
    return done;
  }

  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Resolves when the next schema is recycled into the pool (or the queue has nothing left to do). */
  nextRecycled(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => {
      this.recycledWaiters.push(resolve);
      void this.draining?.then(resolve);
    });
  }

  /** Schemas queued or being recycled or dropped now. */
  get pending(): number {
    return this.waiting.size + this.handling;
  }

  /** No more recycling: what is still queued is dropped. */
  close(): void {
    this.closed = true;
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.size > 0) {
        const batch = new Map(this.waiting);
        this.waiting.clear();
        let retry: readonly string[] = [];
        this.handling = batch.size;
        try {
          retry = await this.handle([...batch.keys()]);
        } catch (error) {
          this.options.log?.(`attune-db: releasing test schemas failed: ${(error as Error).message}`);
        } finally {
          this.handling = 0;
          // Schemas counted as coming back to the pool were dropped instead: it is short of them now.
          if (this.poolShort) this.options.pool.refillSoon();
          this.poolShort = false;
          for (const [name, resolvers] of batch) {
            if (retry.includes(name)) this.waiting.set(name, [...resolvers, ...(this.waiting.get(name) ?? [])]);
            else for (const resolve of resolvers) resolve();
          }
        }
        if (retry.length > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS).unref());
      }
    } finally {
      this.draining = undefined;
    }
  }

  /** Recycles or drops `names`; returns those to try again shortly (see {@link retryLater}). */
  private async handle(names: readonly string[]): Promise<readonly string[]> {
    await this.endLeftoverConnections(names);
    const drop: string[] = [];
    // Two at a time: one recycle (~25-50 ms of server work) must not fall behind files that end faster.
    await forEachBounded(names, RECYCLE_CONCURRENCY, async (name) => {
      const reason = this.options.recycle && !this.closed ? await this.tryRecycle(name) : "recycling is off";
      if (reason === undefined) {
        this.buildHeld.delete(name); // the key now protects it as a ready schema of the pool
        this.stats.recycled++;
        for (const wake of this.recycledWaiters.splice(0)) wake();
      } else {
        this.stats.notRecycled.set(reason, (this.stats.notRecycled.get(reason) ?? 0) + 1);
        drop.push(name);
      }
    });
    if (drop.length === 0) return [];
    this.poolShort = this.options.recycle;
    // Our own reaper must win the BUILD key too: every hold of it (the pool's, if it had not yet
    // noticed the claim, and the release's), or the drop finds the schema alive and leaves it.
    for (const name of drop) {
      this.buildHeld.delete(name);
      this.options.pool.forget(name);
      await this.options.owner.letGoEntirely(BUILD_LOCK_CLASS, name);
    }
    const client = await this.options.work.connect();
    try {
      const report = await reapTestSchemas(client, { prefix: this.options.prefix, names: drop });
      for (const name of report.dropped) this.attempts.delete(name);
      this.stats.dropped += report.dropped.length;
      this.stats.blocked += report.blocked.length;
      for (const { schema, holders } of report.blocked) {
        this.options.log?.(
          `attune-db: test schema ${schema} was left in place: it is locked by ${holders.map(describeHolder).join("; ") || "another session"}. ` +
            "A later sweep drops it once the lock is gone (npx attune-db cleanup-test-schemas).",
        );
      }
      for (const { schema, message } of report.errors) this.options.log?.(`attune-db: could not drop ${schema}: ${message}`);
      return this.retryLater(report.skippedAlive);
    } finally {
      client.release();
    }
  }

  /**
   * A released schema is ours alone, yet its drop may find its key taken for
   * a moment (a sweep's dry run probing every orphan, a claimant's try-lock):
   * it is tried again a few times before it is left for the run's teardown.
   */
  private retryLater(skipped: readonly string[]): string[] {
    const again: string[] = [];
    for (const name of skipped) {
      const attempt = (this.attempts.get(name) ?? 0) + 1;
      if (attempt < MAX_DROP_ATTEMPTS) {
        this.attempts.set(name, attempt);
        again.push(name);
      } else {
        this.attempts.delete(name);
        this.options.log?.(`attune-db: test schema ${name} was left in place: another session kept its key. The run's teardown drops it.`);
      }
    }
    return again;
  }

  /**
   * Puts a released schema back into the pool when it is provably as built:
   * in one transaction that holds its USE key exclusively (no reaper or
   * claimer can touch it meanwhile), the recycler checks and empties it, and
   * it is marked ready, still under the BUILD key our session took at release. Returns why not, if not.
   */
  private async tryRecycle(schema: string): Promise<string | undefined> {
    const { pool, recycler, work, fingerprint, runId } = this.options;
    if ((await pool.readyCount()) >= pool.size * 2) return "the pool is full";
    const client = await work.connect();
    // Round trips are few on purpose (see SchemaRecycler.reset): statements go together, values escaped.
    const literal = (value: string) => client.escapeLiteral(value);
    try {
      const started = (await client.query(
        `BEGIN; ${BOUNDED_TRANSACTION_SQL};
         SELECT catalog_digest, migrations_digest, reuses, ${tryLockExclusiveInTransaction(USE_LOCK_CLASS, "name")} AS free
           FROM ${REGISTRY_TABLE} WHERE name = ${literal(schema)} AND state = 'released' AND fingerprint = ${literal(fingerprint)} FOR UPDATE`,
      )) as unknown as pg.QueryResult<{ catalog_digest: string | null; migrations_digest: string | null; reuses: number; free: boolean }>[];
      const row = started[started.length - 1]!.rows[0];
      const reason = !row?.free
        ? "it is no longer released"
        : !row.catalog_digest || !row.migrations_digest
          ? "its build recorded nothing to compare with"
          : row.reuses >= MAX_REUSES
            ? `it was reused ${MAX_REUSES} times`
            : await recycler.reset(client, schema, { catalogDigest: row.catalog_digest, migrationsDigest: row.migrations_digest });
      if (reason !== undefined) {
        await client.query("ROLLBACK");
        return reason;
      }
      await client.query(
        `UPDATE ${REGISTRY_TABLE} SET state = 'ready', claimed_at = NULL, run_id = ${literal(runId)}, reuses = reuses + 1
          WHERE name = ${literal(schema)}; COMMIT`,
      );
      pool.hold(schema);
      return undefined;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      return `recycling failed: ${(error as Error).message}`;
    } finally {
      client.release();
    }
  }

  /**
   * Connections a test left open (a client never disconnected, a transaction
   * never finished) would block the reset or the DROP: end them, and wait
   * (bounded) until their backends are gone. attune-db clients name
   * themselves `attune-db:<schema>`.
   */
  private async endLeftoverConnections(schemas: readonly string[]): Promise<void> {
    await this.options.work.query(
      `SELECT pg_terminate_backend(pid, $2) FROM pg_stat_activity
        WHERE application_name = ANY($1) AND pid <> pg_backend_pid()`,
      [schemas.map((s) => `attune-db:${s}`), LOCK_TIMEOUT_MS],
    );
  }
}
