import type pg from "pg";
import { migrateSchema } from "../migrations/migrate.ts";
import { DEFAULT_MIGRATIONS_DIR, migrationsFingerprint, readMigrationFiles } from "../migrations/migration-files.ts";

/**
 * What the provisioner needs from a migration tool: a hash of what it would
 * apply (schemas are pooled per hash) and a way to apply it to one schema.
 */
export interface SchemaMigrator {
  hash(): string;
  /**
   * Creates and migrates `schema` on `client` (search_path already set), and
   * calls `beforeCommit` inside the same transaction.
   */
  migrate(client: pg.ClientBase, schema: string, beforeCommit: (client: pg.ClientBase) => Promise<void>): Promise<void>;
}

/** The project's own runner over a Prisma migrations folder. */
export function prismaMigrationsMigrator(dir: string = DEFAULT_MIGRATIONS_DIR): SchemaMigrator {
  return {
    hash: () => migrationsFingerprint(dir),
    migrate: async (client, schema, beforeCommit) => {
      await migrateSchema(client, schema, readMigrationFiles(dir), { beforeCommit });
    },
  };
}
