import type pg from "pg";
import { lockDatabaseSetup } from "../migrations/migration-lock.ts";
import { quoteSchema } from "../schema/schema-name.ts";

/**
 * Database-wide bookkeeping of test schemas, in its own schema so that no
 * test schema's search_path ever sees it. One row per test schema, written in
 * the same transaction that builds the schema: a schema whose build did not
 * commit has no row and does not exist.
 */
export const REGISTRY_SCHEMA = "attune_test_registry";
export const REGISTRY_TABLE = `${quoteSchema(REGISTRY_SCHEMA)}."test_schema"`;

export type TestSchemaState = "ready" | "in_use" | "released" | "kept";

export interface RegistryRow {
  readonly name: string;
  readonly fingerprint: string;
  readonly state: TestSchemaState;
  readonly run_id: string;
  readonly created_at: Date;
}

const CREATE_REGISTRY = `
CREATE SCHEMA IF NOT EXISTS ${quoteSchema(REGISTRY_SCHEMA)};
CREATE TABLE IF NOT EXISTS ${REGISTRY_TABLE} (
  name        text PRIMARY KEY,
  fingerprint text NOT NULL,
  state       text NOT NULL CHECK (state IN ('ready', 'in_use', 'released', 'kept')),
  run_id      text NOT NULL,
  host        text NOT NULL,
  pid         integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  claimed_at  timestamptz
);
-- Structure digest taken when the schema was built (see schema-recycler.ts); added after 0.1.
ALTER TABLE ${REGISTRY_TABLE} ADD COLUMN IF NOT EXISTS digest text;
CREATE INDEX IF NOT EXISTS test_schema_pool_idx ON ${REGISTRY_TABLE} (fingerprint, created_at) WHERE state = 'ready';
CREATE INDEX IF NOT EXISTS test_schema_run_idx ON ${REGISTRY_TABLE} (run_id);`;

/** Creates the registry once per database (under a lock: concurrent runs race otherwise). */
export async function ensureRegistry(client: pg.ClientBase): Promise<void> {
  const exists = await client.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'digest' AND NOT attisdropped) AS ok`,
    [REGISTRY_TABLE],
  );
  if (exists.rows[0]?.ok) return;
  await client.query("BEGIN");
  try {
    await lockDatabaseSetup(client);
    await client.query(CREATE_REGISTRY);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
