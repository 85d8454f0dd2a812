import { customAlphabet } from "nanoid";
import pg from "pg";
import { withoutSchema } from "../../src/config/datasource-url.ts";
import { runDemo } from "../../src/demo/run-demo.ts";
import { dropSharedExtensionsIfCreated } from "../../src/demo/shared-extensions-footprint.ts";
import { migrate } from "../../src/index.ts";
import { testPrisma, testSchema } from "../../src/testing/index.ts";
import { runCli } from "../support/child-process.ts";
import { withClient } from "../support/pg.ts";

const suffix = customAlphabet("abcdefghijklmnopqrstuvwxyz", 8);

/** Runs `work` on a database of its own on the test server (the shared extensions schema of the test database must stay). */
async function withOwnDatabase(work: (url: string, query: (sql: string) => Promise<pg.QueryResult>) => Promise<void>): Promise<void> {
  const name = `attune_demo_${suffix()}`;
  const serverUrl = withoutSchema(testSchema().url);
  await withClient((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await work(url.toString(), (sql) => client.query(sql));
    } finally {
      await client.end();
    }
  } finally {
    await withClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

describe("the demo (npm start)", () => {
  it("runs event -> enforcement -> execution with its NOTIFYs in the configured schema, then removes its rows", async () => {
    const lines: string[] = [];
    await runDemo({ log: (line) => lines.push(line) }); // DATABASE_URL and ATTUNE_DB_SCHEMA point at this file's schema
    const output = lines.join("\n");
    expect(output).toContain(`Schema "${testSchema().schema}"`);
    expect(output).toMatch(/NOTIFY attune_notifications x5: requested -> scheduling -> scheduled -> running -> completed/);
    expect(output).toMatch(/execution +#\d+ completed, result \{"stdout":"hello from the demo","exitCode":0\}/);
    expect(output).toMatch(/Removed the demo's rows/);
    const prisma = testPrisma();
    const left = await Promise.all([prisma.pack.count(), prisma.event.count(), prisma.execution.count(), prisma.notification.count()]);
    expect(left).toEqual([0, 0, 0, 0]);
    // The shared extensions schema existed before (every test schema uses it): it stays.
    expect(await withClient(async (c) => (await c.query("SELECT to_regnamespace('extensions') IS NOT NULL AS ok")).rows[0].ok)).toBe(true);
  });

  it("drops the extensions schema it created, so a fresh database is left as it was", async () => {
    await withOwnDatabase(async (url, query) => {
      const before = await query("SELECT (SELECT count(*) FROM pg_namespace)::int AS schemas, (SELECT count(*) FROM pg_extension)::int AS extensions");
      const { code, stdout, stderr } = await runCli(["demo"], { DATABASE_URL: url, ATTUNE_DB_SCHEMA: "" });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toMatch(/Dropped schema "attune" and the shared "extensions" schema, which the demo had created: the database is as it was\./);
      const after = await query("SELECT (SELECT count(*) FROM pg_namespace)::int AS schemas, (SELECT count(*) FROM pg_extension)::int AS extensions");
      expect(after.rows).toEqual(before.rows);
      expect((await query("SELECT to_regnamespace('extensions') IS NULL AS gone")).rows[0].gone).toBe(true);
    });
  });

  it("keeps an extensions schema it created while another attune schema's functions use it", async () => {
    await withOwnDatabase(async (url, query) => {
      const createdByDemo = { schemaExists: false, extensions: [] };
      await migrate({ url, schema: "tenant_other" });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        expect(await dropSharedExtensionsIfCreated(client, createdByDemo)).toBe(false);
        expect((await query("SELECT to_regnamespace('extensions') IS NOT NULL AS ok")).rows[0].ok).toBe(true);
        await query("DROP SCHEMA tenant_other CASCADE");
        expect(await dropSharedExtensionsIfCreated(client, createdByDemo)).toBe(true);
        expect((await query("SELECT to_regnamespace('extensions') IS NULL AS gone")).rows[0].gone).toBe(true);
      } finally {
        await client.end();
      }
    });
  });

  it("keeps its rows with keep: true", async () => {
    await runDemo({ keep: true, log: () => {} });
    expect(await testPrisma().execution.findMany({ select: { status: true } })).toEqual([{ status: "completed" }]);
  });
});
