import type pg from "pg";
import { provisionerApplicationName } from "./provisioner-connections.ts";

/** How long a run's teardown waits for its workers' sessions to end on the server. */
export const RUN_SESSIONS_TIMEOUT_MS = 5_000;

/**
 * Waits until no server session of the run's provisioners is left (Jest has
 * ended the workers, but their backends may still be shutting down, holding
 * their locks for a moment). Returns how many were still there at the end.
 */
export async function waitForRunSessions(client: pg.ClientBase, runId: string, timeoutMs = RUN_SESSIONS_TIMEOUT_MS): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
      [provisionerApplicationName(runId)],
    );
    if (rows[0]!.n === 0 || Date.now() > deadline) return rows[0]!.n;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
