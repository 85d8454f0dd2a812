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
   * Creates and migrates `schema` on `client` (search_path already set). It
   * may commit as it goes (one transaction per migration, say): the schema is
   * registered as `building` meanwhile, so a crash leaves an orphan that the
   * sweep drops, and the provisioner marks it ready only after this returns.
   */
  migrate(client: pg.ClientBase, schema: string): Promise<void>;
}

/** The project's own runner over a Prisma migrations folder. */
export function prismaMigrationsMigrator(dir: string = DEFAULT_MIGRATIONS_DIR): SchemaMigrator {
  return {
    hash: () => migrationsFingerprint(dir),
    migrate: async (client, schema) => {
      await migrateSchema(client, schema, readMigrationFiles(dir));
    },
  };
}
