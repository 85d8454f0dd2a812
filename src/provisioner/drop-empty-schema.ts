import type pg from "pg";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { lockSchemaForMigration } from "../migrations/migration-lock.ts";
import { dropSchemasInTransaction } from "./drop-schemas.ts";
import { describeHolder } from "./lock-holders.ts";

/**
 * Drops `schema` only if none of its tables holds a row (its migration
 * history aside): how a tool that created a schema removes it again without
 * taking data someone else wrote meanwhile. Runs under the schema's migration
 * lock (no migration of it runs at the same time) and through the bounded
 * drop of drop-schemas.ts. Returns false (and drops nothing) when the schema
 * has rows; throws when another session holds a lock on it.
 */
export async function dropEmptySchema(client: pg.ClientBase, schema: string): Promise<boolean> {
  await client.query("BEGIN");
  try {
    await lockSchemaForMigration(client, schema);
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c
        WHERE c.relnamespace = to_regnamespace($1) AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
          AND query_to_xml(format('SELECT 1 FROM %I.%I LIMIT 1', $1::text, c.relname), false, true, '')::text <> ''`,
      [schema],
    );
    if (rows.length > 0) {
      await client.query("ROLLBACK");
      return false;
    }
    const { blocked } = await dropSchemasInTransaction(client, [schema]);
    if (blocked.length > 0) {
      throw new AttuneDbError(
        `Schema "${schema}" was not dropped: it is locked by ${blocked[0]!.holders.map(describeHolder).join("; ")}`,
      );
    }
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
