import crypto from "node:crypto";
import type pg from "pg";
import { withPgClient } from "../client/connect-pg-client.ts";
import { resolveClientTarget } from "../config/resolve-client-target.ts";
import { MigrationChecksumMismatchError } from "../errors/migration-checksum-mismatch-error.ts";
import { MigrationError } from "../errors/migration-error.ts";
import { quoteSchema } from "../schema/schema-name.ts";
import { ensureSharedExtensions } from "./ensure-shared-extensions.ts";
import { lockSchemaForMigration, unlockSchemaForMigration } from "./migration-lock.ts";
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles, type MigrationFile } from "./migration-files.ts";
import {
  CREATE_PRISMA_MIGRATIONS_TABLE,
  SELECT_APPLIED_MIGRATIONS,
  sqlLiteral,
  type AppliedMigrationRow,
} from "./prisma-migrations-table.ts";
import { splitSqlStatements } from "./split-sql-statements.ts";

export interface MigrateOptions {
  /** Datasource URL. Default is `DATABASE_URL`. */
  readonly url?: string;
  /** Schema to migrate (created if missing). Default is the URL's `?schema=`, else the configured schema. */
  readonly schema?: string;
  /** Default is this package's `prisma/migrations`. */
  readonly migrationsDir?: string;
  /** Progress messages (one line each). Default is silent. */
  readonly log?: (message: string) => void;
}

export interface MigrateResult {
  readonly schema: string;
  /** Migrations applied by this call, in order. */
  readonly applied: readonly string[];
  /** Migrations that were already applied before this call. */
  readonly alreadyApplied: readonly string[];
}

/**
 * Creates `schema` if needed and applies the pending migrations under an
 * advisory lock on that schema, each in its own transaction as `prisma migrate
 * deploy` does (so a migration may use an enum value an earlier one added),
 * recording each in the schema's `_prisma_migrations` exactly as Prisma does.
 * Re-running applies nothing. A failing migration is rolled back and not
 * recorded (the ones before it stay applied); the {@link MigrationError} names
 * it, the failing statement and its line.
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  const { url, schema } = resolveClientTarget({ url: options.url, schema: options.schema, maxConnections: 1 });
  const files = readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  return withPgClient(url, schema, (client) => migrateSchema(client, schema, files, { log: options.log }));
}

export interface MigrateSchemaOptions {
  readonly log?: (message: string) => void;
}

/**
 * {@link migrate} on a connection the caller owns (its search_path must start
 * with `schema`: the migrations' unqualified names are created there).
 * Runs its own transactions on it and holds the schema's migration lock until
 * it returns.
 */
export async function migrateSchema(
  client: pg.ClientBase,
  schema: string,
  files: readonly MigrationFile[],
  options: MigrateSchemaOptions = {},
): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  await ensureSharedExtensions(client);
  await lockSchemaForMigration(client, schema);
  try {
    const pending = pendingMigrations(schema, files, await prepareSchema(client, schema));
    if (pending.length > 0) {
      log(`Applying ${pending.length} migration(s) to schema "${schema}": ${pending.map((m) => m.name).join(", ")}`);
    }
    const applied: string[] = [];
    for (const migration of pending) {
      await applyMigration(client, schema, migration, applied);
      applied.push(migration.name);
    }
    log(pending.length > 0 ? `Schema "${schema}" is up to date.` : `Schema "${schema}" is already up to date.`);
    return { schema, applied, alreadyApplied: files.filter((f) => !pending.includes(f)).map((f) => f.name) };
  } finally {
    await unlockSchemaForMigration(client, schema).catch(() => {});
  }
}

/** The schema and Prisma's bookkeeping table (created if missing), and the rows already there. */
async function prepareSchema(client: pg.ClientBase, schema: string): Promise<AppliedMigrationRow[]> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(schema)}`);
  await client.query(CREATE_PRISMA_MIGRATIONS_TABLE);
  return (await client.query<AppliedMigrationRow>(SELECT_APPLIED_MIGRATIONS)).rows;
}

/**
 * The migrations to apply, after checking that the recorded history fits the
 * folder: no failed row, no applied migration changed or missing.
 */
function pendingMigrations(
  schema: string,
  files: readonly MigrationFile[],
  rows: readonly AppliedMigrationRow[],
): MigrationFile[] {
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} is recorded as failed in schema "${schema}" (finished_at is NULL). ` +
        `Resolve it first (e.g. \`prisma migrate resolve --rolled-back ${failed.migration_name}\`) or drop the schema.`,
      schema,
      failed.migration_name,
    );
  }
  const finished = rows.filter((row) => row.finished_at !== null);
  const byName = new Map(files.map((file) => [file.name, file]));
  const missing = finished.find((row) => !byName.has(row.migration_name));
  if (missing) {
    throw new MigrationError(
      `Migration ${missing.migration_name} was applied to schema "${schema}" but is not in the migrations folder. ` +
        `Restore it (applied migrations must never be deleted), or use the folder that built this schema.`,
      schema,
      missing.migration_name,
    );
  }
  for (const row of finished) {
    const file = byName.get(row.migration_name)!;
    if (row.checksum !== file.checksum) {
      throw new MigrationChecksumMismatchError(schema, file.name, row.checksum, file.checksum);
    }
  }
  const applied = new Set(finished.map((row) => row.migration_name));
  return files.filter((file) => !applied.has(file.name));
}

/**
 * One migration and its bookkeeping row in one transaction (one round trip
 * for the migration's statements and the row). `started_at` is the
 * transaction's start, `finished_at` the moment the migration's SQL finished.
 */
async function applyMigration(
  client: pg.ClientBase,
  schema: string,
  migration: MigrationFile,
  appliedBefore: readonly string[],
): Promise<void> {
  const record =
    `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) ` +
    `VALUES (${sqlLiteral(crypto.randomUUID())}, ${sqlLiteral(migration.checksum)}, clock_timestamp(), ${sqlLiteral(migration.name)}, now(), 1);`;
  await client.query("BEGIN");
  try {
    await client.query(`${migration.sql}\n;\n${record}`);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw await explainFailure(client, schema, migration, appliedBefore, error);
  }
}

/**
 * The migration failed and was rolled back. Replay it statement by statement
 * in a transaction that is rolled back too, to name the statement and line.
 */
async function explainFailure(
  client: pg.ClientBase,
  schema: string,
  migration: MigrationFile,
  appliedBefore: readonly string[],
  original: unknown,
): Promise<MigrationError> {
  const kept =
    `Migration ${migration.name} was rolled back and is not recorded` +
    (appliedBefore.length > 0 ? `; the ${appliedBefore.length} migration(s) applied before it in this run stay applied.` : ".");
  try {
    await client.query("BEGIN");
    for (const statement of splitSqlStatements(migration.sql)) {
      try {
        await client.query(statement.text);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return new MigrationError(
          `Migration ${migration.name} failed on schema "${schema}" at line ${statement.line}: ${reason}\n` +
            `  statement: ${excerpt(statement.text)}\n${kept}`,
          schema,
          migration.name,
          statement.text,
          { cause: error, line: statement.line },
        );
      }
    }
  } catch {
    // fall through to the error without a statement below
  } finally {
    await client.query("ROLLBACK").catch(() => {});
  }
  const message = original instanceof Error ? original.message : String(original);
  return new MigrationError(`Migration ${migration.name} failed on schema "${schema}": ${message}. ${kept}`, schema, migration.name, undefined, {
    cause: original,
  });
}

function excerpt(sql: string): string {
  const oneLine = sql.replace(/\s+/g, " ");
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}...` : oneLine;
}
