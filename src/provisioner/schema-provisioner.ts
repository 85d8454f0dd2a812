import os from "node:os";
import pg from "pg";
import { connectPgClient } from "../client/connect-pg-client.ts";
import { connectionConfig, searchPath } from "../client/create-pg-pool.ts";
import { withSchema } from "../config/datasource-url.ts";
import { ConfigError } from "../errors/config-error.ts";
import { sqlLiteral } from "../migrations/prisma-migrations-table.ts";
import { quoteSchema } from "../schema/schema-name.ts";
import { reapTestSchemas, validatePrefix, type ReapReport } from "./reap-test-schemas.ts";
import { prismaMigrationsMigrator, type SchemaMigrator } from "./schema-migrator.ts";
import { BUILD_LOCK_CLASS, USE_LOCK_CLASS, lockShared, tryLockExclusiveInTransaction, unlockShared } from "./schema-locks.ts";
import { resetSchemaData, structureDigest } from "./schema-recycler.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE, ensureRegistry } from "./test-schema-registry.ts";
import { TEST_SCHEMA_PREFIX, generateTestSchemaName } from "./test-schema-name.ts";
import { generateRunId } from "./run-id.ts";

export const DEFAULT_POOL_SIZE = 4;

export interface SchemaProvisionerOptions {
  /** Server URL (any `?schema=` is ignored). */
  readonly url: string;
  /** Default is the project's runner over `prisma/migrations`. */
  readonly migrator?: SchemaMigrator;
  /** Ready schemas to keep prepared. Default is `ATTUNE_TEST_POOL_SIZE`, else 4; 0 disables the pool. */
  readonly poolSize?: number;
  /** Labels every schema this process creates. Default is `ATTUNE_TEST_RUN_ID`, else a new id. */
  readonly runId?: string;
  /** Default is `test_`. */
  readonly prefix?: string;
  /** Diagnostics (background failures). Default is silent. */
  readonly log?: (line: string) => void;
  /** Let the process exit while connections are open (Jest workers). Default is false. */
  readonly unref?: boolean;
  /**
   * Reuse released schemas whose structure is unchanged (rows deleted,
   * sequences restarted) instead of dropping them and migrating new ones.
   * Only while the pool is on. Default is `ATTUNE_TEST_RECYCLE`, else true.
   */
  readonly recycle?: boolean;
}

export interface TestSchema {
  readonly schema: string;
  /** The server URL with `?schema=` set. */
  readonly url: string;
  /** Whether it came ready from the pool (else it was created on demand). */
  readonly pooled: boolean;
  /** Gives the schema up; it is dropped in the background. */
  release(): Promise<void>;
  /** Gives the schema up and waits until it is dropped. */
  drop(): Promise<void>;
}

/**
 * The only code that creates and drops test schemas. Each instance holds one
 * "owner" session whose advisory locks prove its schemas alive (see
 * schema-locks.ts), and a small pool of work connections for builds and drops,
 * so that background work never delays a hand-out.
 */
