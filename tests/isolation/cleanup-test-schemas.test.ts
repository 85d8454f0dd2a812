/** @attune-schema none */
import { customAlphabet } from "nanoid";
import type pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";
import { REGISTRY_SCHEMA } from "../../src/provisioner/test-schema-registry.ts";
import { runCli } from "../support/child-process.ts";

// A prefix of our own, so parallel test files' live test_ schemas are not counted.
const prefix = `cln${customAlphabet("abcdefghijklmnopqrstuvwxyz", 6)()}_`;
const url = () => process.env.DATABASE_URL!;
let admin: pg.Client;
let live: SchemaProvisioner;

beforeAll(async () => {
  admin = await connectPgClient(url(), REGISTRY_SCHEMA);
  live = await SchemaProvisioner.open({ url: url(), poolSize: 0, prefix });
});
afterAll(async () => {
  await live.close();
  await admin.query(`DO $$ DECLARE s text; BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE starts_with(nspname, '${prefix}') LOOP
      EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP; END $$`);
  await admin.end();
});

const count = async (namePrefix: string) =>
  (await admin.query("SELECT count(*)::int AS n FROM pg_namespace WHERE starts_with(nspname, $1)", [namePrefix])).rows[0].n as number;

/** Orphans as a crashed run leaves them: schemas with the prefix, tables inside, no living owner. */
let made = 0;
async function makeOrphans(n: number): Promise<void> {
  // 100 per transaction: one transaction creating thousands of schemas would
  // fill a default server's lock table and break every other test running on it.
  while (n > 0) {
    const [from, to] = [made + 1, made + Math.min(n, 100)];
    n -= to - from + 1;
    made = to;
    await admin.query(`DO $$ BEGIN
      FOR i IN ${from}..${to} LOOP
        EXECUTE format('CREATE SCHEMA %I', '${prefix}' || i);
        EXECUTE format('CREATE TABLE %I.item (id bigserial PRIMARY KEY, body jsonb NOT NULL DEFAULT ''{}'')', '${prefix}' || i);
      END LOOP; END $$`);
  }
}

describe("attune-db cleanup-test-schemas", () => {
  it("--dry-run --json lists orphans and drops nothing; a live schema and other prefixes are never listed", async () => {
    await makeOrphans(5);
    const held = await live.acquire();
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${prefix.slice(0, -1)}keep`); // no prefix match (no trailing _ part)
    const { code, stdout, stderr } = await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix, "--dry-run", "--json"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const report = JSON.parse(stdout);
    expect(report.dryRun).toBe(true);
    expect(report.candidates.map((c: { name: string }) => c.name).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `${prefix}${i}`).sort());
    expect(report.candidates.map((c: { name: string }) => c.name)).not.toContain(held.schema);
    expect(report.dropped).toEqual([]);
    expect(await count(prefix)).toBe(6);
    await held.drop();
    await admin.query(`DROP SCHEMA ${prefix.slice(0, -1)}keep`);
    await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix, "--force"]);
  });

  it("--force drops 2,000 orphans in one call without errors, sparing the live one, and reports 1 remaining", async () => {
    await makeOrphans(2000);
    const held = await live.acquire();
    const { code, stdout, stderr } = await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix, "--force"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/2000 orphaned schema\(s\)/);
    expect(stdout).toMatch(/Dropped 2000 schema\(s\) in [\d.]+ s \(\d+\/s\); 0 error\(s\); 1 schema\(s\) with prefix "\w+" remain\./);
    expect(await count(prefix)).toBe(1);
    await held.drop();
    expect(await count(prefix)).toBe(0);
  }, 300_000);

  it("asks before dropping, and refuses when there is no terminal to ask on", async () => {
    await makeOrphans(1);
    const { code, stderr } = await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix], { CI: "" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/no terminal to ask on\. Pass --force/);
    expect(await count(prefix)).toBe(1);
  });

  it.each([
    [["--prefix", "a"], /must end with "_"/],
    [["--prefix", "attune_"], /would match the protected schema "attune_test_registry"/],
    [["--prefix", "Test_"], /not allowed/],
    [["--older-than", "soon"], /Invalid duration "soon"/],
  ])("rejects %j", async (args, message) => {
    const { code, stderr } = await runCli(["cleanup-test-schemas", "--url", url(), "--dry-run", ...args]);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });
});
