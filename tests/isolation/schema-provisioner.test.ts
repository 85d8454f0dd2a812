/** @attune-schema none */
import type pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";
import { prismaMigrationsMigrator, type SchemaMigrator } from "../../src/provisioner/schema-migrator.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE } from "../../src/provisioner/test-schema-registry.ts";
import { migrationStatus } from "../../src/index.ts";
import { CLOSE_TIMEOUT_MS, LOCK_TIMEOUT_MS } from "../../src/provisioner/provisioner-timeouts.ts";
import { startTsProcess } from "../support/child-process.ts";
import { addMigration, copyMigrations } from "../support/migrations-copy.ts";
import { waitFor } from "../support/wait-for.ts";

const url = () => process.env.DATABASE_URL!;
const opened: SchemaProvisioner[] = [];
async function provisioner(options: Partial<Parameters<typeof SchemaProvisioner.open>[0]> = {}) {
  const p = await SchemaProvisioner.open({ url: url(), poolSize: 0, ...options });
  opened.push(p);
  return p;
}
afterAll(async () => {
  for (const p of opened) {
    await p.close();
    await p.reap({ runId: p.runId }).catch(() => {});
  }
});

let admin: pg.Client;
beforeAll(async () => (admin = await connectPgClient(url(), REGISTRY_SCHEMA)));
afterAll(() => admin.end());
const schemaExists = async (name: string) =>
  (await admin.query("SELECT to_regnamespace($1) IS NOT NULL AS ok", [name])).rows[0].ok as boolean;
const registryRow = async (name: string) => (await admin.query(`SELECT * FROM ${REGISTRY_TABLE} WHERE name = $1`, [name])).rows[0];

/** The project's migrator under another fingerprint (as if the migrations had changed). */
const otherFingerprint = (hash: string): SchemaMigrator => ({ ...prismaMigrationsMigrator(), hash: () => hash });

