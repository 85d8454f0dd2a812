import pg from "pg";
import { describeServer, withoutSchema } from "../config/datasource-url.ts";
import { DatabaseUnreachableError } from "../errors/database-unreachable-error.ts";
import { applySessionSettings, assertSessionPooling, explainStartupRefusal, poolerFromUrl } from "./connection-pooler.ts";
import { connectionConfig, searchPath } from "./create-pg-pool.ts";

/**
 * Opens one pg connection with search_path set for `schema` (behind a session
 * pooler, by its first statement). A server that refuses or does not answer
 * within 5 s gives {@link DatabaseUnreachableError} naming host and port; a
 * pooler that refuses the startup parameters, a PoolerError saying what to
 * configure. `config` replaces the default connection settings.
 */
export async function connectPgClient(url: string, schema: string, config?: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config ?? { ...connectionConfig(url, schema), application_name: `attune-db:${schema}` });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (cause) {
    await client.end().catch(() => {});
    const explained = explainStartupRefusal(cause);
    if (explained !== cause) throw explained;
    const { host, port } = describeServer(url);
    throw new DatabaseUnreachableError(host, port, cause);
  }
  if (poolerFromUrl(url) === "pgbouncer-session") {
    try {
      await assertSessionPooling(withoutSchema(url));
      await applySessionSettings(client, { searchPath: searchPath(schema) });
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }
  return client;
}

/** Runs `work` on a fresh connection and always closes it. */
export async function withPgClient<T>(url: string, schema: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectPgClient(url, schema);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}
