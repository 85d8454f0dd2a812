import pLimit from "p-limit";
import pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { SchemaProvisioner, type SchemaProvisionerOptions } from "../../src/provisioner/schema-provisioner.ts";
import { prismaMigrationsMigrator, type SchemaMigrator } from "../../src/provisioner/schema-migrator.ts";
import { provisionerConnectionConfig } from "../../src/provisioner/provisioner-connections.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE } from "../../src/provisioner/test-schema-registry.ts";
import { catalogDump, dataDump } from "./catalog-dump.ts";

/**
 * One row per kind of thing a test file may do to its schema. `%s` is the
 * quoted schema. Every change must make recycling drop the schema; benign
 * work (rows, sequences, statistics, a rolled-back DDL) must let it be reused,
 * empty and equal to a fresh one. `caughtByRowCheck`: even without the catalog
 * comparison, the after-reset verification (rows, sequences, history) refuses it.
 */
export const SEED = `INSERT INTO %s.pack (ref, label, version) VALUES ('seed', 'Seed', '1.0.0');`;
export const CHANGES: readonly { kind: string; sql: string; caughtByRowCheck?: boolean; harmless?: boolean }[] = [
  { kind: "row-level security and a policy", sql: `ALTER TABLE %s.pack ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON %s.pack USING (false)` },
  { kind: "a rule that keeps rows from being deleted", sql: `CREATE RULE r AS ON DELETE TO %s.pack DO INSTEAD NOTHING`, caughtByRowCheck: true },
  { kind: "a grant", sql: `GRANT SELECT ON %s.pack TO PUBLIC` },
  { kind: "a column grant", sql: `GRANT SELECT (label) ON %s.pack TO PUBLIC` },
  { kind: "a grant on the schema", sql: `GRANT USAGE ON SCHEMA %s TO PUBLIC` },
  { kind: "default privileges", sql: `ALTER DEFAULT PRIVILEGES IN SCHEMA %s GRANT SELECT ON TABLES TO PUBLIC` },
  { kind: "a domain", sql: `CREATE DOMAIN %s.positive AS int CHECK (VALUE > 0)` },
  { kind: "SECURITY DEFINER on a function", sql: `ALTER FUNCTION %s.update_updated_column() SECURITY DEFINER` },
  { kind: "a function's search_path setting", sql: `ALTER FUNCTION %s.update_updated_column() SET search_path = public` },
  { kind: "a changed function body", sql: `CREATE OR REPLACE FUNCTION %s.update_updated_column() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$` },
  { kind: "a column default", sql: `ALTER TABLE %s.pack ALTER COLUMN label SET DEFAULT 'x'` },
  { kind: "a column type", sql: `ALTER TABLE %s.worker ALTER COLUMN host TYPE varchar(200)` },
  { kind: "a disabled trigger", sql: `ALTER TABLE %s.pack DISABLE TRIGGER USER` },
  { kind: "an operator", sql: `CREATE OPERATOR %s.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq)` },
  { kind: "a collation", sql: `CREATE COLLATION %s.c2 FROM "C"` },
  { kind: "storage options", sql: `ALTER TABLE %s.pack SET (fillfactor = 50)` },
  { kind: "replica identity", sql: `ALTER TABLE %s.pack REPLICA IDENTITY FULL` },
  { kind: "a new table", sql: `CREATE TABLE %s.extra (id int)` },
  { kind: "a new column", sql: `ALTER TABLE %s.pack ADD COLUMN extra int` },
  { kind: "a new index", sql: `CREATE INDEX ON %s.pack (label)` },
  { kind: "a new function", sql: `CREATE FUNCTION %s.sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'` },
  { kind: "a new type", sql: `CREATE TYPE %s.pair AS (a int, b int)` },
  { kind: "a new enum value", sql: `ALTER TYPE %s.execution_status_enum ADD VALUE 'paused'` },
  { kind: "a new view", sql: `CREATE VIEW %s.pack_refs AS SELECT ref FROM %s.pack` },
  { kind: "a new trigger", sql: `CREATE TRIGGER t BEFORE UPDATE ON %s.pack FOR EACH ROW EXECUTE FUNCTION %s.update_updated_column()` },
  { kind: "a trigger that keeps rows from being deleted", caughtByRowCheck: true, sql: `CREATE FUNCTION %s.keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$; CREATE TRIGGER keep BEFORE DELETE ON %s.pack FOR EACH ROW EXECUTE FUNCTION %s.keep()` },
  { kind: "a check constraint", sql: `ALTER TABLE %s.pack ADD CONSTRAINT short_label CHECK (length(label) < 100)` },
  { kind: "a sequence's increment", sql: `ALTER SEQUENCE %s.pack_id_seq INCREMENT BY 5` },
  { kind: "a comment", sql: `COMMENT ON TABLE %s.pack IS 'changed'` },
  { kind: "a statistics object", sql: `CREATE STATISTICS %s.s ON ref, label FROM %s.pack` },
  { kind: "a column's statistics target", sql: `ALTER TABLE %s.pack ALTER COLUMN label SET STATISTICS 500` },
  { kind: "a dropped column", sql: `ALTER TABLE %s.pack DROP COLUMN description` },
  // Harmless (only the table's file changes), but a changed catalog row all the same: dropped, conservatively.
  { kind: "a truncated table (new file)", sql: `TRUNCATE %s.pack CASCADE`, harmless: true },
  { kind: "a migration row", caughtByRowCheck: true, sql: `INSERT INTO %s._prisma_migrations (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ('x', 'y', 'z', now(), 1)` },
];
export const BENIGN: readonly { kind: string; sql: string }[] = [
  { kind: "rows only", sql: `INSERT INTO %s.pack (ref, label, version) VALUES ('two', 'Two', '1.0.0')` },
  { kind: "setval", sql: `SELECT setval('%s.pack_id_seq', 1000)` },
  { kind: "nextval", sql: `SELECT nextval('%s.execution_id_seq')` },
  { kind: "ANALYZE", sql: `ANALYZE %s.pack` },
  { kind: "VACUUM", sql: `VACUUM %s.pack` },
  { kind: "a rolled-back DDL", sql: `BEGIN; ALTER TABLE %s.pack ADD COLUMN gone int; ROLLBACK` },
];

