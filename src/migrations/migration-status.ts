import { withPgClient } from "../client/connect-pg-client.ts";
import { resolveClientTarget } from "../config/resolve-client-target.ts";
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from "./migration-files.ts";
import { SELECT_APPLIED_MIGRATIONS, type AppliedMigrationRow } from "./prisma-migrations-table.ts";

export interface MigrationStatusOptions {
  readonly url?: string;
  readonly schema?: string;
  readonly migrationsDir?: string;
}

export interface AppliedMigration {
  readonly name: string;
  readonly finishedAt: Date;
  /** The file changed after it was applied. */
  readonly modified: boolean;
}

export interface MigrationStatus {
  readonly schema: string;
  readonly schemaExists: boolean;
  /** Applied migrations that are in the migrations folder (the others are in `unknown`). */
  readonly applied: readonly AppliedMigration[];
  readonly pending: readonly string[];
  /** Recorded as started but never finished (a failed `prisma migrate deploy`). */
  readonly failed: readonly string[];
  /** Applied to the database but absent from the migrations folder. */
  readonly unknown: readonly string[];
  readonly upToDate: boolean;
}

/** Applied and pending migrations of one schema. Reads only; creates nothing. */
export async function migrationStatus(options: MigrationStatusOptions = {}): Promise<MigrationStatus> {
  const { url, schema } = resolveClientTarget({ url: options.url, schema: options.schema, maxConnections: 1 });
  const files = readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  return withPgClient(url, schema, async (client) => {
    const exists = await client.query<{ schema_exists: boolean; table_exists: boolean }>(
      `SELECT to_regnamespace($1) IS NOT NULL AS schema_exists,
              to_regclass(format('%I._prisma_migrations', $1::text)) IS NOT NULL AS table_exists`,
      [schema],
    );
    const { schema_exists, table_exists } = exists.rows[0]!;
    const rows = table_exists ? (await client.query<AppliedMigrationRow>(SELECT_APPLIED_MIGRATIONS)).rows : [];
    const byName = new Map(files.map((f) => [f.name, f]));
    const finished = rows.filter((r) => r.finished_at !== null);
    const applied = finished
      .filter((r) => byName.has(r.migration_name))
      .map((r) => ({ name: r.migration_name, finishedAt: r.finished_at!, modified: byName.get(r.migration_name)!.checksum !== r.checksum }));
    const unknown = finished.filter((r) => !byName.has(r.migration_name)).map((r) => r.migration_name);
    const finishedNames = new Set(finished.map((r) => r.migration_name));
    const pending = files.filter((f) => !finishedNames.has(f.name)).map((f) => f.name);
    const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null).map((r) => r.migration_name);
    return {
      schema,
      schemaExists: schema_exists,
      applied,
      pending,
      failed,
      unknown,
      upToDate: pending.length === 0 && failed.length === 0 && unknown.length === 0 && applied.every((a) => !a.modified),
    };
  });
}
