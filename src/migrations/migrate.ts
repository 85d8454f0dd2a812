import crypto from "node:crypto";
import type pg from "pg";
import { withPgClient } from "../client/connect-pg-client.ts";
import { resolveClientTarget } from "../config/resolve-client-target.ts";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { MigrationChecksumMismatchError } from "../errors/migration-checksum-mismatch-error.ts";
import { MigrationError } from "../errors/migration-error.ts";
import { quoteSchema } from "../schema/schema-name.ts";
import { ensureSharedExtensions } from "./ensure-shared-extensions.ts";
import { lockSchemaForMigration } from "./migration-lock.ts";
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
 * Creates `schema` if needed and applies the pending migrations, all in one
 * transaction under an advisory lock on that schema, recording them in the
 * schema's `_prisma_migrations` exactly as Prisma does. Re-running applies
 * nothing. If anything fails, nothing of the run is committed and the
 * {@link MigrationError} names the migration and the failing statement.
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  const { url, schema } = resolveClientTarget({ url: options.url, schema: options.schema, maxConnections: 1 });
  const files = readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  return withPgClient(url, schema, (client) => migrateSchema(client, schema, files, { log: options.log }));
}

export interface MigrateSchemaOptions {
  readonly log?: (message: string) => void;
  /** Runs inside the migration transaction, after the migrations: e.g. to mark the schema ready. */
  readonly beforeCommit?: (client: pg.ClientBase) => Promise<void>;
}

/**
 * {@link migrate} on a connection the caller owns (its search_path must start
 * with `schema`). Runs its own transaction on it.
 */
export async function migrateSchema(
  client: pg.ClientBase,
  schema: string,
  files: readonly MigrationFile[],
  options: MigrateSchemaOptions = {},
): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  await ensureSharedExtensions(client);
  await client.query("BEGIN");
  let pending: readonly MigrationFile[] = [];
  try {
    const applied = await prepareSchema(client, schema);
    pending = pendingMigrations(schema, files, applied);
    if (pending.length > 0) {
      log(`Applying ${pending.length} migration(s) to schema "${schema}": ${pending.map((m) => m.name).join(", ")}`);
      await client.query(applyScript(pending));
    }
    await options.beforeCommit?.(client);
    await client.query("COMMIT");
    log(pending.length > 0 ? `Schema "${schema}" is up to date.` : `Schema "${schema}" is already up to date.`);
    return {
      schema,
      applied: pending.map((m) => m.name),
      alreadyApplied: files.filter((f) => !pending.includes(f)).map((f) => f.name),
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    if (error instanceof AttuneDbError || pending.length === 0) throw error;
    throw await explainFailure(client, schema, pending, error);
  }
}

async function prepareSchema(client: pg.ClientBase, schema: string): Promise<AppliedMigrationRow[]> {
  await lockSchemaForMigration(client, schema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(schema)}`);
  await client.query(CREATE_PRISMA_MIGRATIONS_TABLE);
  return (await client.query<AppliedMigrationRow>(SELECT_APPLIED_MIGRATIONS)).rows;
}

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
  const applied = new Map(rows.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row]));
  for (const file of files) {
    const row = applied.get(file.name);
    if (row && row.checksum !== file.checksum) {
      throw new MigrationChecksumMismatchError(schema, file.name, row.checksum, file.checksum);
    }
  }
  return files.filter((file) => !applied.has(file.name));
}

/** Every pending migration and its bookkeeping row, as one round trip. */
function applyScript(pending: readonly MigrationFile[]): string {
  const rows = pending.map(
    (m) =>
      `(${sqlLiteral(crypto.randomUUID())}, ${sqlLiteral(m.checksum)}, clock_timestamp(), ${sqlLiteral(m.name)}, now(), 1)`,
  );
  return [
    ...pending.map((m) => `${m.sql}\n;`),
    `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ${rows.join(", ")};`,
  ].join("\n");
}

/**
 * The batch failed and was rolled back. Replay it statement by statement in a
 * transaction that is rolled back too, to name the migration and statement.
 */
async function explainFailure(
  client: pg.ClientBase,
  schema: string,
  pending: readonly MigrationFile[],
  original: unknown,
): Promise<MigrationError> {
  const message = original instanceof Error ? original.message : String(original);
  try {
    await client.query("BEGIN");
    await prepareSchema(client, schema);
    for (const migration of pending) {
      for (const statement of splitSqlStatements(migration.sql)) {
        try {
          await client.query(statement.text);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          return new MigrationError(
            `Migration ${migration.name} failed on schema "${schema}" at line ${statement.line}: ${reason}\n` +
              `  statement: ${excerpt(statement.text)}\n` +
              `Nothing was applied: the schema is as it was before this run.`,
            schema,
            migration.name,
            statement.text,
            { cause: error },
          );
        }
      }
    }
  } catch {
    // fall through to the generic error below
  } finally {
    await client.query("ROLLBACK").catch(() => {});
  }
  return new MigrationError(
    `Migrating schema "${schema}" failed: ${message}. Nothing was applied: the schema is as it was before this run.`,
    schema,
    undefined,
    undefined,
    { cause: original },
  );
}

function excerpt(sql: string): string {
  const oneLine = sql.replace(/\s+/g, " ");
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}...` : oneLine;
}
