import type pg from "pg";

/** First key of every attune-db advisory lock ("attu"); the second says on what. */
const LOCK_CLASS = 0x61747475;

/** Transaction-level advisory lock serialising migrations of one schema. */
export async function lockSchemaForMigration(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_CLASS, `migrate:${schema}`]);
}

/** Transaction-level advisory lock for database-wide setup (shared extensions schema). */
export async function lockDatabaseSetup(client: pg.ClientBase): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_CLASS, "database-setup"]);
}
