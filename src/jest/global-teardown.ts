import { withPgClient } from "../client/connect-pg-client.ts";
import { describeHolder } from "../provisioner/lock-holders.ts";
import { reapTestSchemas } from "../provisioner/reap-test-schemas.ts";
import { REGISTRY_SCHEMA } from "../provisioner/test-schema-registry.ts";
import { waitForRunSessions } from "../provisioner/wait-for-run-sessions.ts";
import { closeWorkerProvisioner } from "./worker-provisioner.ts";

/**
 * Jest globalTeardown (`attune-db/jest-global-teardown`): after every worker
 * has exited, drops every schema this run created (kept ones excepted) and
 * stops what globalSetup started. Bounded: a schema another session holds a
 * lock on is named with that session and left for a later sweep.
 */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis.__attuneDbRun;
  if (!run) return;
  globalThis.__attuneDbRun = undefined;
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
