import { withPgClient } from "../client/connect-pg-client.ts";
import { useDatabaseServer, type DatabaseServer } from "../embedded/database-server.ts";
import { SchemaProvisioner } from "../provisioner/schema-provisioner.ts";
import { generateRunId } from "../provisioner/run-id.ts";
import { describeHolder } from "../provisioner/lock-holders.ts";
import { RUN_MANAGED_VARIABLE } from "./worker-provisioner.ts";

export interface AttuneDbRun {
  readonly server: DatabaseServer;
  readonly provisioner: SchemaProvisioner;
}

declare global {
  // eslint-disable-next-line no-var
  var __attuneDbRun: AttuneDbRun | undefined;
}

const log = (line: string) => console.log(`[attune-db] ${line}`);

/**
 * Jest globalSetup (`attune-db/jest-global-setup`): once per run, before any
 * worker starts. Starts the embedded PostgreSQL when DATABASE_URL is unset,
 * labels the run, sweeps schemas left by crashed runs, and warms the pool.
 * Workers inherit DATABASE_URL and ATTUNE_TEST_RUN_ID.
 */
export default async function globalSetup(): Promise<void> {
  process.stdout.write("\n");
  const server = await useDatabaseServer({ log });
  try {
    process.env.DATABASE_URL = server.url;
    process.env.ATTUNE_TEST_RUN_ID ||= generateRunId();
    process.env[RUN_MANAGED_VARIABLE] = process.env.ATTUNE_TEST_RUN_ID;
    const provisioner = await SchemaProvisioner.open({ url: server.url, runId: process.env.ATTUNE_TEST_RUN_ID, log });
    globalThis.__attuneDbRun = { server, provisioner };

    await warnIfAutovacuumOff(server.url);
    const started = Date.now();
    const swept = await provisioner.reap();
    if (swept.dropped.length > 0) log(`dropped ${swept.dropped.length} orphaned test schema(s) of crashed runs`);
    for (const { schema, holders } of swept.blocked) {
      log(`orphaned test schema ${schema} is locked by ${holders.map(describeHolder).join("; ") || "another session"}: left for a later sweep`);
    }
    const built = await provisioner.fill();
    if (built > 0) log(`pool: ${built} ready schema(s) prepared in ${Date.now() - started} ms`);
  } catch (error) {
    await globalThis.__attuneDbRun?.provisioner.close();
    await server.release();
    throw error;
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
