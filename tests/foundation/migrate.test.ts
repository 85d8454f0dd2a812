import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  InvalidSchemaNameError,
  MigrationChecksumMismatchError,
  MigrationError,
  migrate,
  migrationStatus,
  readMigrationFiles,
} from "../../src/index.ts";
import { DEFAULT_MIGRATIONS_DIR } from "../../src/migrations/migration-files.ts";
import { freshSchema, testSchema } from "../../src/testing/index.ts";
import { addMigration, copyMigrations } from "../support/migrations-copy.ts";
import { tableNames, withClient } from "../support/pg.ts";

const serverUrl = () => testSchema().url;

describe("migrate", () => {
  it("gives two schemas of one database two complete, independent copies; a second run applies nothing", async () => {
    const [a, b] = [await freshSchema({ empty: true }), await freshSchema({ empty: true })];
    const first = await migrate({ url: serverUrl(), schema: a.schema });
    await migrate({ url: serverUrl(), schema: b.schema });
    const names = readMigrationFiles().map((m) => m.name);
    expect(first.applied).toEqual(names);

    const again = await migrate({ url: serverUrl(), schema: a.schema });
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(names);

    await withClient(async (client) => {
      const tablesA = await tableNames(client, a.schema);
      expect(tablesA).toHaveLength(26); // 25 attune tables + _prisma_migrations
      expect(await tableNames(client, b.schema)).toEqual(tablesA);
      await client.query(`INSERT INTO "${a.schema}".identity (login) VALUES ('only-in-a')`);
      const inB = await client.query(`SELECT count(*)::int AS n FROM "${b.schema}".identity`);
      expect(inB.rows[0].n).toBe(0);
    });
  });

  it("records migrations in _prisma_migrations exactly as Prisma does", async () => {
    const { schema } = await freshSchema({ empty: true });
    await migrate({ url: serverUrl(), schema });
    await withClient(async (client) => {
      const columns = await client.query(
        `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
           FROM information_schema.columns WHERE table_schema = $1 AND table_name = '_prisma_migrations'
          ORDER BY ordinal_position`,
        [schema],
      );
      expect(columns.rows).toEqual([
        { column_name: "id", data_type: "character varying", character_maximum_length: 36, is_nullable: "NO", column_default: null },
        { column_name: "checksum", data_type: "character varying", character_maximum_length: 64, is_nullable: "NO", column_default: null },
        { column_name: "finished_at", data_type: "timestamp with time zone", character_maximum_length: null, is_nullable: "YES", column_default: null },
        { column_name: "migration_name", data_type: "character varying", character_maximum_length: 255, is_nullable: "NO", column_default: null },
        { column_name: "logs", data_type: "text", character_maximum_length: null, is_nullable: "YES", column_default: null },
        { column_name: "rolled_back_at", data_type: "timestamp with time zone", character_maximum_length: null, is_nullable: "YES", column_default: null },
        { column_name: "started_at", data_type: "timestamp with time zone", character_maximum_length: null, is_nullable: "NO", column_default: "now()" },
        { column_name: "applied_steps_count", data_type: "integer", character_maximum_length: null, is_nullable: "NO", column_default: "0" },
      ]);
      const rows = await client.query(
        `SELECT id, migration_name, checksum, finished_at, applied_steps_count, logs, rolled_back_at
           FROM "${schema}"._prisma_migrations ORDER BY migration_name`,
      );
      const folders = fs.readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => f !== "migration_lock.toml").sort();
      expect(rows.rows.map((r) => r.migration_name)).toEqual(folders);
      for (const row of rows.rows) {
        const sql = fs.readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, row.migration_name, "migration.sql"));
        expect(row.checksum).toBe(crypto.createHash("sha256").update(sql).digest("hex"));
        expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row).toMatchObject({ applied_steps_count: 1, logs: null, rolled_back_at: null });
      }
    });
  });

  it("reports pending and applied migrations", async () => {
    const { schema } = await freshSchema({ empty: true });
    const before = await migrationStatus({ url: serverUrl(), schema });
    expect(before).toMatchObject({ schemaExists: false, applied: [], upToDate: false });
    expect(before.pending).toEqual(readMigrationFiles().map((m) => m.name));
    await migrate({ url: serverUrl(), schema });
    const after = await migrationStatus({ url: serverUrl(), schema });
    expect(after).toMatchObject({ schemaExists: true, pending: [], failed: [], unknown: [], upToDate: true });
    expect(after.applied.map((m) => m.name)).toEqual(before.pending);
  });

  it("refuses to re-apply a migration whose file changed after it was applied", async () => {
    const copy = copyMigrations();
    try {
      const { schema } = await freshSchema({ empty: true });
      await migrate({ url: serverUrl(), schema, migrationsDir: copy.dir });
      const [first] = readMigrationFiles(copy.dir);
      fs.appendFileSync(path.join(copy.dir, first!.name, "migration.sql"), "\n-- edited afterwards\n");

      const attempt = migrate({ url: serverUrl(), schema, migrationsDir: copy.dir });
      await expect(attempt).rejects.toThrow(MigrationChecksumMismatchError);
      await expect(migrate({ url: serverUrl(), schema, migrationsDir: copy.dir })).rejects.toThrow(
        new RegExp(`Migration ${first!.name} was modified after it was applied`),
      );
      const status = await migrationStatus({ url: serverUrl(), schema, migrationsDir: copy.dir });
      expect(status.applied.find((m) => m.name === first!.name)?.modified).toBe(true);
      expect(status.upToDate).toBe(false);
    } finally {
      copy.remove();
    }
  });

  it("rolls back only the failing migration, naming it, the statement and its line", async () => {
    const copy = copyMigrations();
    try {
      const { schema } = await freshSchema({ empty: true });
      await migrate({ url: serverUrl(), schema, migrationsDir: copy.dir });
      addMigration(copy.dir, "29990101000000_fine", "CREATE TABLE fine_table (id int);\n");
      addMigration(
        copy.dir,
        "29990101000001_broken",
        "-- a migration that fails halfway\nCREATE TABLE half_done (id int);\n\nALTER TABLE pack ADD COLUMN oops no_such_type;\n",
      );
      const error = await migrate({ url: serverUrl(), schema, migrationsDir: copy.dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error).toMatchObject({ migration: "29990101000001_broken", line: 4, statement: "ALTER TABLE pack ADD COLUMN oops no_such_type" });
      expect((error as MigrationError).message).toMatch(
        /Migration 29990101000001_broken failed on schema "test_\w+" at line 4: type "no_such_type" does not exist/,
      );
      expect((error as MigrationError).message).toMatch(/the 1 migration\(s\) applied before it in this run stay applied/);

      await withClient(async (client) => {
        const tables = await tableNames(client, schema);
        expect(tables).toContain("fine_table");
        expect(tables).not.toContain("half_done");
        const recorded = await client.query(`SELECT migration_name FROM "${schema}"._prisma_migrations ORDER BY started_at`);
        expect(recorded.rows.map((r) => r.migration_name)).toEqual([...readMigrationFiles().map((m) => m.name), "29990101000000_fine"]);
      });
      const status = await migrationStatus({ url: serverUrl(), schema, migrationsDir: copy.dir });
      expect(status).toMatchObject({ pending: ["29990101000001_broken"], failed: [], upToDate: false });
    } finally {
      copy.remove();
    }
  });

  it("applies each migration in its own transaction with its own rows, so a migration can use an enum value the one before added", async () => {
    const copy = copyMigrations();
    try {
      addMigration(copy.dir, "29990101000000_add_paused", "ALTER TYPE execution_status_enum ADD VALUE 'paused';\n");
      addMigration(copy.dir, "29990101000001_use_paused", "CREATE INDEX execution_paused_idx ON execution (id) WHERE status = 'paused';\n");
      const { schema } = await freshSchema({ empty: true });
      const result = await migrate({ url: serverUrl(), schema, migrationsDir: copy.dir });
      expect(result.applied.slice(-2)).toEqual(["29990101000000_add_paused", "29990101000001_use_paused"]);
      await withClient(async (client) => {
        const index = await client.query(`SELECT to_regclass(format('%I.execution_paused_idx', $1::text)) IS NOT NULL AS ok`, [schema]);
        expect(index.rows[0].ok).toBe(true);
        const rows = await client.query<{ migration_name: string; started_at: Date; finished_at: Date; xmin: string }>(
          `SELECT migration_name, started_at, finished_at, xmin::text FROM "${schema}"._prisma_migrations ORDER BY started_at`,
        );
        // One transaction per migration: each row written by its own, each started after the previous one finished.
        expect(new Set(rows.rows.map((r) => r.xmin)).size).toBe(rows.rows.length);
        for (const [previous, row] of rows.rows.slice(0, -1).map((r, i) => [r, rows.rows[i + 1]!] as const)) {
          expect(row.started_at.getTime()).toBeGreaterThanOrEqual(previous.finished_at.getTime());
          expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
        }
      });
      expect((await migrationStatus({ url: serverUrl(), schema, migrationsDir: copy.dir })).upToDate).toBe(true);
    } finally {
      copy.remove();
    }
  });

  it("refuses to run when an applied migration is missing from the folder", async () => {
    const copy = copyMigrations();
    try {
      const { schema } = await freshSchema({ empty: true });
      addMigration(copy.dir, "29990101000000_later_deleted", "CREATE TABLE gone_later (id int);\n");
      await migrate({ url: serverUrl(), schema, migrationsDir: copy.dir });
      fs.rmSync(path.join(copy.dir, "29990101000000_later_deleted"), { recursive: true });
      const error = await migrate({ url: serverUrl(), schema, migrationsDir: copy.dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error).toMatchObject({ migration: "29990101000000_later_deleted" });
      expect((error as Error).message).toMatch(/was applied to schema "test_\w+" but is not in the migrations folder/);
    } finally {
      copy.remove();
    }
  });

  it.each(['Robert"; DROP SCHEMA public;--', "pg_catalog", "a".repeat(64), "", "école"])(
    "rejects the schema name %j before touching the database",
    async (schema) => {
      // The URL points nowhere: a validation error proves no connection was attempted.
      await expect(migrate({ url: "postgresql://postgres@127.0.0.1:1/nowhere", schema })).rejects.toThrow(InvalidSchemaNameError);
    },
  );
});
