import pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { testSchema } from "../../src/testing/index.ts";

/** A pg connection with search_path on `schema` (default: the file's schema), closed after `work`. */
export async function withClient<T>(work: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  const { url, schema: fileSchema } = testSchema();
  const client = await connectPgClient(url, schema ?? fileSchema);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function tableNames(client: pg.ClientBase, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    "SELECT relname AS name FROM pg_class WHERE relnamespace = to_regnamespace($1) AND relkind = 'r' ORDER BY 1",
    [schema],
  );
  return rows.map((r) => r.name);
}
