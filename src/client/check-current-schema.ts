import type pg from "pg";
import { SchemaNotInEffectError } from "../errors/schema-not-in-effect-error.ts";

/**
 * A pg-pool `onConnect` hook: until one connection of the pool has shown that
 * `current_schema()` is `schema`, each new connection checks it (one round
 * trip) and fails with {@link SchemaNotInEffectError} otherwise. After the
 * first success the hook costs nothing: every connection of a pool is opened
 * with the same settings.
 */
export function checkCurrentSchemaOnFirstConnection(schema: string): (client: pg.ClientBase) => Promise<void> {
  let verified = false;
  return async (client) => {
    if (verified) return;
    const { rows } = await client.query<{ current: string | null; search_path: string; schema_exists: boolean }>(
      "SELECT current_schema() AS current, current_setting('search_path') AS search_path, to_regnamespace($1) IS NOT NULL AS schema_exists",
      [schema],
    );
    const row = rows[0]!;
    if (row.current !== schema) throw new SchemaNotInEffectError(schema, row.current, row.search_path, row.schema_exists);
    verified = true;
  };
}
