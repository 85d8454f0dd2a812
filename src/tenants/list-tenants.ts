import type pg from "pg";
import { withPgClient } from "../client/connect-pg-client.ts";
import { resolveClientTarget } from "../config/resolve-client-target.ts";
import { TENANT_REGISTRY_SCHEMA, TENANT_REGISTRY_TABLE, ensureTenantRegistry } from "./tenant-registry.ts";
import type { TenantFilter, TenantOptions } from "./tenant-options.ts";

export interface TenantInfo {
  readonly name: string;
  readonly createdAt: Date;
  /** False when the schema was dropped by hand (the registry row outlived it). */
  readonly schemaExists: boolean;
}

/** The registered tenants (matching `filter`), by name. */
export async function listTenants(options: TenantOptions & { readonly filter?: TenantFilter } = {}): Promise<TenantInfo[]> {
  return withPgClient(tenantServerUrl(options.url), TENANT_REGISTRY_SCHEMA, (client) => selectTenants(client, options.filter));
}

export async function selectTenants(client: pg.ClientBase, filter: TenantFilter = {}): Promise<TenantInfo[]> {
  await ensureTenantRegistry(client);
  const { rows } = await client.query<{ name: string; created_at: Date; schema_exists: boolean }>(
    `SELECT name, created_at, to_regnamespace(name) IS NOT NULL AS schema_exists
       FROM ${TENANT_REGISTRY_TABLE}
      WHERE ($1::text IS NULL OR starts_with(name, $1))
        AND ($2::text[] IS NULL OR name = ANY($2))
      ORDER BY name`,
    [filter.prefix ?? null, filter.names ? [...filter.names] : null],
  );
  return rows.map((r) => ({ name: r.name, createdAt: r.created_at, schemaExists: r.schema_exists }));
}

/** The server URL the tenant commands connect to: `url`, else the configured one. */
export function tenantServerUrl(url: string | undefined): string {
  return resolveClientTarget({ url, schema: TENANT_REGISTRY_SCHEMA, maxConnections: 1 }).url;
}
