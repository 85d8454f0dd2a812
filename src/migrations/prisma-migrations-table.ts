/**
 * Prisma's own bookkeeping table, column for column as its schema engine
 * creates it, so `prisma migrate deploy` / `status` agree with our runner.
 */
export const CREATE_PRISMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface AppliedMigrationRow {
  readonly migration_name: string;
  readonly checksum: string;
  readonly finished_at: Date | null;
  readonly rolled_back_at: Date | null;
}

export const SELECT_APPLIED_MIGRATIONS = `SELECT migration_name, checksum, finished_at, rolled_back_at
  FROM "_prisma_migrations" ORDER BY started_at, migration_name`;

/** SQL string literal (standard_conforming_strings is on in every supported PostgreSQL). */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
