import type pg from "pg";

/** First key of every attune-db advisory lock ("attu"); the second says on what. */
const LOCK_CLASS = 0x61747475;

/**
 * Session-level advisory lock serialising migrations of one schema: it spans
 * the run's many transactions (one per migration). Release it with
 * {@link unlockSchemaForMigration}; a session that dies releases it too.
 */
export async function lockSchemaForMigration(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query("SELECT pg_advisory_lock($1, hashtext($2))", [LOCK_CLASS, `migrate:${schema}`]);
}

export async function unlockSchemaForMigration(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query("SELECT pg_advisory_unlock($1, hashtext($2))", [LOCK_CLASS, `migrate:${schema}`]);
}

/** Transaction-level advisory lock for database-wide setup (shared extensions schema). */
export async function lockDatabaseSetup(client: pg.ClientBase): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_CLASS, "database-setup"]);
}
