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

  it("leaves the schema as it was when a migration fails, naming the migration and the statement", async () => {
    const copy = copyMigrations();
    try {
      const { schema } = await freshSchema({ empty: true });
      await migrate({ url: serverUrl(), schema, migrationsDir: copy.dir });
      addMigration(
        copy.dir,
        "29990101000000_broken",
        "-- a migration that fails halfway\nCREATE TABLE half_done (id int);\n\nALTER TABLE pack ADD COLUMN oops no_such_type;\n",
      );
      const error = await migrate({ url: serverUrl(), schema, migrationsDir: copy.dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe("29990101000000_broken");
      expect((error as MigrationError).message).toMatch(/Migration 29990101000000_broken failed on schema "test_\w+" at line 4: type "no_such_type" does not exist/);
      expect((error as MigrationError).statement).toBe("ALTER TABLE pack ADD COLUMN oops no_such_type");

      await withClient(async (client) => {
        expect(await tableNames(client, schema)).not.toContain("half_done");
        const recorded = await client.query(`SELECT count(*)::int AS n FROM "${schema}"._prisma_migrations`);
        expect(recorded.rows[0].n).toBe(readMigrationFiles().length);
      });
    } finally {
      copy.remove();
    }
  });

  it("creates nothing at all when the first run fails", async () => {
    const copy = copyMigrations();
    try {
      addMigration(copy.dir, "29990101000000_broken", "SELECT 1/0;");
      const { schema } = await freshSchema({ empty: true });
      await expect(migrate({ url: serverUrl(), schema, migrationsDir: copy.dir })).rejects.toThrow(/division by zero/);
      const status = await migrationStatus({ url: serverUrl(), schema, migrationsDir: copy.dir });
      expect(status.schemaExists).toBe(false);
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
