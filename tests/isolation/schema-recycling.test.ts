/** @attune-schema none */
import type pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";
import { prismaMigrationsMigrator, type SchemaMigrator } from "../../src/provisioner/schema-migrator.ts";
import { childrenFirst } from "../../src/provisioner/schema-recycler.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE } from "../../src/provisioner/test-schema-registry.ts";

const url = () => process.env.DATABASE_URL!;
let admin: pg.Client;
const opened: SchemaProvisioner[] = [];
beforeAll(async () => (admin = await connectPgClient(url(), REGISTRY_SCHEMA)));
afterAll(async () => {
  for (const p of opened) {
    await p.close();
    await p.reap({ runId: p.runId }).catch(() => {});
  }
  await admin.end();
});

/** A provisioner with a fingerprint of its own, so only its own schemas are pooled for it. */
async function pooledProvisioner(): Promise<SchemaProvisioner> {
  const migrator: SchemaMigrator = { ...prismaMigrationsMigrator(), hash: () => `recycle_${Date.now()}_${Math.random()}` };
  const p = await SchemaProvisioner.open({ url: url(), poolSize: 1, migrator, recycle: true });
  opened.push(p);
  return p;
}
const state = async (name: string) =>
  (await admin.query(`SELECT state FROM ${REGISTRY_TABLE} WHERE name = $1`, [name])).rows[0]?.state as string | undefined;
const exists = async (name: string) => (await admin.query("SELECT to_regnamespace($1) IS NOT NULL AS ok", [name])).rows[0].ok as boolean;

describe("recycling released schemas", () => {
  it("puts an unchanged schema back into the pool with no rows and restarted sequences", async () => {
    const p = await pooledProvisioner();
    const used = await p.create();
    await p.idle();
    const s = `"${used.schema}"`;
    await admin.query(`INSERT INTO ${s}.pack (ref, label, version) VALUES ('one', 'One', '1.0.0'), ('two', 'Two', '1.0.0')`);
    await admin.query(`INSERT INTO ${s}.action (ref, pack, pack_ref, label, description, entrypoint) VALUES ('one.a', 1, 'one', 'a', '', 'x')`);
    await admin.query(`INSERT INTO ${s}.execution (action, action_ref) VALUES (1, 'one.a')`);
    await admin.query(`INSERT INTO ${s}.execution (action, action_ref, parent) VALUES (1, 'one.a', 1)`);

    await used.release();
    await p.idle();
    expect(await state(used.schema)).toBe("ready");
    const counts = await admin.query(
      `SELECT (SELECT count(*) FROM ${s}.pack)::int AS packs, (SELECT count(*) FROM ${s}.execution)::int AS executions,
              (SELECT count(*) FROM ${s}._prisma_migrations)::int AS migrations`,
    );
    expect(counts.rows[0]).toEqual({ packs: 0, executions: 0, migrations: 8 });
    const again = await admin.query(`INSERT INTO ${s}.pack (ref, label, version) VALUES ('three', 'T', '1.0.0') RETURNING id`);
    expect(again.rows[0].id).toBe("1"); // the sequence was restarted
    await admin.query(`DELETE FROM ${s}.pack`);

    const next = await p.acquire();
    expect(next).toMatchObject({ schema: used.schema, pooled: true });
    await next.release();
  });

  it("drops, never reuses, a schema whose structure a test changed", async () => {
    const p = await pooledProvisioner();
    for (const ddl of [
      "ALTER TABLE %s.pack ADD COLUMN extra int",
      "CREATE FUNCTION %s.sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
      "ALTER TYPE %s.execution_status_enum ADD VALUE 'paused'",
      "CREATE INDEX ON %s.pack (label)",
      "INSERT INTO %s._prisma_migrations (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ('x', 'y', 'z', now(), 1)",
    ]) {
      const used = await p.create();
      await admin.query(ddl.replace("%s", `"${used.schema}"`));
      await used.release();
      await p.idle();
      expect({ ddl, exists: await exists(used.schema) }).toEqual({ ddl, exists: false });
    }
  });

  it("orders tables children first", () => {
    const order = childrenFirst(
      ["pack", "action", "execution", "rule", "trigger"],
      [
        { child: "action", parent: "pack" },
        { child: "execution", parent: "action" },
        { child: "rule", parent: "action" },
        { child: "rule", parent: "trigger" },
        { child: "trigger", parent: "pack" },
      ],
    );
    const before = (a: string, b: string) => order.indexOf(a) < order.indexOf(b);
    expect(before("execution", "action") && before("rule", "action") && before("action", "pack") && before("rule", "trigger")).toBe(true);
  });
});
