import { withPgClient } from "../client/connect-pg-client.ts";
import { useDatabaseServer, type DatabaseServer } from "../embedded/database-server.ts";
import { describeHolder } from "../provisioner/lock-holders.ts";
import { reapTestSchemas } from "../provisioner/reap-test-schemas.ts";
import { generateRunId } from "../provisioner/run-id.ts";
import { SchemaProvisioner } from "../provisioner/schema-provisioner.ts";
import { REGISTRY_SCHEMA } from "../provisioner/test-schema-registry.ts";
import { waitForRunSessions } from "../provisioner/wait-for-run-sessions.ts";
import { parseTestFileOptions, type TestFileOptions } from "./test-file-options.ts";
import { RUN_MANAGED_VARIABLE, closeWorkerProvisioner } from "./worker-provisioner.ts";

/** What a test run's global setup started, for its global teardown. */
export interface TestRun {
  readonly server: DatabaseServer;
  readonly provisioner: SchemaProvisioner;
}

const KEY = Symbol.for("attune-db.testRun");
const holder = globalThis as { [KEY]?: TestRun };

const log = (line: string) => console.log(`[attune-db] ${line}`);

/**
 * Once per run, before any worker starts (Jest's globalSetup, Vitest's global
 * setup): starts the embedded PostgreSQL when DATABASE_URL is unset, labels
 * the run, sweeps schemas left by crashed runs, and warms the pool. Workers
 * inherit DATABASE_URL, ATTUNE_TEST_RUN_ID and the managed-run marker.
 * `options`: the run's configured test options (Jest's testEnvironmentOptions.attuneDb).
 */
export async function startTestRun(options: Pick<TestFileOptions, "poolSize" | "recycle"> = parseTestFileOptions({})): Promise<TestRun> {
  process.stdout.write("\n");
  const server = await useDatabaseServer({ log });
  try {
    process.env.DATABASE_URL = server.url;
    process.env.ATTUNE_TEST_RUN_ID ||= generateRunId();
    process.env[RUN_MANAGED_VARIABLE] = process.env.ATTUNE_TEST_RUN_ID;
    const { poolSize, recycle } = options;
    const provisioner = await SchemaProvisioner.open({ url: server.url, runId: process.env.ATTUNE_TEST_RUN_ID, log, poolSize, recycle });
    const run = (holder[KEY] = { server, provisioner });

    await warnIfAutovacuumOff(server.url);
    const started = Date.now();
    const swept = await provisioner.reap();
    if (swept.dropped.length > 0) log(`dropped ${swept.dropped.length} orphaned test schema(s) of crashed runs`);
    for (const { schema, holders } of swept.blocked) {
      log(`orphaned test schema ${schema} is locked by ${holders.map(describeHolder).join("; ") || "another session"}: left for a later sweep`);
    }
    const built = await provisioner.fill();
    if (built > 0) log(`pool: ${built} ready schema(s) prepared in ${Date.now() - started} ms`);
    return run;
  } catch (error) {
    await holder[KEY]?.provisioner.close();
    holder[KEY] = undefined;
    await server.release();
    throw error;
  }
}

/**
 * After every worker has exited: drops every schema this run created (kept
 * ones excepted) and stops what `startTestRun` started. Bounded: a schema
 * another session holds a lock on is named with that session and left for a
 * later sweep.
 */
export async function endTestRun(): Promise<void> {
  const run = holder[KEY];
  if (!run) return;
  holder[KEY] = undefined;
  delete process.env[RUN_MANAGED_VARIABLE];
  try {
    await closeWorkerProvisioner();
    await run.provisioner.close();
    const report = await withPgClient(run.server.url, REGISTRY_SCHEMA, async (client) => {
      await waitForRunSessions(client, run.provisioner.runId);
      return reapTestSchemas(client, { runId: run.provisioner.runId });
    });
    for (const { schema, holders } of report.blocked) {
      console.warn(
        `[attune-db] left test schema ${schema} in place: it is locked by ${holders.map(describeHolder).join("; ") || "another session"}; ` +
          "a later run's sweep (or npx attune-db cleanup-test-schemas) drops it once the lock is gone",
      );
    }
    for (const { schema, message } of report.errors) console.warn(`[attune-db] could not drop ${schema}: ${message}`);
    if (report.skippedAlive.length > 0) {
      console.warn(`[attune-db] ${report.skippedAlive.length} schema(s) of this run are still in use: ${report.skippedAlive.join(", ")}`);
    }
  } finally {
    await run.server.release();
  }
}

/**
 * Every run creates and drops many schemas; without autovacuum the system
 * catalogs keep every dead row, and catalog reads (recycling, reaping) slow
 * down run after run (measured: pg_attribute at 419 MB, one schema's
 * structure digest 0.8-1.8 s instead of ~80 ms).
 */
async function warnIfAutovacuumOff(url: string): Promise<void> {
  const setting = await withPgClient(url, "public", async (client) => (await client.query<{ autovacuum: string }>("SHOW autovacuum")).rows[0]?.autovacuum);
  if (setting === "off") {
    log(
      "autovacuum is off on this server: the system catalogs grow with every test run and slow it down; " +
        "turn it on, or now and then run VACUUM FULL on pg_class, pg_attribute, pg_depend, pg_constraint, pg_type and pg_index",
    );
  }
}