export class SchemaProvisioner {
  readonly runId: string;
  readonly poolSize: number;
  readonly prefix: string;
  readonly recycle: boolean;
  private readonly fingerprint: string;
  private readonly builtForPool = new Set<string>();
  private readonly toDrop = new Set<string>();
  private refilling: Promise<void> | undefined;
  private dropping: Promise<void> | undefined;
  private closed = false;
  private digestOfBuilds: Promise<string> | undefined;
  private ownerQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly options: SchemaProvisionerOptions,
    private readonly migrator: SchemaMigrator,
    private readonly owner: pg.Client,
    private readonly work: pg.Pool,
  ) {
    this.runId = options.runId ?? process.env.ATTUNE_TEST_RUN_ID ?? generateRunId();
    this.poolSize = options.poolSize ?? poolSizeFromEnv();
    this.recycle = this.poolSize > 0 && (options.recycle ?? process.env.ATTUNE_TEST_RECYCLE !== "0");
    this.prefix = validatePrefix(options.prefix ?? TEST_SCHEMA_PREFIX);
    this.fingerprint = migrator.hash();
  }

  static async open(options: SchemaProvisionerOptions): Promise<SchemaProvisioner> {
    const owner = await connectPgClient(options.url, REGISTRY_SCHEMA);
    try {
      await ensureRegistry(owner);
    } catch (error) {
      await owner.end().catch(() => {});
      throw error;
    }
    const work = new pg.Pool({
      ...connectionConfig(options.url, REGISTRY_SCHEMA),
      max: 3,
      // The owner connection above proved the server answers; here the wait is
      // mostly for a free slot while builds run, which on a loaded machine can
      // take longer than the 5 s connect timeout.
      connectionTimeoutMillis: 60_000,
      application_name: "attune-db:provisioner",
      allowExitOnIdle: options.unref ?? false,
    });
    work.on("error", () => {});
    if (options.unref) {
      // Busy connections too: a worker told to exit mid-build must not wait for
      // it (by default Jest kills it after 0.5 s). The server rolls the build back, and
      // the run's teardown reaps what it left, as after any crash.
      // (pg-pool refs a client again each time it is checked out.)
      unrefConnection(owner);
      work.on("acquire", (client) => unrefConnection(client));
    }
    return new SchemaProvisioner(options, options.migrator ?? prismaMigrationsMigrator(), owner, work);
  }

  /** A migrated schema for the caller's exclusive use: from the pool when one is ready, else built now. */
  async acquire(): Promise<TestSchema> {
    const claimed = this.poolSize > 0 ? await this.claimReady() : undefined;
    if (this.poolSize > 0) this.scheduleRefill();
    if (claimed) return this.handle(claimed, true);
    return this.create();
  }

  /** Creates and migrates a new schema now (never from the pool). */
  async create(): Promise<TestSchema> {
    const schema = generateTestSchemaName(this.prefix);
    await this.ownerQuery(`SELECT ${lockShared(USE_LOCK_CLASS, "$1")}`, [schema]);
    try {
      await this.build(schema, "in_use");
    } catch (error) {
      await this.ownerQuery(`SELECT ${unlockShared(USE_LOCK_CLASS, "$1")}`, [schema]).catch(() => {});
      throw error;
    }
    return this.handle(schema, false);
  }

  /**
   * Reserves a fresh schema name, protected as in use, without creating the
   * schema: for callers that create or migrate it themselves. Releasing it
   * drops the schema if it was created.
   */
  async reserve(): Promise<TestSchema> {
    const schema = generateTestSchemaName(this.prefix);
    await this.ownerQuery(`SELECT ${lockShared(USE_LOCK_CLASS, "$1")}`, [schema]);
    return this.handle(schema, false);
  }

  /** Builds ready schemas until the pool holds `poolSize` of them (two at a time). */
  async fill(target: number = this.poolSize): Promise<number> {
    let built = 0;
    const missing = Math.max(0, target - (await this.readyCount()));
    const worker = async (share: number) => {
      for (let i = 0; i < share && !this.closed; i++) {
        await this.buildReady();
        built++;
      }
    };
    await Promise.all([worker(Math.ceil(missing / 2)), worker(Math.floor(missing / 2))]);
    return built;
  }

  /** Ready schemas of this fingerprint, from any process. */
  async readyCount(): Promise<number> {
    const { rows } = await this.work.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${REGISTRY_TABLE} WHERE state = 'ready' AND fingerprint = $1`,
      [this.fingerprint],
    );
    return rows[0]!.n;
  }

  /**
   * Gives up a schema: marked released in one round trip, dropped in the
   * background (off the caller's critical path). With `keep`, it is marked
   * kept instead and left for inspection (`cleanup-test-schemas` removes it).
   */
  async release(schema: string, options: { keep?: boolean } = {}): Promise<void> {
    const state = options.keep ? "kept" : "released";
    // One round trip (a multi-statement query takes no parameters: literals, quoted).
    await this.ownerQuery(
      `UPDATE ${REGISTRY_TABLE} SET state = ${sqlLiteral(state)} WHERE name = ${sqlLiteral(schema)};
       SELECT ${unlockShared(USE_LOCK_CLASS, sqlLiteral(schema))};`,
    );
    if (!options.keep) this.scheduleReclaim(schema);
  }

  /** Drops schemas of this run (or all orphans) whose owners are gone. */
  async reap(options: Parameters<typeof reapTestSchemas>[1] = {}): Promise<ReapReport> {
    const client = await this.work.connect();
    try {
      return await reapTestSchemas(client, { prefix: this.prefix, ...options });
    } finally {
      client.release();
    }
  }

  /** Waits for background builds and drops. */
  async idle(): Promise<void> {
    while (this.refilling || this.dropping) await Promise.allSettled([this.refilling, this.dropping]);
  }

  /**
   * Stops background work, waits for it, then closes the owner session (its
   * liveness locks go with it) and the work connections.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    await this.owner.end().catch(() => {});
    await this.work.end().catch(() => {});
  }

  /**
   * The owner session runs one query at a time: acquire, release and the
   * background pool work all use it, and pg 9 will refuse overlapping queries
   * on one client (pg 8 queues them with a deprecation warning).
   */
  private ownerQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const run = this.ownerQueue.then(() => this.owner.query<R>(text, values));
    this.ownerQueue = run.catch(() => {});
    return run;
  }

  private handle(schema: string, pooled: boolean): TestSchema {
    let released: Promise<void> | undefined;
    const release = () => (released ??= this.release(schema));
    return {
      schema,
      url: withSchema(this.options.url, schema),
      pooled,
      release,
      drop: async () => {
        await release();
        await this.idle();
      },
    };
  }

  /** One round trip: take a ready schema of our fingerprint and its USE lock, atomically. */
  private async claimReady(): Promise<string | undefined> {
    // The xact-level try-lock in the WHERE skips schemas a reaper is taking;
    // the session-level lock on the claimed one outlives the transaction. The
    // claiming run adopts the schema (run_id), so its teardown drops it.
    const results = (await this.ownerQuery(
      `BEGIN;
       WITH claimed AS (
         UPDATE ${REGISTRY_TABLE} SET state = 'in_use', claimed_at = now(), run_id = ${sqlLiteral(this.runId)}
          WHERE name = (SELECT name FROM ${REGISTRY_TABLE}
                         WHERE state = 'ready' AND fingerprint = ${sqlLiteral(this.fingerprint)}
                           AND pg_try_advisory_xact_lock_shared(${USE_LOCK_CLASS}, hashtext(name))
                         LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING name)
       SELECT name, ${lockShared(USE_LOCK_CLASS, "name")} FROM claimed;
       COMMIT;`,
    )) as unknown as pg.QueryResult<{ name: string }>[];
    return results[1]?.rows[0]?.name;
  }

  private async buildReady(): Promise<string> {
    const schema = generateTestSchemaName(this.prefix);
    await this.ownerQuery(`SELECT ${lockShared(BUILD_LOCK_CLASS, "$1")}`, [schema]);
    try {
      await this.build(schema, "ready");
    } catch (error) {
      await this.ownerQuery(`SELECT ${unlockShared(BUILD_LOCK_CLASS, "$1")}`, [schema]).catch(() => {});
      throw error;
    }
    this.builtForPool.add(schema);
    return schema;
  }

  /** Creates, migrates and registers `schema` in one transaction: it exists complete, or not at all. */
  private async build(schema: string, state: "ready" | "in_use"): Promise<void> {
    const client = await this.work.connect();
    try {
      await client.query(`SET search_path TO ${searchPath(schema)}`);
      await this.migrator.migrate(client, schema, async (tx) => {
        const label = JSON.stringify({ tool: "attune-db", run: this.runId, fingerprint: this.fingerprint, pid: process.pid });
        await tx.query(
          `INSERT INTO ${REGISTRY_TABLE} (name, fingerprint, state, run_id, host, pid, claimed_at, digest)
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $3 = 'in_use' THEN now() END, $7)`,
          [schema, this.fingerprint, state, this.runId, os.hostname(), process.pid, await this.builtDigest(tx, schema)],
        );
        await tx.query(`COMMENT ON SCHEMA ${quoteSchema(schema)} IS ${sqlLiteral(label)}`);
      });
    } finally {
      await client.query(`SET search_path TO ${searchPath(REGISTRY_SCHEMA)}`).catch(() => {});
      client.release();
    }
  }

  private scheduleRefill(): void {
    if (this.refilling || this.closed) return;
    this.refilling = (async () => {
      try {
        await this.forgetClaimedBuilds();
        while (!this.closed && (await this.readyCount()) < this.poolSize) await this.buildReady();
      } catch (error) {
        if (!this.closed) this.options.log?.(`attune-db: refilling the schema pool failed: ${(error as Error).message}`);
      } finally {
        this.refilling = undefined;
      }
    })();
  }

  /** Our BUILD locks only protect schemas still waiting in the pool; drop those of claimed ones. */
  private async forgetClaimedBuilds(): Promise<void> {
    if (this.builtForPool.size === 0) return;
    const { rows } = await this.ownerQuery<{ name: string }>(
      `SELECT b.name, ${unlockShared(BUILD_LOCK_CLASS, "b.name")}
         FROM unnest($1::text[]) AS b(name)
        WHERE NOT EXISTS (SELECT 1 FROM ${REGISTRY_TABLE} r WHERE r.name = b.name AND r.state = 'ready')`,
      [[...this.builtForPool]],
    );
    for (const row of rows) this.builtForPool.delete(row.name);
  }

  /**
   * The structure digest of a schema just built. The same migrations build the
   * same structure, so it is computed (~80 ms of catalog reads) on this
   * process's first build only, not on every cold build.
   */
  private async builtDigest(tx: pg.ClientBase, schema: string): Promise<string> {
    const digest = (this.digestOfBuilds ??= structureDigest(tx, schema));
    digest.catch(() => {
      if (this.digestOfBuilds === digest) this.digestOfBuilds = undefined;
    });
    return digest;
  }

  /** Recycles released schemas into the pool, or drops them, in the background. */
  private scheduleReclaim(schema: string): void {
    this.toDrop.add(schema);
    if (this.dropping) return;
    this.dropping = (async () => {
      try {
        while (this.toDrop.size > 0) {
          const names = [...this.toDrop];
          this.toDrop.clear();
          await this.terminateLeftoverConnections(names);
          const drop: string[] = [];
          for (const name of names) {
            if (!(this.recycle && !this.closed && (await this.tryRecycle(name)))) drop.push(name);
          }
          if (drop.length === 0) continue;
          const report = await this.reap({ names: drop });
          for (const { schema: name, message } of report.errors) this.options.log?.(`attune-db: could not drop ${name}: ${message}`);
        }
      } catch (error) {
        this.options.log?.(`attune-db: dropping released schemas failed: ${(error as Error).message}`);
      } finally {
        this.dropping = undefined;
      }
    })();
  }

  /**
   * Puts a released schema back into the pool when its structure is exactly
   * as built: deletes its rows, restarts its sequences, marks it ready under
   * our BUILD lock, all in one transaction that holds its USE key exclusively
   * (so no reaper or claimer can touch it meanwhile). False when it cannot
   * be reused (structure changed, pool full, anything failed): drop it then.
   */
  private async tryRecycle(schema: string): Promise<boolean> {
    if ((await this.readyCount()) >= this.poolSize * 2) return false;
    const client = await this.work.connect();
    let buildLocked = false;
    try {
      await client.query(`SET search_path TO ${searchPath(schema)}`);
      await client.query("BEGIN");
      const { rows } = await client.query<{ digest: string | null; free: boolean }>(
        `SELECT digest, ${tryLockExclusiveInTransaction(USE_LOCK_CLASS, "name")} AS free
           FROM ${REGISTRY_TABLE} WHERE name = $1 AND state = 'released' AND fingerprint = $2 FOR UPDATE`,
        [schema, this.fingerprint],
      );
      const row = rows[0];
      if (!row?.free || !row.digest || (await structureDigest(client, schema)) !== row.digest) {
        await client.query("ROLLBACK");
        return false;
      }
      await resetSchemaData(client, schema);
      await this.ownerQuery(`SELECT ${lockShared(BUILD_LOCK_CLASS, "$1")}`, [schema]);
      buildLocked = true;
      await client.query(`UPDATE ${REGISTRY_TABLE} SET state = 'ready', claimed_at = NULL, run_id = $2 WHERE name = $1`, [schema, this.runId]);
      await client.query("COMMIT");
      this.builtForPool.add(schema);
      return true;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      if (buildLocked) await this.ownerQuery(`SELECT ${unlockShared(BUILD_LOCK_CLASS, "$1")}`, [schema]).catch(() => {});
      this.options.log?.(`attune-db: could not recycle ${schema}, dropping it: ${(error as Error).message}`);
      return false;
    } finally {
      await client.query(`SET search_path TO ${searchPath(REGISTRY_SCHEMA)}`).catch(() => {});
      client.release();
    }
  }

  /**
   * Connections a test left open (a client never disconnected, a transaction
   * never finished) would block DROP SCHEMA: end them. attune-db clients name
   * themselves `attune-db:<schema>`.
   */
  private async terminateLeftoverConnections(schemas: readonly string[]): Promise<void> {
    await this.work.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = ANY($1) AND pid <> pg_backend_pid()`,
      [schemas.map((s) => `attune-db:${s}`)],
    );
  }
}

function poolSizeFromEnv(): number {
  const raw = process.env.ATTUNE_TEST_POOL_SIZE;
  if (raw === undefined || raw === "") return DEFAULT_POOL_SIZE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 64) {
    throw new ConfigError(`ATTUNE_TEST_POOL_SIZE must be a whole number from 0 to 64 (got ${JSON.stringify(raw)})`, "ATTUNE_TEST_POOL_SIZE");
  }
  return value;
}

function unrefConnection(client: pg.ClientBase): void {
  (client as unknown as { connection: { stream: { unref(): void } } }).connection.stream.unref();
}
