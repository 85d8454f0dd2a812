import { loadDatabaseConfig } from "../config/load-database-config.ts";
import { startEmbeddedPostgres } from "./start-embedded-postgres.ts";

export interface DatabaseServer {
  /** Server URL (without `?schema=`). */
  readonly url: string;
  /** True when this call started a throwaway embedded PostgreSQL. */
  readonly embedded: boolean;
  /** Stops the embedded server (no-op for a configured one). */
  release(): Promise<void>;
}

/**
 * The configured `DATABASE_URL`, or, when it is unset, a freshly started
 * embedded PostgreSQL (stopped and deleted by `release()`).
 */
export async function useDatabaseServer(
  options: { readonly url?: string; readonly log?: (line: string) => void } = {},
): Promise<DatabaseServer> {
  const url = options.url ?? loadDatabaseConfig().url;
  if (url !== undefined) return { url, embedded: false, release: async () => {} };
  const started = Date.now();
  const server = await startEmbeddedPostgres();
  options.log?.(`DATABASE_URL is not set: started an embedded PostgreSQL on port ${server.port} (${Date.now() - started} ms)`);
  return { url: server.url, embedded: true, release: server.stop };
}
