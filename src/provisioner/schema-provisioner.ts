import os from "node:os";
import pg from "pg";
import { withSchema } from "../config/datasource-url.ts";
import { OwnerSession } from "./owner-session.ts";
import { endPoolWithin, provisionerApplicationName, provisionerConnectionConfig, unrefConnection } from "./provisioner-connections.ts";
import { CLOSE_TIMEOUT_MS } from "./provisioner-timeouts.ts";
import { ReadyPool } from "./ready-pool.ts";
import { reapTestSchemas, validatePrefix, type ReapOptions, type ReapReport } from "./reap-test-schemas.ts";
import { ReleaseQueue, type ReleaseStats } from "./release-queue.ts";
import { SchemaBuilder } from "./schema-builder.ts";
import { prismaMigrationsMigrator, type SchemaMigrator } from "./schema-migrator.ts";
import { SchemaRecycler } from "./schema-recycler.ts";
import { USE_LOCK_CLASS } from "./schema-locks.ts";
import { REGISTRY_TABLE } from "./test-schema-registry.ts";
import { TEST_SCHEMA_PREFIX, generateTestSchemaName } from "./test-schema-name.ts";
import { generateRunId } from "./run-id.ts";

export const DEFAULT_POOL_SIZE = 4;

/** How long a hand-out with the pool empty waits for this process's recycling before it builds a schema instead. */
const RECYCLE_WAIT_MS = 1_000;

export interface SchemaProvisionerOptions {
  /** Server URL (any `?schema=` is ignored). */
  readonly url: string;
  /** Default is the project's runner over `prisma/migrations`. */
  readonly migrator?: SchemaMigrator;
  /** Ready schemas to keep prepared. Default is 4; 0 disables the pool. */
  readonly poolSize?: number;
  /** Labels every schema this process creates. Default is `ATTUNE_TEST_RUN_ID`, else a new id. */
  readonly runId?: string;
  /** Default is `test_`. */
  readonly prefix?: string;
  /** Diagnostics (background failures, schemas left because they are locked). Default is silent. */
  readonly log?: (line: string) => void;
  /**
   * Let the process exit while connections are open, even with a query in
   * flight (Jest workers: Jest keeps them alive while tests run). Default is false.
   */
  readonly unref?: boolean;
  /**
   * Reuse released schemas that are provably as built (rows deleted,
   * sequences restarted) instead of dropping them and migrating new ones.
   * Only while the pool is on. Default is true.
   */
  readonly recycle?: boolean;
  /** @internal Tests of the tests only: recycle without comparing catalog versions. */
  readonly unsafeRecycleWithoutCatalogCheck?: boolean;
}

export interface TestSchema extends AsyncDisposable {
  readonly schema: string;
  /** The server URL with `?schema=` set. */
  readonly url: string;
  /** Whether it came ready from the pool (else it was created on demand). */
  readonly pooled: boolean;
  /** Gives the schema up; it is recycled or dropped in the background. `await using` calls it too. */
  release(): Promise<void>;
  /** Gives the schema up and waits until it is recycled or dropped (or left, reported, because another session locks it). */
  drop(): Promise<void>;
}

/**
 * The only code that creates and drops test schemas. One owner session per
 * instance proves its schemas alive (owner-session.ts); a small pool of work
 * connections builds, recycles and drops them, so that background work never
 * delays a hand-out.
 */
