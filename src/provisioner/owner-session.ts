import type pg from "pg";
import { ensureRegistry, REGISTRY_TABLE, type TestSchemaState } from "./test-schema-registry.ts";
import { connectProvisionerClient, endWithin, unrefConnection } from "./provisioner-connections.ts";
import { BUILD_LOCK_CLASS, USE_LOCK_CLASS, lockShared, unlockShared, type LockClass } from "./schema-locks.ts";

/**
 * The provisioner's "owner" connection: it lives as long as the process, and
 * the shared advisory locks it holds prove this process's schemas alive (see
 * schema-locks.ts). Hand-outs and releases run on it too, one statement each.
 * It runs one query at a time: pg 9 will refuse overlapping queries on one
 * client (pg 8 queues them with a deprecation warning).
 */
export class OwnerSession {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly client: pg.Client) {}

  static async open(url: string, options: { readonly applicationName: string; readonly unref?: boolean }): Promise<OwnerSession> {
    const client = await connectProvisionerClient(url, options.applicationName);
    try {
      await ensureRegistry(client);
    } catch (error) {
      await endWithin(client);
      throw error;
    }
    if (options.unref) unrefConnection(client);
    return new OwnerSession(client);
  }

  /** One statement after the previous one; `name` makes it a prepared statement of this session (planned once). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[], name?: string): Promise<pg.QueryResult<R>> {
    const run = this.queue.then(() => this.client.query<R>(name ? { name, text, values } : { text, values }));
    this.queue = run.catch(() => {});
    return run;
  }

  async hold(lockClass: LockClass, schema: string): Promise<void> {
    await this.query(`SELECT ${lockShared(lockClass, "$1")}`, [schema]);
  }

  async letGo(lockClass: LockClass, schema: string): Promise<void> {
    await this.query(`SELECT ${unlockShared(lockClass, "$1")}`, [schema]);
  }

  /**
   * Lets go of every hold this session has on the key: advisory locks count
   * re-entries, and a schema claimed from the pool and released before the
   * pool noticed the claim is held twice (the pool's BUILD and the release's).
   */
  async letGoEntirely(lockClass: LockClass, schema: string): Promise<void> {
    for (let hold = 0; hold < 16; hold++) {
      const { rows } = await this.query<{ held: boolean }>(`SELECT ${unlockShared(lockClass, "$1")} AS held`, [schema]);
      if (!rows[0]?.held) return;
    }
  }

  /**
   * Claims a ready schema of `fingerprint` built for this run, and its USE lock, in one statement
   * (so one round trip and one transaction): a row locked by another claimant
   * is skipped (SKIP LOCKED), and so is a schema a reaper is dropping (the
   * transaction-level shared try-lock fails while the reaper holds the key
   * exclusively). The session-level lock on the claimed name outlives the
   * statement. Runs do not take each other's schemas: the builder keeps a
   * ready schema's BUILD lock until it notices the claim, and another run's
   * teardown could not drop it meanwhile.
   */
  async claimReady(fingerprint: string, runId: string): Promise<string | undefined> {
    const { rows } = await this.query<{ name: string }>(
      `WITH claimed AS (
         UPDATE ${REGISTRY_TABLE} SET state = 'in_use', claimed_at = now()
          WHERE name = (SELECT name FROM ${REGISTRY_TABLE}
                         WHERE state = 'ready' AND fingerprint = $1 AND run_id = $2
                           AND pg_try_advisory_xact_lock_shared(${USE_LOCK_CLASS}, hashtext(name))
                         LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING name)
       SELECT name, ${lockShared(USE_LOCK_CLASS, "name")} FROM claimed`,
      [fingerprint, runId],
      "attune_claim_ready", // the hand-out's one round trip: parsed and planned once per session
    );
    return rows[0]?.name;
  }

  /**
   * Marks a schema released (or kept) and lets go of its USE lock, in one
   * statement. A released schema is taken under this session's BUILD lock
   * first: it is still this process's, to recycle or drop (release-queue.ts),
   * and no other process's sweep may drop it meanwhile.
   */
  async release(schema: string, state: Extract<TestSchemaState, "released" | "kept">): Promise<void> {
    // The unlock reads the UPDATE's output, so it runs after it (and after the BUILD lock, left of it).
    await this.query(
      `WITH marked AS (UPDATE ${REGISTRY_TABLE} SET state = $2 WHERE name = $1 RETURNING name)
       SELECT CASE WHEN $2 = 'released' THEN ${lockShared(BUILD_LOCK_CLASS, "$1")} END, ${unlockShared(USE_LOCK_CLASS, "$1")}
         FROM (SELECT count(*) FROM marked) done`,
      [schema, state],
    );
  }

  /** Lets go of BUILD locks on schemas no longer waiting in the pool; returns those names. */
  async forgetClaimed(names: readonly string[]): Promise<string[]> {
    const { rows } = await this.query<{ name: string }>(
      `SELECT b.name, ${unlockShared(BUILD_LOCK_CLASS, "b.name")}
         FROM unnest($1::text[]) AS b(name)
        WHERE NOT EXISTS (SELECT 1 FROM ${REGISTRY_TABLE} r WHERE r.name = b.name AND r.state = 'ready')`,
      [names],
    );
    return rows.map((r) => r.name);
  }

  /** Ends the session: every lock it holds goes with it. */
  async end(): Promise<void> {
    await endWithin(this.client);
  }
}
