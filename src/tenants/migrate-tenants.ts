import { withPgClient } from "../client/connect-pg-client.ts";
import { MigrationChecksumMismatchError } from "../errors/migration-checksum-mismatch-error.ts";
import { MigrationError } from "../errors/migration-error.ts";
import { migrateSchema } from "../migrations/migrate.ts";
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from "../migrations/migration-files.ts";
import { forEachBounded } from "../concurrency/for-each-bounded.ts";
import { selectTenants, tenantServerUrl } from "./list-tenants.ts";
import { TENANT_REGISTRY_SCHEMA } from "./tenant-registry.ts";
import { tenantsUpToDate } from "./tenants-up-to-date.ts";
import { DEFAULT_TENANT_CONCURRENCY, type BulkTenantOptions } from "./tenant-options.ts";

export type TenantMigrationOutcome =
  | {
      readonly tenant: string;
      readonly outcome: "migrated";
      readonly applied: readonly string[];
      /** Connect, lock, apply and record, in ms. */
      readonly durationMs: number;
    }
  | { readonly tenant: string; readonly outcome: "up-to-date" }
  | {
      readonly tenant: string;
      readonly outcome: "failed";
      /** The migration that failed (rolled back; the ones before it stay applied), when known. */
      readonly migration?: string;
      readonly error: string;
      readonly cause: unknown;
      readonly durationMs: number;
    };

export interface MigrateTenantsReport {
  readonly tenants: readonly TenantMigrationOutcome[];
  readonly migrated: number;
  readonly upToDate: number;
  readonly failed: number;
}

/**
 * Brings every registered tenant (or those matching `filter`) up to date,
 * `concurrency` at a time, one connection each. A failing tenant is reported
 * and the others go on; its failing migration was rolled back (each migration
 * is its own transaction), so a re-run after the fix resumes where it stopped,
 * and does not even connect to tenants already up to date (read in bulk first).
 */
export async function migrateTenants(options: BulkTenantOptions = {}): Promise<MigrateTenantsReport> {
  const url = tenantServerUrl(options.url);
  const files = readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const { tenants, upToDate } = await withPgClient(url, TENANT_REGISTRY_SCHEMA, async (client) => {
    const found = await selectTenants(client, options.filter);
    return { tenants: found, upToDate: await tenantsUpToDate(client, found.map((t) => t.name), files) };
  });
  let done = 0;
  const outcomes = await forEachBounded(tenants, options.concurrency ?? DEFAULT_TENANT_CONCURRENCY, async ({ name }) => {
    let outcome: TenantMigrationOutcome;
    if (upToDate.has(name)) {
      options.onProgress?.({ done: ++done, total: tenants.length, tenant: name });
      return { tenant: name, outcome: "up-to-date" } as const;
    }
    const started = performance.now();
    const durationMs = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      const { applied } = await withPgClient(url, name, (client) => migrateSchema(client, name, files));
      outcome =
        applied.length > 0 ? { tenant: name, outcome: "migrated", applied, durationMs: durationMs() } : { tenant: name, outcome: "up-to-date" };
    } catch (cause) {
      const migration = cause instanceof MigrationError || cause instanceof MigrationChecksumMismatchError ? cause.migration : undefined;
      const error = cause instanceof Error ? cause.message : String(cause);
      outcome = { tenant: name, outcome: "failed", ...(migration !== undefined && { migration }), error, cause, durationMs: durationMs() };
    }
    options.onProgress?.({ done: ++done, total: tenants.length, tenant: name });
    return outcome;
  });
  const count = (kind: TenantMigrationOutcome["outcome"]) => outcomes.filter((o) => o.outcome === kind).length;
  return { tenants: outcomes, migrated: count("migrated"), upToDate: count("up-to-date"), failed: count("failed") };
}
