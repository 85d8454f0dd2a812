// The public surface of attune-db.
export { AttuneDbError } from "./errors/attune-db-error.ts";
export { ConfigError } from "./errors/config-error.ts";
export { DatabaseUnreachableError } from "./errors/database-unreachable-error.ts";
export { DatabaseUnavailableError, type UnavailableReason } from "./errors/database-unavailable-error.ts";
export { DatabaseError } from "./errors/database-error.ts";
export { InvalidDatabaseUrlError } from "./errors/invalid-database-url-error.ts";
export { InvalidSchemaNameError } from "./errors/invalid-schema-name-error.ts";
export { MigrationChecksumMismatchError } from "./errors/migration-checksum-mismatch-error.ts";
export { MigrationError } from "./errors/migration-error.ts";

export { loadDatabaseConfig, DEFAULT_SCHEMA, type DatabaseConfig } from "./config/load-database-config.ts";
export { withSchema, schemaFromUrl, maskPassword } from "./config/datasource-url.ts";
export { validateSchemaName, quoteSchema } from "./schema/schema-name.ts";

export { createPrismaClient, type CreatePrismaClientOptions } from "./client/create-prisma-client.ts";
export { PrismaClient, Prisma } from "../prisma/generated/client.ts";

export { migrate, type MigrateOptions, type MigrateResult } from "./migrations/migrate.ts";
export { migrationStatus, type MigrationStatus } from "./migrations/migration-status.ts";
export { migrationsFingerprint, readMigrationFiles, type MigrationFile } from "./migrations/migration-files.ts";

export { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded/start-embedded-postgres.ts";

export { NotFoundError } from "./errors/not-found-error.ts";
export { ConflictError } from "./errors/conflict-error.ts";
export { ForeignKeyError } from "./errors/foreign-key-error.ts";
export { CheckViolationError } from "./errors/check-violation-error.ts";
export { ConcurrentUpdateError } from "./errors/concurrent-update-error.ts";
export { ValidationError, type ValidationIssue } from "./errors/validation-error.ts";
export { createRepositories, type Repositories } from "./repositories/create-repositories.ts";
export type { Page, PageRequest } from "./repositories/common/pagination.ts";
export type { Id } from "./repositories/common/ids.ts";
export { toJson, toJsonValue, attuneJsonReplacer } from "./json/attune-json.ts";
export {
  listenNotifications,
  ATTUNE_NOTIFICATIONS_CHANNEL,
  type ListenOptions,
  type NotificationGap,
  type NotificationListener,
  type SchemaNotification,
} from "./notifications/listen-notifications.ts";
export { createTestSchema, type CreatedTestSchema } from "./provisioner/create-test-schema.ts";
export { SchemaProvisioner, type SchemaProvisionerOptions, type TestSchema } from "./provisioner/schema-provisioner.ts";
export { prismaMigrationsMigrator, type SchemaMigrator } from "./provisioner/schema-migrator.ts";
export { cleanupTestSchemas, type CleanupOptions } from "./provisioner/cleanup-test-schemas.ts";
