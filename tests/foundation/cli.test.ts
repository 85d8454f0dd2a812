import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate, withSchema } from "../../src/index.ts";
import { withoutSchema } from "../../src/config/datasource-url.ts";
import { readMigrationFiles } from "../../src/migrations/migration-files.ts";
import { freshSchema, testSchema } from "../../src/testing/index.ts";
import { runCli } from "../support/child-process.ts";
import { addMigration, copyMigrations } from "../support/migrations-copy.ts";
import { withClient } from "../support/pg.ts";

const server = () => withoutSchema(testSchema().url);
/** The file's environment names its own schema; each test says what it wants instead. */
const NO_CONFIG = { DATABASE_URL: "", ATTUNE_DB_SCHEMA: "" };
const count = (text: string, needle: string) => text.split(needle).length - 1;
const schemaExists = (schema: string) =>
  withClient(async (client) => (await client.query("SELECT to_regnamespace($1) IS NOT NULL AS ok", [schema])).rows[0].ok as boolean);

describe("attune-db CLI", () => {
  it.each(["migrate", "status"])("%s refuses to run without a database instead of using a throwaway embedded one", async (command) => {
    const { code, stdout, stderr } = await runCli([command], NO_CONFIG);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^attune-db: ${command} needs a database: set DATABASE_URL or pass --url`));
    expect(stderr).not.toMatch(/embedded PostgreSQL on port/);
    expect(stdout).toBe("");
  });

  it("status and migrate after an applied migration changed: counts it once, and both exit 1", async () => {
    const { schema } = await freshSchema({ empty: true });
    await migrate({ url: server(), schema });
    const first = readMigrationFiles()[0]!.name;
    await withClient((client) =>
      client.query(`UPDATE "${schema}"._prisma_migrations SET checksum = repeat('0', 64) WHERE migration_name = $1`, [first]),
    );

    const status = await runCli(["status", "--url", server(), "--schema", schema], NO_CONFIG);
    expect(status.code).toBe(1);
    expect(count(status.stdout, first)).toBe(1);
    expect(status.stdout).toContain(`applied  ${first}  (MODIFIED since applied)`);
    expect(status.stdout).toMatch(/Not up to date: 0 pending, 1 modified since applied\. `attune-db migrate` refuses/);

    const migrated = await runCli(["migrate", "--url", server(), "--schema", schema], NO_CONFIG);
    expect(migrated.code).toBe(1);
    expect(migrated.stderr).toMatch(new RegExp(`Migration ${first} was modified after it was applied`));
    expect(migrated.stdout).not.toMatch(/up to date/);
  });

  it("status and migrate after an applied migration was deleted: lists it once, and both exit 1", async () => {
    const copy = copyMigrations();
    try {
      const { schema } = await freshSchema({ empty: true });
      addMigration(copy.dir, "29990101000000_deleted_later", "CREATE TABLE deleted_later (id int);\n");
      await migrate({ url: server(), schema, migrationsDir: copy.dir });

      // The CLI reads the package's own folder, which lacks that migration.
      const status = await runCli(["status", "--url", server(), "--schema", schema], NO_CONFIG);
      expect(status.code).toBe(1);
      expect(count(status.stdout, "29990101000000_deleted_later")).toBe(1);
      expect(status.stdout).toContain("unknown  29990101000000_deleted_later (applied, not in prisma/migrations)");
      expect(status.stdout).toMatch(/Not up to date: 0 pending, 1 applied but missing from prisma\/migrations\./);
      const json = JSON.parse((await runCli(["status", "--url", server(), "--schema", schema, "--json"], NO_CONFIG)).stdout);
      expect(json).toMatchObject({ pending: [], unknown: ["29990101000000_deleted_later"], upToDate: false });
      expect(json.applied.map((m: { name: string }) => m.name)).toEqual(readMigrationFiles().map((m) => m.name));

      const migrated = await runCli(["migrate", "--url", server(), "--schema", schema], NO_CONFIG);
      expect(migrated.code).toBe(1);
      expect(migrated.stderr).toMatch(/Migration 29990101000000_deleted_later was applied to schema "test_\w+" but is not in the migrations folder/);
    } finally {
      copy.remove();
    }
  });

  it("validate-config masks passwords in the user info and in ?password= / ?sslpassword=", async () => {
    const url = "postgresql://app:userinfo_secret@db.example:5432/attune?password=param_secret&sslpassword=ssl_secret&schema=attune";
    for (const args of [["validate-config"], ["validate-config", "--json"]]) {
      const { code, stdout } = await runCli(args, { ...NO_CONFIG, DATABASE_URL: url });
      expect(code).toBe(0);
      expect(stdout).toContain("db.example");
      expect(stdout).not.toMatch(/userinfo_secret|param_secret|ssl_secret/);
      expect(count(stdout, "****")).toBe(3);
    }
  });

  it("lets an environment DATABASE_URL with ?schema= win over .env's ATTUNE_DB_SCHEMA", async () => {
    const [a, b] = [await freshSchema({ empty: true }), await freshSchema({ empty: true })];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "attune-db-dotenv-"));
    try {
      fs.writeFileSync(path.join(dir, ".env"), `ATTUNE_DB_SCHEMA=${b.schema}\n`);
      const env = { ...NO_CONFIG, DATABASE_URL: withSchema(server(), a.schema), DOTENV_CONFIG_PATH: path.join(dir, ".env") };
      const config = await runCli(["validate-config"], env);
      expect(config.code).toBe(0);
      expect(config.stdout).toMatch(new RegExp(`schema +${a.schema} \\(explicit\\)`));
      const migrated = await runCli(["migrate"], env);
      expect(migrated.stderr).toBe("");
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toContain(`already applied, schema "${a.schema}"`);
      expect(await schemaExists(a.schema)).toBe(true);
      expect(await schemaExists(b.schema)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
