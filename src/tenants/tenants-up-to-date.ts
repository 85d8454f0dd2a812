import type pg from "pg";
import type { MigrationFile } from "../migrations/migration-files.ts";
import { sqlLiteral } from "../migrations/prisma-migrations-table.ts";
import { quoteSchema } from "../schema/schema-name.ts";

/** Tenants read per query (a UNION ALL over their `_prisma_migrations`). */
const BATCH = 200;

/**
 * Which of `tenants` have exactly `files` applied (same names, same checksums,
 * nothing failed), read on one connection without locking anything. Those need
 * no migration, so a re-run of `migrateTenants` opens no connection for them;
 * every other tenant goes through `migrateSchema`, which applies or explains.
 */
export async function tenantsUpToDate(client: pg.ClientBase, tenants: readonly string[], files: readonly MigrationFile[]): Promise<Set<string>> {
  const withTable = (
    await client.query<{ name: string }>(
      `SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(format('%I._prisma_migrations', name)) IS NOT NULL`,
      [[...tenants]],
    )
  ).rows.map((r) => r.name);
  const expected = new Map(files.map((f) => [f.name, f.checksum]));
  const upToDate = new Set<string>();
  for (let i = 0; i < withTable.length; i += BATCH) {
    const batch = withTable.slice(i, i + BATCH);
    const sql = batch
      .map((t) => `SELECT ${sqlLiteral(t)} AS tenant, migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM ${quoteSchema(t)}."_prisma_migrations"`)
      .join("\nUNION ALL\n");
    const rows = (await client.query<{ tenant: string; migration_name: string; checksum: string; finished: boolean; rolled_back: boolean }>(sql)).rows;
    const byTenant = new Map<string, typeof rows>(batch.map((t) => [t, []]));
    for (const row of rows) byTenant.get(row.tenant)!.push(row);
    for (const [tenant, applied] of byTenant) {
      const finished = applied.filter((r) => r.finished);
      const ok =
        applied.every((r) => r.finished || r.rolled_back) &&
        finished.length === expected.size &&
        finished.every((r) => expected.get(r.migration_name) === r.checksum);
      if (ok) upToDate.add(tenant);
    }
  }
  return upToDate;
}
