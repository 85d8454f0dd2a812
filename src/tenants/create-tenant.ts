import { withPgClient } from "../client/connect-pg-client.ts";
import { SHARED_SCHEMAS } from "../client/shared-schemas.ts";
import { TenantError } from "../errors/tenant-error.ts";
import { migrateSchema } from "../migrations/migrate.ts";
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from "../migrations/migration-files.ts";
import { REGISTRY_SCHEMA } from "../provisioner/test-schema-registry.ts";
import { TEST_SCHEMA_PREFIX } from "../provisioner/test-schema-name.ts";
import { validateSchemaName } from "../schema/schema-name.ts";
import { tenantServerUrl } from "./list-tenants.ts";
import { TENANT_REGISTRY_SCHEMA, TENANT_REGISTRY_TABLE, ensureTenantRegistry } from "./tenant-registry.ts";
import type { TenantOptions } from "./tenant-options.ts";

export interface CreateTenantResult {
  readonly name: string;
  /** False when the tenant was already registered (then this call only brought it up to date). */
  readonly registered: boolean;
  /** Migrations applied by this call. */
  readonly applied: readonly string[];
}

/**
 * Registers `name` as a tenant, creates its schema and applies every migration
 * (each in its own transaction). Refuses names that are not valid schema
 * names, that test schemas or attune-db itself use, and schemas that already
 * exist without being a tenant (a tenant's schema may later be dropped, so it
 * must be one this made). Calling it again for a registered tenant migrates it.
 */
export async function createTenant(name: string, options: TenantOptions = {}): Promise<CreateTenantResult> {
  const tenant = validateTenantName(name);
  const files = readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  return withPgClient(tenantServerUrl(options.url), tenant, async (client) => {
    await ensureTenantRegistry(client);
    await client.query("BEGIN");
    let registered: boolean;
    try {
      // The primary key serializes two creates of one name; the loser sees the row and only migrates.
      const inserted = await client.query(`INSERT INTO ${TENANT_REGISTRY_TABLE} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [tenant]);
      registered = inserted.rowCount === 1;
      const exists = await client.query<{ ok: boolean }>("SELECT to_regnamespace($1) IS NOT NULL AS ok", [tenant]);
      if (registered && exists.rows[0]!.ok) {
        throw new TenantError(`Schema "${tenant}" already exists and is not a tenant; refusing to adopt it (choose another name)`, tenant);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
    const { applied } = await migrateSchema(client, tenant, files);
    return { name: tenant, registered, applied };
  });
}

const RESERVED = new Set([...SHARED_SCHEMAS, REGISTRY_SCHEMA, TENANT_REGISTRY_SCHEMA]);

/** A valid schema name that is neither a test schema's nor one attune-db uses itself. */
export function validateTenantName(name: unknown): string {
  const tenant = validateSchemaName(name);
  if (tenant.startsWith(TEST_SCHEMA_PREFIX)) {
    throw new TenantError(`Tenant name "${tenant}" starts with "${TEST_SCHEMA_PREFIX}", the prefix of test schemas`, tenant);
  }
  if (RESERVED.has(tenant)) throw new TenantError(`Schema "${tenant}" is used by attune-db itself and cannot be a tenant`, tenant);
  return tenant;
}
