import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { migrate } from "../../src/index.ts";
import { withoutSchema } from "../../src/config/datasource-url.ts";
import { freshSchema, testSchema } from "../../src/testing/index.ts";
import { copyMigrations } from "../support/migrations-copy.ts";
import { withClient } from "../support/pg.ts";

const PIN_MIGRATION = "20261125200000_pin_function_search_path";

/** A plain pg connection whose search_path is exactly `searchPath`, as another service would set it. */
async function connectWithSearchPath(searchPath: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: withoutSchema(testSchema().url), options: `-c search_path=${searchPath}` });
  await client.connect();
  return client;
}

async function pinnedPaths(client: pg.ClientBase, schema: string): Promise<Record<string, string | null>> {
  const { rows } = await client.query<{ name: string; config: string | null }>(
    `SELECT p.oid::regprocedure::text AS name,
            (SELECT c FROM unnest(p.proconfig) AS c WHERE c LIKE 'search\\_path=%') AS config
       FROM pg_proc p WHERE p.pronamespace = to_regnamespace($1) ORDER BY 1`,
    [schema],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.config]));
}

describe("SQL functions and triggers", () => {
  it("pin every function's search_path to its own schema and the shared extensions", async () => {
    const { schema } = testSchema();
    const pinned = await withClient((client) => pinnedPaths(client, schema));
    expect(Object.keys(pinned)).toHaveLength(14);
    for (const [name, config] of Object.entries(pinned)) {
      expect([name, config]).toEqual([name, `search_path=${schema}, extensions, public`]);
    }
  });

  it("work for a client whose search_path is `<schema>, public`, which does not reach pgcrypto", async () => {
    const { schema } = testSchema();
    const client = await connectWithSearchPath(`${schema},public`);
    try {
      await expect(client.query("SELECT gen_random_bytes(4)")).rejects.toThrow(/function gen_random_bytes\(integer\) does not exist/);
      const pack = await client.query("INSERT INTO pack (ref, label, version) VALUES ('sp', 'SP', '1.0.0') RETURNING id");
      const trigger = await client.query(
        "INSERT INTO trigger (ref, label, pack, pack_ref) VALUES ('sp.hook', 'Hook', $1, 'sp') RETURNING id",
        [pack.rows[0].id],
      );
      const id = trigger.rows[0].id;
      const enabled = await client.query("SELECT * FROM enable_trigger_webhook($1)", [id]);
      expect(enabled.rows[0]).toMatchObject({ webhook_enabled: true, webhook_key: expect.stringMatching(/^wh_[a-z0-9]{32}$/) });
      const regenerated = await client.query("SELECT * FROM regenerate_trigger_webhook_key($1)", [id]);
      expect(Object.values(regenerated.rows[0])).toContainEqual(expect.stringMatching(/^wh_[a-z0-9]{32}$/));
      expect(Object.values(regenerated.rows[0])).not.toContain(enabled.rows[0].webhook_key);
      expect((await client.query("SELECT generate_webhook_hmac_secret() AS s")).rows[0].s).toMatch(/^[0-9a-f]{128}$/);
      expect((await client.query("SELECT disable_trigger_webhook($1) AS ok", [id])).rows[0].ok).toBe(true);
      // A trigger function runs too (update_updated_column on pack).
      const updated = await client.query("UPDATE pack SET label = 'SP2' WHERE id = $1 RETURNING created < updated AS bumped", [pack.rows[0].id]);
      expect(updated.rows[0].bumped).toBe(true);
    } finally {
      await client.end();
    }
  });

  it("pins the same path when the migration runs as `prisma migrate deploy` runs it (search_path = the schema alone)", async () => {
    const copy = copyMigrations();
    try {
      fs.rmSync(path.join(copy.dir, PIN_MIGRATION), { recursive: true });
      const { schema } = await freshSchema({ empty: true });
      await migrate({ url: testSchema().url, schema, migrationsDir: copy.dir });
      const client = await connectWithSearchPath(`"${schema}"`);
      try {
        // Prisma's schema engine sends a migration as one multi-statement query.
        await client.query(fs.readFileSync(path.join(__dirname, "../../prisma/migrations", PIN_MIGRATION, "migration.sql"), "utf8"));
        const pinned = await pinnedPaths(client, schema);
        expect(new Set(Object.values(pinned))).toEqual(new Set([`search_path=${schema}, extensions, public`]));
      } finally {
        await client.end();
      }
    } finally {
      copy.remove();
    }
  });
});
