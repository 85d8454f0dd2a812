import type pg from "pg";
import { runDatabaseSetup } from "../migrations/database-setup.ts";
import { quoteSchema } from "../schema/schema-name.ts";

/**
 * Database-wide bookkeeping of test schemas, in its own schema so that no
 * test schema's search_path ever sees it. A schema is registered before it is
 * created (state `building`) and its row is deleted in the transaction that
 * drops it, so every schema attune-db made has a row: sweeps never touch a
 * schema without one (someone else made it).
 */
export const REGISTRY_SCHEMA = "attune_test_registry";
export const REGISTRY_TABLE = `${quoteSchema(REGISTRY_SCHEMA)}."test_schema"`;

/**
 * - `building`: being created and migrated (its builder holds its lock);
 * - `ready`: migrated, empty, waiting in the pool;
 * - `in_use`: handed out to a test file or test;
 * - `reserved`: a name handed out for a test to create itself (may not exist);
 * - `released`: given back, waiting to be recycled or dropped;
 * - `kept`: kept for inspection after a failure; only an explicit cleanup drops it.
 */
export type TestSchemaState = "building" | "ready" | "in_use" | "reserved" | "released" | "kept";

const STATES = "'building', 'ready', 'in_use', 'reserved', 'released', 'kept'";

/** Applied in order; each is idempotent, so older registries are upgraded in place. */
const REGISTRY_DDL: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${quoteSchema(REGISTRY_SCHEMA)}`,
  `CREATE TABLE IF NOT EXISTS ${REGISTRY_TABLE} (
     name        text PRIMARY KEY,
     fingerprint text NOT NULL,
     state       text NOT NULL,
     run_id      text NOT NULL,
     host        text NOT NULL,
     pid         integer NOT NULL,
     created_at  timestamptz NOT NULL DEFAULT now(),
     claimed_at  timestamptz
   )`,
  // Until 0.1: a names-only structure digest (unused since; kept for older versions sharing the database).
  `ALTER TABLE ${REGISTRY_TABLE} ADD COLUMN IF NOT EXISTS digest text`,
  // Versions of the schema's catalog rows and a digest of its _prisma_migrations rows, taken
  // when it was built (see catalog-versions.ts), and how often it has been recycled.
  `ALTER TABLE ${REGISTRY_TABLE} ADD COLUMN IF NOT EXISTS catalog_digest text,
     ADD COLUMN IF NOT EXISTS migrations_digest text,
     ADD COLUMN IF NOT EXISTS reuses integer NOT NULL DEFAULT 0`,
  `ALTER TABLE ${REGISTRY_TABLE} DROP CONSTRAINT IF EXISTS test_schema_state_check,
     ADD CONSTRAINT test_schema_state_check CHECK (state IN (${STATES}))`,
  `CREATE INDEX IF NOT EXISTS test_schema_pool_idx ON ${REGISTRY_TABLE} (fingerprint, created_at) WHERE state = 'ready'`,
  `CREATE INDEX IF NOT EXISTS test_schema_run_idx ON ${REGISTRY_TABLE} (run_id)`,
];

/** The newest column: its presence means the registry is up to date. */
const NEWEST_COLUMN = "reuses";

/** Creates or upgrades the registry once per database (under a lock: concurrent runs race otherwise). */
export async function ensureRegistry(client: pg.ClientBase): Promise<void> {
  const current = await client.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped) AS ok`,
    [REGISTRY_TABLE, NEWEST_COLUMN],
  );
  if (current.rows[0]?.ok) return;
  await runDatabaseSetup(client, REGISTRY_DDL);
}
