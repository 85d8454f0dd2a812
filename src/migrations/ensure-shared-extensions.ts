import type pg from "pg";
import { EXTENSIONS_SCHEMA } from "../client/shared-schemas.ts";
import { quoteSchema } from "../schema/schema-name.ts";
import { lockDatabaseSetup } from "./migration-lock.ts";

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
  await client.query("BEGIN");
  try {
    await lockDatabaseSetup(client);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(EXTENSIONS_SCHEMA)}`);
    for (const extension of EXTENSIONS) {
      await client.query(`CREATE EXTENSION IF NOT EXISTS "${extension}" WITH SCHEMA ${quoteSchema(EXTENSIONS_SCHEMA)}`);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