export class SchemaProvisioner {
  readonly runId: string;
  readonly prefix: string;
  readonly recycle: boolean;
  private readonly fingerprint: string;
  private readonly builder: SchemaBuilder;
  private readonly pool: ReadyPool;
  private readonly releases: ReleaseQueue;
  /** Schemas handed out by acquire() and not given up yet: with recycling, they come back to the pool. */
  private readonly handedOut = new Set<string>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly options: SchemaProvisionerOptions,
    runId: string,
    private readonly owner: OwnerSession,
    private readonly work: pg.Pool,
  ) {
    const migrator = options.migrator ?? prismaMigrationsMigrator();
    this.runId = runId;
    const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
    this.recycle = poolSize > 0 && (options.recycle ?? true);
    this.prefix = validatePrefix(options.prefix ?? TEST_SCHEMA_PREFIX);
    this.fingerprint = migrator.hash();
    const recycler = new SchemaRecycler({ compareCatalog: !options.unsafeRecycleWithoutCatalogCheck });
    const common = { owner, work, fingerprint: this.fingerprint, runId: this.runId, prefix: this.prefix, log: options.log };
    this.builder = new SchemaBuilder({ work, migrator, recycler, fingerprint: this.fingerprint, runId: this.runId });
    const comingBack = () => (this.recycle ? this.handedOut.size + this.releases.pending : 0);
    this.pool = new ReadyPool({ ...common, builder: this.builder, size: poolSize, comingBack });
    this.releases = new ReleaseQueue({ ...common, pool: this.pool, recycler, recycle: this.recycle });
  }

  static async open(options: SchemaProvisionerOptions): Promise<SchemaProvisioner> {
    const runId = options.runId || process.env.ATTUNE_TEST_RUN_ID || generateRunId();
    const applicationName = provisionerApplicationName(runId);
    const owner = await OwnerSession.open(options.url, { unref: options.unref, applicationName });
    const work = new pg.Pool({
      ...provisionerConnectionConfig(options.url, applicationName),
      max: 3,
      // The owner connection above proved the server answers; here the wait is
      // mostly for a free slot while builds run, which on a loaded machine can
      // take longer than the 5 s connect timeout.
      connectionTimeoutMillis: 60_000,
      allowExitOnIdle: options.unref ?? false,
    });
    work.on("error", () => {});
    // Busy connections too: a worker told to exit mid-build must not wait for
    // it. The server rolls the build back; the next sweep reaps what it left.
    if (options.unref) work.on("acquire", unrefConnection);
    return new SchemaProvisioner(options, runId, owner, work);
  }

  get poolSize(): number {
    return this.pool.size;
  }

  /** What became of this instance's released schemas. */
  get releaseStats(): ReleaseStats {
    return this.releases.stats;
  }

  /** A migrated schema for the caller's exclusive use: from the pool when one is ready, else built now. */
  async acquire(): Promise<TestSchema> {
    let claimed = await this.pool.claim();
    if (!claimed && this.recycle && this.releases.pending > 0) {
      // A schema being recycled is ready in ~25-50 ms; building one takes several times that.
      await Promise.race([this.releases.nextRecycled(), new Promise((resolve) => setTimeout(resolve, RECYCLE_WAIT_MS).unref())]);
      claimed = await this.pool.claim();
    }
    const schema = claimed ? this.handle(claimed, true) : await this.create();
    this.handedOut.add(schema.schema);
    return schema;
  }

  /** Creates and migrates a new schema now (never from the pool). */
  async create(): Promise<TestSchema> {
    const schema = generateTestSchemaName(this.prefix);
    await this.owner.hold(USE_LOCK_CLASS, schema);
    try {
      await this.builder.build(schema, "in_use");
    } catch (error) {
      await this.owner.letGo(USE_LOCK_CLASS, schema).catch(() => {});
      throw error;
    }
    return this.handle(schema, false);
  }

  /**
   * Reserves a fresh schema name, registered and protected as in use, without
   * creating the schema: for callers that create or migrate it themselves.
   * Releasing it drops the schema if it was created.
   */
  async reserve(): Promise<TestSchema> {
    const schema = generateTestSchemaName(this.prefix);
    await this.owner.hold(USE_LOCK_CLASS, schema);
    await this.work.query(
      `INSERT INTO ${REGISTRY_TABLE} (name, fingerprint, state, run_id, host, pid, claimed_at)
       VALUES ($1, $2, 'reserved', $3, $4, $5, now())`,
      [schema, this.fingerprint, this.runId, os.hostname(), process.pid],
    );
    return this.handle(schema, false);
  }

  /** Builds ready schemas until the pool holds its size (two at a time); returns how many it built. */
  fill(target?: number): Promise<number> {
    return this.pool.fill(target);
  }

  /** Ready schemas of this run and fingerprint, from any of the run's processes. */
  readyCount(): Promise<number> {
    return this.pool.readyCount();
  }

  /**
   * Gives up a schema: marked released in one round trip, then recycled or
   * dropped in the background (off the caller's critical path); the returned
   * promise resolves after the round trip. With `keep`, it is marked kept
   * instead and left for inspection (`cleanup-test-schemas --include-kept`
   * removes it).
   */
  async release(schema: string, options: { keep?: boolean } = {}): Promise<void> {
    await this.giveUp(schema, options);
  }

  /** Drops schemas whose owners are gone (default: every registered orphan with the prefix). */
  async reap(options: ReapOptions = {}): Promise<ReapReport> {
    const client = await this.work.connect();
    try {
      return await reapTestSchemas(client, { prefix: this.prefix, ...options });
    } finally {
      client.release();
    }
  }

  /** Waits for background builds, recycling and drops. */
  async idle(): Promise<void> {
    await Promise.all([this.pool.idle(), this.releases.idle()]);
  }

  /**
   * Stops background work and waits for it (at most CLOSE_TIMEOUT_MS), then
   * closes the owner session (its liveness locks go with it) and the work
   * connections. Anything abandoned is rolled back by the server and reaped
   * by the next sweep.
   */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.pool.close();
      this.releases.close();
      const timer = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
      await Promise.race([this.idle(), timer]);
      await this.owner.end();
      await endPoolWithin(this.work);
    })());
  }

  /** Marks the schema given up (one round trip); `processed` settles once it is recycled or dropped. */
  /** `await using provisioner = await SchemaProvisioner.open(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async giveUp(schema: string, options: { keep?: boolean }): Promise<{ processed: Promise<void> }> {
    await this.owner.release(schema, options.keep ? "kept" : "released");
    this.handedOut.delete(schema);
    return { processed: options.keep ? Promise.resolve() : this.releases.enqueue(schema) };
  }

  private handle(schema: string, pooled: boolean): TestSchema {
    let given: Promise<{ processed: Promise<void> }> | undefined;
    const giveUp = () => (given ??= this.giveUp(schema, {}));
    return {
      schema,
      url: withSchema(this.options.url, schema),
      pooled,
      release: async () => void (await giveUp()),
      drop: async () => (await giveUp()).processed,
      [Symbol.asyncDispose]: async () => void (await giveUp()),
    };
  }
}
