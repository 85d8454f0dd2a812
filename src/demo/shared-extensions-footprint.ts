import type pg from "pg";
import { EXTENSIONS_SCHEMA } from "../client/shared-schemas.ts";
import { quoteSchema } from "../schema/schema-name.ts";

/** Whether the shared extensions schema exists, and which extensions live in it. */
export interface SharedExtensionsFootprint {
  readonly schemaExists: boolean;
  readonly extensions: readonly string[];
}

export async function readSharedExtensionsFootprint(client: pg.ClientBase): Promise<SharedExtensionsFootprint> {
  const { rows } = await client.query<{ schema_exists: boolean; extensions: string[] }>(
    `SELECT to_regnamespace($1) IS NOT NULL AS schema_exists,
            ARRAY(SELECT extname::text FROM pg_extension WHERE extnamespace = to_regnamespace($1) ORDER BY 1) AS extensions`,
    [EXTENSIONS_SCHEMA],
  );
  return { schemaExists: rows[0]!.schema_exists, extensions: rows[0]!.extensions };
}

/**
 * Drops the shared extensions schema and its extensions, when `before` shows
 * they did not exist, so that the demo leaves the database as it found it.
 * Nothing is dropped while any function elsewhere still pins `extensions` on
 * its search_path (another attune schema, migrated meanwhile, uses them), and
 * the drops are RESTRICT, so an object that depends on an extension (a column
 * default, say) keeps it too. Returns whether it dropped the schema.
 */
export async function dropSharedExtensionsIfCreated(client: pg.ClientBase, before: SharedExtensionsFootprint): Promise<boolean> {
  if (before.schemaExists) return false;
  await client.query("BEGIN");
  try {
    const users = await client.query(
      `SELECT 1 FROM pg_proc, unnest(proconfig) AS setting
        WHERE pronamespace <> to_regnamespace($1) AND setting LIKE 'search\\_path=%' AND setting ~ ('\\m' || $1 || '\\M')
        LIMIT 1`,
      [EXTENSIONS_SCHEMA],
    );
    if (users.rowCount !== 0) {
      await client.query("ROLLBACK");
      return false;
    }
    const { extensions } = await readSharedExtensionsFootprint(client);
    for (const extension of extensions) await client.query(`DROP EXTENSION "${extension.replace(/"/g, '""')}" RESTRICT`);
    await client.query(`DROP SCHEMA ${quoteSchema(EXTENSIONS_SCHEMA)} RESTRICT`);
    await client.query("COMMIT");
    return true;
  } catch {
    await client.query("ROLLBACK").catch(() => {});
    return false;
  }
}
