import crypto from "node:crypto";
import { withoutSchema } from "../../src/config/datasource-url.ts";
import { TenantError } from "../../src/errors/tenant-error.ts";
import { lockSchemaForMigration } from "../../src/migrations/migration-lock.ts";
import { createTenant } from "../../src/tenants/create-tenant.ts";
import { dropTenant } from "../../src/tenants/drop-tenant.ts";
import { forEachBounded } from "../../src/concurrency/for-each-bounded.ts";
import { listTenants } from "../../src/tenants/list-tenants.ts";
import { migrateTenants, type MigrateTenantsReport } from "../../src/tenants/migrate-tenants.ts";
import { tenantStatus, type TenantStatusReport } from "../../src/tenants/tenant-status.ts";
import { testSchema } from "../../src/testing/index.ts";
import { runCli } from "../support/child-process.ts";
import { addMigration, copyMigrations } from "../support/migrations-copy.ts";
import { withClient } from "../support/pg.ts";

// One set of tenants, taken through their life by one test below.
// A prefix of this run's own keeps parallel files and runs apart.
const prefix = `tl_${crypto.randomBytes(4).toString("hex")}_`;
const TENANTS = Array.from({ length: 20 }, (_, i) => `${prefix}${String(i + 1).padStart(2, "0")}`);
const BROKEN = TENANTS[6]!;
const EDITED = TENANTS[2]!;
const PLAIN = `${prefix}plain`;
const WIDGET = "29990101000000_tenant_widget";
const NO_CONFIG = { DATABASE_URL: "", ATTUNE_DB_SCHEMA: "" };

const url = () => withoutSchema(testSchema().url);
const copy = copyMigrations();
const cli = (...args: string[]) => runCli(["tenants", ...args, "--url", url()], NO_CONFIG);
/** The same, as a CI job would run it: CI set (which never confirms a tenant drop). */
const cliInCi = (...args: string[]) => runCli(["tenants", ...args, "--url", url()], { ...NO_CONFIG, CI: "true" });
const inTenant = <T>(schema: string, sql: string) => withClient(async (client) => (await client.query(sql)).rows as T[], schema);
const schemaExists = (schema: string) =>
  withClient(async (client) => (await client.query("SELECT to_regnamespace($1) IS NOT NULL AS ok", [schema])).rows[0].ok as boolean);
const byState = (report: TenantStatusReport) => Object.fromEntries(report.tenants.map((t) => [t.tenant, t.state]));

afterAll(async () => {
  const left = await listTenants({ url: url(), filter: { prefix } });
  await forEachBounded(left, 4, ({ name }) => dropTenant(name, { url: url() }));
  await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${PLAIN}" CASCADE`));
  copy.remove();
});

describe("forEachBounded", () => {
  it("never runs more than `concurrency` at once, goes through every item, and keeps their order", async () => {
    let running = 0;
    let most = 0;
    const results = await forEachBounded([5, 1, 4, 2, 3, 0, 2], 3, async (ms) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running--;
      return ms * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 20]);
    expect(most).toBe(3);
    await expect(forEachBounded([1], 0, async () => 1)).rejects.toThrow(/concurrency must be a whole number/);
  });
});

