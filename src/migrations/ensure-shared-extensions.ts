import type pg from "pg";
import { EXTENSIONS_SCHEMA } from "../client/shared-schemas.ts";
import { quoteSchema } from "../schema/schema-name.ts";
import { runDatabaseSetup } from "./database-setup.ts";

const EXTENSIONS = ["pgcrypto", "uuid-ossp"];

/**
 * Creates the database-wide extensions schema and extensions once, under a
 * lock: parallel `CREATE EXTENSION IF NOT EXISTS` from many schemas' first
 * migration would otherwise race on the catalog's unique index. Afterwards the
 * migration's own `IF NOT EXISTS` statements are no-ops.
 */
export async function ensureSharedExtensions(client: pg.ClientBase): Promise<void> {
  const present = await client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_extension WHERE extname = ANY($1)",
    [EXTENSIONS],
  );
  if (present.rows[0]?.n === EXTENSIONS.length) return;
  await runDatabaseSetup(client, [
    `CREATE SCHEMA IF NOT EXISTS ${quoteSchema(EXTENSIONS_SCHEMA)}`,
    ...EXTENSIONS.map((extension) => `CREATE EXTENSION IF NOT EXISTS "${extension}" WITH SCHEMA ${quoteSchema(EXTENSIONS_SCHEMA)}`),
  ]);
}
