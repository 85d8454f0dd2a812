import { withPgClient } from "../client/connect-pg-client.ts";
import { TenantError } from "../errors/tenant-error.ts";
import { dropSchemasInTransaction } from "../provisioner/drop-schemas.ts";
import { describeHolder } from "../provisioner/lock-holders.ts";
import { validateSchemaName } from "../schema/schema-name.ts";
import { tenantServerUrl } from "./list-tenants.ts";
import { TENANT_REGISTRY_SCHEMA, TENANT_REGISTRY_TABLE, ensureTenantRegistry } from "./tenant-registry.ts";
import type { TenantOptions } from "./tenant-options.ts";

/**
 * Drops a registered tenant's schema, with everything in it, and its registry
 * row, in one transaction. Refuses ({@link TenantError}) any schema that is not
 * a registered tenant, and a tenant another session holds locks on (a DROP
 * would queue behind it); waits are bounded and the drop takes a DDL slot
 * (see `dropSchemasInTransaction`).
 */
export async function dropTenant(name: string, options: Pick<TenantOptions, "url"> = {}): Promise<void> {
  const tenant = validateSchemaName(name);
  await withPgClient(tenantServerUrl(options.url), TENANT_REGISTRY_SCHEMA, async (client) => {
    await ensureTenantRegistry(client);
    await client.query("BEGIN");
    try {
      const row = await client.query(`SELECT 1 FROM ${TENANT_REGISTRY_TABLE} WHERE name = $1 FOR UPDATE`, [tenant]);
      if (row.rowCount === 0) throw new TenantError(`Schema "${tenant}" is not a registered tenant; refusing to drop it`, tenant);
      const { blocked } = await dropSchemasInTransaction(client, [tenant]);
      if (blocked.length > 0) {
        const holders = blocked[0]!.holders.map(describeHolder).join("; ") || "another session";
        throw new TenantError(`Tenant "${tenant}" is in use (${holders}); not dropped, try again later`, tenant);
      }
      await client.query(`DELETE FROM ${TENANT_REGISTRY_TABLE} WHERE name = $1`, [tenant]);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  });
}
