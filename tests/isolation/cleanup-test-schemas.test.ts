/** @attune-schema none */
import os from "node:os";
import { customAlphabet } from "nanoid";
import type pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE } from "../../src/provisioner/test-schema-registry.ts";
import { runCli } from "../support/child-process.ts";

const url = () => process.env.DATABASE_URL!;
let admin: pg.Client;
const opened: SchemaProvisioner[] = [];
const prefixes: string[] = [];

beforeAll(async () => (admin = await connectPgClient(url(), REGISTRY_SCHEMA)));
afterAll(async () => {
  for (const p of opened) await p.close();
  for (const prefix of prefixes) {
    await admin.query(`DELETE FROM ${REGISTRY_TABLE} WHERE starts_with(name, $1)`, [prefix]);
    // One schema per transaction: dropping thousands at once would fill the server's lock table.
    const { rows } = await admin.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)", [prefix]);
    for (const { name } of rows) await admin.query(`DROP SCHEMA "${name}" CASCADE`);
  }
  await admin.end();
});

/** A prefix of its own for each test, so that no test counts another's (or a parallel file's) schemas. */
function newPrefix(): string {
  const prefix = `cln${customAlphabet("abcdefghijklmnopqrstuvwxyz", 6)()}_`;
  prefixes.push(prefix);
  return prefix;
}

async function liveProvisioner(prefix: string): Promise<SchemaProvisioner> {
  const p = await SchemaProvisioner.open({ url: url(), poolSize: 0, prefix });
  opened.push(p);
  return p;
}

const count = async (namePrefix: string) =>
  (await admin.query("SELECT count(*)::int AS n FROM pg_namespace WHERE starts_with(nspname, $1)", [namePrefix])).rows[0].n as number;

/**
 * Orphans as a crashed run leaves them: registered schemas with a table and a
 * row, whose owner is gone. 20 per transaction: one transaction creating
 * thousands of schemas would fill a default server's lock table and break
 * every other test running on it.
 */
async function makeOrphans(prefix: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  for (let i = 0; i < n; i += 20) {
    const chunk = names.slice(i, i + 20);
    await admin.query(
      `INSERT INTO ${REGISTRY_TABLE} (name, fingerprint, state, run_id, host, pid)
       SELECT name, 'crashed', 'in_use', 'crashedrun', $2, 0 FROM unnest($1::text[]) AS name`,
      [chunk, os.hostname()],
    );
    await admin.query(`DO $$ DECLARE s text; BEGIN
      FOREACH s IN ARRAY ARRAY[${chunk.map((c) => `'${c}'`).join(",")}] LOOP
        EXECUTE format('CREATE SCHEMA %I', s);
        EXECUTE format('CREATE TABLE %I.item (id bigserial PRIMARY KEY, body jsonb NOT NULL DEFAULT ''{}'')', s);
      END LOOP; END $$`);
  }
  return names;
}

/** A schema with the prefix that attune-db never made (no registry row), with data in it. */
async function makeHandMade(name: string): Promise<void> {
  await admin.query(`CREATE SCHEMA "${name}"; CREATE TABLE "${name}".fixture (id int); INSERT INTO "${name}".fixture VALUES (1), (2)`);
}

describe("attune-db cleanup-test-schemas", () => {
  it("--dry-run --json lists registered orphans only; live and hand-made schemas are not candidates", async () => {
    const prefix = newPrefix();
    const orphans = await makeOrphans(prefix, 5);
    const held = await (await liveProvisioner(prefix)).acquire();
    await makeHandMade(`${prefix}fixtures`);
    const { code, stdout, stderr } = await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix, "--dry-run", "--json"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const report = JSON.parse(stdout);
    expect(report.dryRun).toBe(true);
    expect(report.candidates.map((c: { name: string }) => c.name).sort()).toEqual([...orphans].sort());
    expect(report.unregistered).toEqual([`${prefix}fixtures`]);
    expect(report.dropped).toEqual([]);
    expect(await count(prefix)).toBe(7);
    await held.drop();
  });

  it("--force drops 2,000 orphans in one call without errors, sparing the live schema and a hand-made one", async () => {
    const prefix = newPrefix();
    await makeOrphans(prefix, 2000);
    await makeHandMade(`${prefix}fixtures`);
    const held = await (await liveProvisioner(prefix)).acquire();
    const { code, stdout, stderr } = await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix, "--force"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/2000 orphaned schema\(s\)/);
    expect(stdout).toMatch(new RegExp(`1 schema\\(s\\) with prefix "${prefix}" were not created by attune-db`));
    expect(stdout).toMatch(/Dropped 2000 schema\(s\) in [\d.]+ s \(\d+\/s\); 0 error\(s\); 2 schema\(s\) with prefix "\w+" remain\./);
    expect(await count(prefix)).toBe(2);
    await held.drop();
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${prefix}fixtures".fixture`)).rows[0].n).toBe(2);
  }, 300_000);

  it("drops a hand-made schema only with --include-unregistered", async () => {
    const prefix = newPrefix();
    await makeHandMade(`${prefix}fixtures`);
    await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix, "--force"]);
    expect(await count(prefix)).toBe(1);
    const { code, stdout } = await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix, "--force", "--include-unregistered"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Dropped 1 schema\(s\)/);
    expect(await count(prefix)).toBe(0);
  });

  it("names a locked orphan and its holder without waiting, and drops it once the lock is gone", async () => {
    const prefix = newPrefix();
    const [locked] = await makeOrphans(prefix, 1);
    const holder = await connectPgClient(url(), REGISTRY_SCHEMA, { connectionString: url(), application_name: "foreign-holder" });
    try {
      await holder.query(`BEGIN; SELECT * FROM "${locked}".item`);
      const started = Date.now();
      const { code, stdout } = await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix, "--force"]);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`${locked} is locked by pid \\d+ \\(foreign-holder, user \\w+, idle in transaction`));
      expect(stdout).toMatch(/Dropped 0 schema\(s\)/);
      expect(Date.now() - started).toBeLessThan(30_000); // the CLI's own start-up included; no lock wait
      expect(await count(prefix)).toBe(1);
    } finally {
      await holder.end();
    }
    const after = await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", prefix, "--force"]);
    expect(after.stdout).toMatch(/Dropped 1 schema\(s\)/);
    expect(await count(prefix)).toBe(0);
  });

  it("never drops a hand-made test_ schema in the automatic sweep or with --force, only with --include-unregistered", async () => {
    const own = `test_fx${customAlphabet("abcdefghijklmnopqrstuvwxyz", 8)()}_`;
    prefixes.push(own);
    await makeHandMade(`${own}data`);
    const sweeper = await liveProvisioner("test_");
    const swept = await sweeper.reap(); // what globalSetup runs at the start of every run
    expect(swept.dropped).not.toContain(`${own}data`);
    expect(swept.unregistered).toContain(`${own}data`);
    const forced = await runCli(["cleanup-test-schemas", "--url", url(), "--force"]);
    expect(forced.code).toBe(0);
    expect(await count(own)).toBe(1);
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${own}data".fixture`)).rows[0].n).toBe(2);
    const optedIn = await runCli(["cleanup-test-schemas", "--url", url(), "--prefix", own, "--force", "--include-unregistered"]);
    expect(optedIn.code).toBe(0);
    expect(await count(own)).toBe(0);
  });

  it("asks before dropping, and refuses when there is no terminal to ask on", async () => {
    const prefix = newPrefix();
    await makeOrphans(prefix, 1);
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