/**
 * A bench for recycling: provisioners with a fingerprint of their own (so
 * that only their own schemas are pooled for them), and a fresh schema's
 * catalog and data dumps to compare released schemas with.
 */
export class RecyclingBench {
  private readonly opened: SchemaProvisioner[] = [];
  // A pool, not one client: the table's rows run concurrently, and a dump is a transaction of its own.
  private admin!: pg.Pool;
  private fresh: string[] = [];
  // Each row builds and drops a schema (~450 locks apiece): a few at a time keeps the server's
  // shared lock table (64 × max_connections slots by default) free for the other test runs on it.
  private readonly rowSlots = pLimit(2);

  constructor(private readonly url: string) {}

  async open(): Promise<void> {
    this.admin = new pg.Pool({ ...provisionerConnectionConfig(this.url, "attune-db:recycling-bench"), max: 8, connectionTimeoutMillis: 120_000 });
    const p = await this.provisioner();
    const reference = await p.create();
    this.fresh = await this.dump(reference.schema);
    await reference.drop();
  }

  async close(): Promise<void> {
    for (const p of this.opened) await closeAndReap(p);
    await this.admin.end();
  }

  /** A provisioner for one row of a table: closed (and its schemas reaped) as soon as the row is done, so concurrent rows hold few connections. */
  withProvisioner<T>(options: Partial<SchemaProvisionerOptions>, use: (p: SchemaProvisioner) => Promise<T>): Promise<T> {
    return this.rowSlots(async () => {
      const p = await this.provisioner(options);
      try {
        return await use(p);
      } finally {
        this.opened.splice(this.opened.indexOf(p), 1);
        await closeAndReap(p);
      }
    });
  }

  async provisioner(options: Partial<SchemaProvisionerOptions> = {}): Promise<SchemaProvisioner> {
    const migrator: SchemaMigrator = { ...prismaMigrationsMigrator(), hash: () => `recycle_${Date.now()}_${Math.random()}` };
    const p = await SchemaProvisioner.open({ url: this.url, poolSize: 1, migrator, recycle: true, ...options });
    this.opened.push(p);
    return p;
  }

  /** Runs `sql` (`%s`: the quoted schema) on a new schema of `p` after seeding a row, releases it, and reports its fate. */
  async releaseAfter(p: SchemaProvisioner, sql: string): Promise<Fate> {
    const used = await p.create();
    const q = `"${used.schema}"`;
    const client = await connectPgClient(this.url, REGISTRY_SCHEMA);
    try {
      await client.query(SEED.replaceAll("%s", q));
      await client.query(sql.replaceAll("%s", q)); // one simple query: several statements allowed
    } finally {
      await client.end();
    }
    await used.drop(); // released, and recycled or dropped
    return this.fate(used.schema);
  }

  /** What happened to a released schema: dropped, or back in the pool (then: how it differs from a fresh one). */
  async fate(schema: string): Promise<Fate> {
    const { rows } = await this.admin.query(
      `SELECT to_regnamespace($1) IS NULL AS gone, (SELECT state FROM ${REGISTRY_TABLE} WHERE name = $1) AS state`,
      [schema],
    );
    if (rows[0].gone) return { dropped: true };
    const now = await this.dump(schema);
    const differences = [
      ...now.filter((l) => !this.fresh.includes(l)).map((l) => `+ ${l}`),
      ...this.fresh.filter((l) => !now.includes(l)).map((l) => `- ${l}`),
    ];
    return { dropped: false, state: rows[0].state, differences };
  }

  private async dump(schema: string): Promise<string[]> {
    const client = await this.admin.connect();
    try {
      return [...(await catalogDump(client, schema)), ...(await dataDump(client, schema))];
    } finally {
      client.release();
    }
  }

  query(sql: string): Promise<pg.QueryResult> {
    return this.admin.query(sql);
  }
}

async function closeAndReap(p: SchemaProvisioner): Promise<void> {
  await p.close();
  await p.reap({ runId: p.runId }).catch(() => {});
}

export type Fate = { dropped: true } | { dropped: false; state: string; differences: string[] };
