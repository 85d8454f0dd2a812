import pg from "pg";
import { lockDatabaseSetup } from "./migration-lock.ts";

/**
 * Runs database-wide setup DDL (`CREATE SCHEMA/TABLE/EXTENSION IF NOT EXISTS`
 * of the shared extensions and the registries) in one transaction under the
 * database setup lock, so that concurrent first calls do not race on the
 * catalogs' unique indexes. The lock alone is not enough: a backend that
 * looked the name up before another committed it keeps a stale "no such name"
 * in its catalog cache until it next processes invalidations (an advisory
 * lock does not), so its `IF NOT EXISTS` goes ahead and hits the unique index.
 * A new transaction processes them: the setup is retried once on such a
 * duplicate, and then finds everything in place.
 */
export async function runDatabaseSetup(client: pg.ClientBase, statements: readonly string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await client.query("BEGIN");
    try {
      await lockDatabaseSetup(client);
      for (const statement of statements) await client.query(statement);
      await client.query("COMMIT");
      return;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      if (attempt < 2 && isDuplicateCatalogEntry(error)) continue;
      throw error;
    }
  }
}

/** unique_violation on a catalog index, duplicate_schema, duplicate_table, duplicate_object. */
function isDuplicateCatalogEntry(error: unknown): boolean {
  return error instanceof pg.DatabaseError && ["23505", "42P06", "42P07", "42710"].includes(error.code ?? "");
}
