import { migrationStatus } from "../migrations/migration-status.ts";
import { forEachBounded } from "../concurrency/for-each-bounded.ts";
import { listTenants, tenantServerUrl } from "./list-tenants.ts";
import { DEFAULT_TENANT_CONCURRENCY, type BulkTenantOptions } from "./tenant-options.ts";

/**
 * - `up-to-date`: every migration applied, none changed since;
 * - `behind`: migrations pending (`migrateTenants` applies them);
 * - `edited`: an applied migration's file changed, or is gone from the folder (`migrateTenants` refuses it);
 * - `failed`: a migration is recorded as started and never finished (a failed `prisma migrate deploy`);
 * - `missing`: registered, but its schema does not exist;
 * - `error`: its status could not be read (`error` says why).
 * The first that applies, in the order missing, failed, edited, behind.
 */
export type TenantState = "up-to-date" | "behind" | "edited" | "failed" | "missing" | "error";

export interface TenantStatus {
  readonly tenant: string;
  readonly state: TenantState;
  readonly pending: readonly string[];
  /** Applied migrations whose file changed since, and applied ones absent from the folder. */
  readonly edited: readonly string[];
  readonly failed: readonly string[];
  readonly error?: string;
}

export interface TenantStatusReport {
  readonly tenants: readonly TenantStatus[];
  /** True when every tenant is up to date. */
  readonly upToDate: boolean;
}

/** The migration state of every registered tenant (or those matching `filter`). Reads only. */
export async function tenantStatus(options: BulkTenantOptions = {}): Promise<TenantStatusReport> {
  const url = tenantServerUrl(options.url);
  const tenants = await listTenants({ url, filter: options.filter });
  let done = 0;
  const statuses = await forEachBounded(tenants, options.concurrency ?? DEFAULT_TENANT_CONCURRENCY, async ({ name }) => {
    let status: TenantStatus;
    try {
      const s = await migrationStatus({ url, schema: name, migrationsDir: options.migrationsDir });
      const edited = [...s.applied.filter((m) => m.modified).map((m) => m.name), ...s.unknown];
      const state: TenantState = !s.schemaExists
        ? "missing"
        : s.failed.length > 0
          ? "failed"
          : edited.length > 0
            ? "edited"
            : s.pending.length > 0
              ? "behind"
              : "up-to-date";
      status = { tenant: name, state, pending: s.pending, edited, failed: s.failed };
    } catch (cause) {
      const error = cause instanceof Error ? cause.message : String(cause);
      status = { tenant: name, state: "error", pending: [], edited: [], failed: [], error };
    }
    options.onProgress?.({ done: ++done, total: tenants.length, tenant: name });
    return status;
  });
  return { tenants: statuses, upToDate: statuses.every((s) => s.state === "up-to-date") };
}
