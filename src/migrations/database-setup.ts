import pg from "pg";
import { lockDatabaseSetup } from "./migration-lock.ts";

/**
 * Runs database-wide setup DDL (`CREATE SCHEMA/TABLE/EXTENSION IF NOT EXISTS`
 * of the shared extensions and the registries) in one transaction under the
 * database setup lock, so that concurrent first calls do not race on the
 * catalogs' unique indexes. Even so, four tenants created at once on a new
 * database once failed with "duplicate key value violates unique constraint
 * pg_namespace_nspname_index" inside the locked setup (PostgreSQL 18; not
 * explained, not reproduced on a schema of our own): such a duplicate is
 * retried once in a new transaction, which finds everything in place.
 * tests/foundation/database-setup-race.test.ts runs the case that failed.
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