describe("tenant lifecycle", () => {
  // One test: the steps build on each other (created, broken, repaired, edited, dropped), and
  // no other test depends on what they leave.
  it("takes tenants through their whole life, from create to drop", async () => {
    { // creates tenants (validated, registered, migrated), lists them, and reports them up to date
      const created = await forEachBounded(TENANTS, 4, (name) => createTenant(name, { url: url() }));
      expect(created.every((c) => c.registered && c.applied.length > 0)).toBe(true);
      expect((await listTenants({ url: url(), filter: { prefix } })).map((t) => t.name)).toEqual(TENANTS);

      const again = await createTenant(TENANTS[0]!, { url: url() });
      expect(again).toEqual({ name: TENANTS[0], registered: false, applied: [] });

      const status = await tenantStatus({ url: url(), filter: { prefix } });
      expect(status.upToDate).toBe(true);
      expect(status.tenants).toHaveLength(20);

      const listed = await cli("list", "--prefix", prefix, "--json");
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout).map((t: { name: string }) => t.name)).toEqual(TENANTS);
    }

    { // refuses names of test schemas, attune-db's own schemas, and existing schemas that are not tenants
      await expect(createTenant("test_tenant", { url: url() })).rejects.toThrow(TenantError);
      await expect(createTenant("attune_test_registry", { url: url() })).rejects.toThrow(TenantError);
      await expect(createTenant('a"b', { url: url() })).rejects.toThrow(/Invalid schema name/);
      await withClient((client) => client.query(`CREATE SCHEMA "${PLAIN}"`));
      await expect(createTenant(PLAIN, { url: url() })).rejects.toThrow(/already exists and is not a tenant/);
      expect(await listTenants({ url: url(), filter: { names: [PLAIN] } })).toEqual([]);
    }

    { // migrate continues past a broken tenant, reports it, exits 1; a re-run after the fix migrates only that one
      addMigration(copy.dir, WIDGET, "CREATE TABLE tenant_widget (id integer PRIMARY KEY);\n");
      await inTenant(BROKEN, "CREATE TABLE tenant_widget (name text)");

      const status = await cli("status", "--prefix", prefix, "--migrations-dir", copy.dir, "--json");
      expect(status.code).toBe(1);
      const behind = JSON.parse(status.stdout) as TenantStatusReport;
      expect(behind.tenants.map((t) => [t.state, t.pending])).toEqual(TENANTS.map(() => ["behind", [WIDGET]]));

      const run = await cli("migrate", "--prefix", prefix, "--migrations-dir", copy.dir, "--concurrency", "4", "--json");
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as MigrateTenantsReport;
      expect(report).toMatchObject({ migrated: 19, upToDate: 0, failed: 1 });
      expect(report.tenants.filter((t) => t.outcome === "failed")).toEqual([
        expect.objectContaining({ tenant: BROKEN, migration: WIDGET, error: expect.stringMatching(/tenant_widget/) }),
      ]);
      // Nothing half-applied: the failed migration left no row and no change behind.
      expect(await inTenant(BROKEN, `SELECT 1 FROM _prisma_migrations WHERE migration_name = '${WIDGET}'`)).toEqual([]);
      expect(await inTenant(BROKEN, "SELECT name FROM tenant_widget")).toEqual([]);

      await inTenant(BROKEN, "DROP TABLE tenant_widget");
      // An up-to-date tenant is not even visited: its migration lock, held here, would block the re-run.
      const rerun = await withClient(async (holder) => {
        await lockSchemaForMigration(holder, TENANTS[0]!);
        return migrateTenants({ url: url(), migrationsDir: copy.dir, filter: { prefix }, concurrency: 4 });
      });
      expect(rerun).toMatchObject({ migrated: 1, upToDate: 19, failed: 0 });
      expect(rerun.tenants.filter((t) => t.outcome === "migrated")).toEqual([{ tenant: BROKEN, outcome: "migrated", applied: [WIDGET], durationMs: expect.any(Number) }]);
    }

    { // status reports an edited tenant and the ones behind, and exits 1; migrate refuses the edited one
      await inTenant(EDITED, `UPDATE _prisma_migrations SET checksum = repeat('0', 64) WHERE migration_name = '${WIDGET}'`);
      addMigration(copy.dir, "29990102000000_tenant_gadget", "CREATE TABLE tenant_gadget (id integer PRIMARY KEY);\n");

      const status = await tenantStatus({ url: url(), migrationsDir: copy.dir, filter: { prefix } });
      expect(status.upToDate).toBe(false);
      expect(byState(status)).toEqual(Object.fromEntries(TENANTS.map((t) => [t, t === EDITED ? "edited" : "behind"])));
      expect(status.tenants.find((t) => t.tenant === EDITED)).toMatchObject({ edited: [WIDGET] });

      const text = await cli("status", ...TENANTS.slice(0, 4), "--migrations-dir", copy.dir);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(`edited   ${EDITED}: edited ${WIDGET}, pending 29990102000000_tenant_gadget`);
      expect(text.stdout).toContain("4 tenant(s): 3 behind, 1 edited.");

      const run = await migrateTenants({ url: url(), migrationsDir: copy.dir, filter: { names: [EDITED, TENANTS[0]!] } });
      expect(run).toMatchObject({ migrated: 1, failed: 1 });
      expect(run.tenants.find((t) => t.tenant === EDITED)).toMatchObject({ outcome: "failed", migration: WIDGET });
    }

    { // drop refuses any schema that is not a registered tenant, asks for confirmation, and drops a tenant with its row
      const fileSchema = testSchema().schema;
      await expect(dropTenant(fileSchema, { url: url() })).rejects.toThrow(TenantError);
      await expect(dropTenant(PLAIN, { url: url() })).rejects.toThrow(/not a registered tenant/);
      const last = TENANTS[19]!;
      const [refused, unconfirmed] = await Promise.all([cli("drop", "public", "--force"), cliInCi("drop", last)]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Schema "public" is not a registered tenant; refusing to drop it/);
      expect(await schemaExists(fileSchema)).toBe(true);
      expect(await schemaExists(PLAIN)).toBe(true);

      expect(unconfirmed.code).toBe(1);
      expect(unconfirmed.stderr).toMatch(/without confirmation: no terminal to ask on\. Pass --force/);
      expect(await schemaExists(last)).toBe(true);

      const dropped = await cli("drop", last, "--force");
      expect(dropped.code).toBe(0);
      expect(await schemaExists(last)).toBe(false);
      expect(await listTenants({ url: url(), filter: { names: [last] } })).toEqual([]);
    }
  }, 300_000); // 20 tenants migrated several times, and CLI runs: minutes on a server busy with another run
});
