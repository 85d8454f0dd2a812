import type pg from "pg";
import { runDatabaseSetup } from "../migrations/database-setup.ts";
import { quoteSchema } from "../schema/schema-name.ts";

/**
 * Database-wide list of tenant schemas, in its own schema (apart from the test
 * registry, `attune_test_registry`): tenant commands act only on schemas with a
 * row here, and test sweeps only on schemas registered there, so neither ever
 * touches the other's schemas. A row is written before its schema is created
 * and deleted in the transaction that drops it.
 */
export const TENANT_REGISTRY_SCHEMA = "attune_tenant_registry";
export const TENANT_REGISTRY_TABLE = `${quoteSchema(TENANT_REGISTRY_SCHEMA)}."tenant"`;

const TENANT_REGISTRY_DDL: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${quoteSchema(TENANT_REGISTRY_SCHEMA)}`,
  `CREATE TABLE IF NOT EXISTS ${TENANT_REGISTRY_TABLE} (
     name       text PRIMARY KEY,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
];

/** Creates the registry once per database (under the setup lock: concurrent first calls race otherwise). */
export async function ensureTenantRegistry(client: pg.ClientBase): Promise<void> {
  const present = await client.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [TENANT_REGISTRY_TABLE]);
  if (present.rows[0]?.ok) return;
  await runDatabaseSetup(client, TENANT_REGISTRY_DDL);
}