describe("SchemaProvisioner", () => {
  it("creates a uniquely named, fully migrated schema with ?schema= in its URL, and drops it", async () => {
    const p = await provisioner();
    const a = await p.create();
    const b = await p.create();
    expect(a.schema).toMatch(/^test_[a-z0-9]{10}$/);
    expect(a.schema).not.toBe(b.schema);
    expect(new URL(a.url).searchParams.get("schema")).toBe(a.schema);
    expect((await migrationStatus({ url: a.url })).upToDate).toBe(true);
    expect(await registryRow(a.schema)).toMatchObject({ state: "in_use", run_id: p.runId });
    await a.drop();
    await b.drop();
    expect(await schemaExists(a.schema)).toBe(false);
    expect(await registryRow(a.schema)).toBeUndefined();
  });

  it("hands out pooled schemas of its own run and fingerprint only, and refills the pool in the background", async () => {
    const fingerprint = `fp_${Date.now()}`;
    const builder = await provisioner({ poolSize: 2, migrator: otherFingerprint(fingerprint) });
    expect(await builder.fill()).toBe(2);
    expect(await builder.readyCount()).toBe(2);

    const otherMigrations = await provisioner({ poolSize: 2, runId: builder.runId, migrator: otherFingerprint(`${fingerprint}_changed`) });
    const otherRun = await provisioner({ poolSize: 2, runId: `other${Date.now()}`, migrator: otherFingerprint(fingerprint) });
    const cold = [await otherMigrations.acquire(), await otherRun.acquire()];
    expect(cold.map((h) => h.pooled)).toEqual([false, false]);
    expect(await builder.readyCount()).toBe(2); // neither took one of them

    const taken = await builder.acquire();
    expect(taken.pooled).toBe(true);
    expect(await registryRow(taken.schema)).toMatchObject({ state: "in_use", fingerprint, run_id: builder.runId });
    await builder.idle();
    // The taken schema counts as coming back (recycled at release): no build races its recycling.
    expect(await builder.readyCount()).toBe(1);
    await taken.drop();
    expect(await builder.readyCount()).toBe(2); // recycled

    // A schema that does not come back (changed, so dropped) is replaced by a build in the background.
    const changed = await builder.acquire();
    await admin.query(`CREATE TABLE "${changed.schema}".extra (id int)`);
    await changed.drop();
    expect(await schemaExists(changed.schema)).toBe(false);
    await builder.idle();
    expect(await builder.readyCount()).toBe(2); // refilled
    await Promise.all(cold.map((h) => h.drop()));
  });

  it("drops a changed schema that another process of the run built for the pool, at once, not at the run's end", async () => {
    // The process that fills the pool at the start of a run holds each ready schema's BUILD lock and,
    // without noticing claims, kept it: every changed schema a worker released was left for the teardown.
    const fingerprint = `fp_claimed_${Date.now()}`;
    const builder = await provisioner({ poolSize: 1, migrator: otherFingerprint(fingerprint) });
    // An empty pool: built on demand, then the refill (which first looks for claims, with none held) builds one.
    const own = await builder.acquire();
    await builder.idle();
    expect(await builder.readyCount()).toBe(1);
    const worker = await provisioner({ poolSize: 1, runId: builder.runId, migrator: otherFingerprint(fingerprint) });
    const changed = await worker.acquire();
    expect(changed.pooled).toBe(true);
    await admin.query(`CREATE TABLE "${changed.schema}".extra (id int)`);
    await changed.drop();
    expect(await schemaExists(changed.schema)).toBe(false);
    expect(worker.releaseStats.dropped).toBe(1);
    await own.drop();
  });

  it("never hands the same ready schema to two claimants of the run", async () => {
    const fingerprint = `fp_race_${Date.now()}`;
    const builder = await provisioner({ poolSize: 6, migrator: otherFingerprint(fingerprint) });
    await builder.fill();
    const claimants = await Promise.all(
      [1, 2, 3].map(() => provisioner({ poolSize: 6, runId: builder.runId, migrator: otherFingerprint(fingerprint) })),
    );
    const handed = await Promise.all(claimants.flatMap((c) => [c.acquire(), c.acquire()]));
    expect(handed.map((h) => h.pooled)).toEqual([true, true, true, true, true, true]);
    expect(new Set(handed.map((h) => h.schema)).size).toBe(6);
    await Promise.all(handed.map((h) => h.drop()));
  });

  it("registers a reserved name, and drops the schema the caller created under it when released", async () => {
    const p = await provisioner();
    const reserved = await p.reserve();
    expect(await registryRow(reserved.schema)).toMatchObject({ state: "reserved", run_id: p.runId });
    expect(await schemaExists(reserved.schema)).toBe(false);
    expect((await p.reap({ names: [reserved.schema] })).skippedAlive).toEqual([reserved.schema]);
    await admin.query(`CREATE SCHEMA "${reserved.schema}"`);
    await reserved.drop();
    expect(await schemaExists(reserved.schema)).toBe(false);
    expect(await registryRow(reserved.schema)).toBeUndefined();
  });

  it("closes within its bound while another session locks one of its schemas, and names the schema and the holder", async () => {
    const lines: string[] = [];
    const p = await provisioner({ log: (line) => lines.push(line) });
    const held = await p.acquire();
    const holder = await connectPgClient(url(), REGISTRY_SCHEMA, { connectionString: url(), application_name: "foreign-holder" });
    try {
      await holder.query(`BEGIN; SELECT * FROM "${held.schema}".pack`);
      const started = Date.now();
      await held.drop();
      await p.close();
      expect(Date.now() - started).toBeLessThan(LOCK_TIMEOUT_MS + CLOSE_TIMEOUT_MS);
      expect(lines.join("\n")).toMatch(new RegExp(`${held.schema} was left in place: it is locked by pid \\d+ \\(foreign-holder`));
      expect(await schemaExists(held.schema)).toBe(true);
    } finally {
      await holder.end();
    }
    const reaper = await provisioner();
    expect((await reaper.reap({ names: [held.schema] })).dropped).toEqual([held.schema]);
  });

  it("never reaps a live schema; reaps it once its owner's session is gone", async () => {
    const owner = await provisioner();
    const held = await owner.acquire();
    const reaper = await provisioner();
    const report = await reaper.reap({ names: [held.schema] });
    expect(report.dropped).toEqual([]);
    expect(report.skippedAlive).toEqual([held.schema]);
    expect(await schemaExists(held.schema)).toBe(true);

    await owner.close(); // like a process exit: the owner session and its locks are gone
    const after = await reaper.reap({ names: [held.schema] });
    expect(after.dropped).toEqual([held.schema]);
    expect(await schemaExists(held.schema)).toBe(false);
  });

  it("reaps the schema of a process killed with SIGKILL, and nothing of a live neighbour", async () => {
    const neighbour = await provisioner();
    const alive = await neighbour.acquire();
    const { child, firstLine } = await startTsProcess("tests/support/hold-schema-process.ts", { HOLD_URL: url() });
    const { schema } = JSON.parse(firstLine) as { schema: string };
    expect(await schemaExists(schema)).toBe(true);

    const reaper = await provisioner();
    expect((await reaper.reap({ names: [schema, alive.schema] })).dropped).toEqual([]);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    // The server notices the dead connection at once on loopback, but a loaded
    // machine may take seconds to end that backend and free its lock.
    const dropped = await waitFor(
      "the killed process's schema to be reaped",
      async () => {
        const report = await reaper.reap({ names: [schema, alive.schema] });
        return report.dropped.length > 0 && report.dropped;
      },
      { timeoutMs: 60_000, pollMs: 100 },
    );
    expect(dropped).toEqual([schema]);
    expect(await schemaExists(alive.schema)).toBe(true);
    await alive.drop();
  });

  it("leaves nothing behind when a build fails after its migrations committed (no half-built schema is ever visible)", async () => {
    let built: string | undefined;
    const fingerprint = `fp_failing_${process.pid}_${Date.now()}`; // another run of this file may be failing builds too
    const failing: SchemaMigrator = {
      hash: () => fingerprint,
      migrate: async (client, schema) => {
        await prismaMigrationsMigrator().migrate(client, schema);
        built = schema;
        expect(await registryRow(schema)).toMatchObject({ state: "building" });
        throw new Error("build interrupted");
      },
    };
    const p = await provisioner({ migrator: failing });
    await expect(p.create()).rejects.toThrow(/build interrupted/);
    const leftovers = await admin.query(`SELECT name FROM ${REGISTRY_TABLE} WHERE fingerprint = $1`, [fingerprint]);
    expect(leftovers.rows).toEqual([]);
    expect(await schemaExists(built!)).toBe(false);
  });

  it("builds schemas whose migrations use an enum value an earlier migration added", async () => {
    const copy = copyMigrations();
    try {
      addMigration(copy.dir, "29990101000000_add_paused", "ALTER TYPE execution_status_enum ADD VALUE 'paused';\n");
      addMigration(copy.dir, "29990101000001_use_paused", "CREATE INDEX execution_paused_idx ON execution (id) WHERE status = 'paused';\n");
      const p = await provisioner({ poolSize: 1, migrator: prismaMigrationsMigrator(copy.dir) });
      expect(await p.fill()).toBe(1);
      const pooled = await p.acquire();
      const onDemand = await p.create();
      expect(pooled.pooled).toBe(true);
      for (const { schema, url } of [pooled, onDemand]) {
        expect(await registryRow(schema)).toMatchObject({ state: "in_use" });
        const index = await admin.query(`SELECT to_regclass(format('%I.execution_paused_idx', $1::text)) IS NOT NULL AS ok`, [schema]);
        expect(index.rows[0].ok).toBe(true);
        expect((await migrationStatus({ url, migrationsDir: copy.dir })).upToDate).toBe(true);
      }
      await pooled.drop();
      await onDemand.drop();
    } finally {
      copy.remove();
    }
  });

  it("drops a released schema even when the test left a connection open in a transaction", async () => {
    const p = await provisioner();
    const held = await p.acquire();
    const leaked = await connectPgClient(held.url, held.schema);
    leaked.on("error", () => {});
    await leaked.query("BEGIN; LOCK TABLE pack IN ACCESS EXCLUSIVE MODE");
    await held.drop();
    expect(await schemaExists(held.schema)).toBe(false);
    await leaked.end().catch(() => {});
  });

  it("keeps a schema for inspection when asked, and ordinary reaping leaves it alone", async () => {
    const p = await provisioner();
    const held = await p.acquire();
    await p.release(held.schema, { keep: true });
    expect(await registryRow(held.schema)).toMatchObject({ state: "kept" });
    expect((await p.reap({ names: [held.schema] })).dropped).toEqual([]);
    expect((await p.reap({ names: [held.schema], includeKept: true })).dropped).toEqual([held.schema]);
  });
});
