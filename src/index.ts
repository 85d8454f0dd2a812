// `attune-db`: the production surface. Test schemas are in `attune-db/testing`.

// The data model: PrismaClient, the Prisma namespace, every model type (Pack, Action, Execution...)
// and every enum (ExecutionStatus, ...), as generated from prisma/schema.prisma.
export * from "../prisma/generated/client.ts";

// Client, configuration, schema names
export { createPrismaClient, type CreatePrismaClientOptions } from "./client/create-prisma-client.ts";
export { loadDatabaseConfig, DEFAULT_SCHEMA, type DatabaseConfig, type LoadDatabaseConfigOptions } from "./config/load-database-config.ts";
export { resolveClientTarget, type ClientTargetOptions, type ResolvedClientTarget } from "./config/resolve-client-target.ts";
export { withSchema, schemaFromUrl, maskPassword } from "./config/datasource-url.ts";
export { validateSchemaName, quoteSchema } from "./schema/schema-name.ts";

// Tenants: many schemas over one bounded pool
export {
  createTenantClients,
  DEFAULT_MAX_CACHED_TENANTS,
  type TenantClient,
  type TenantClients,
  type TenantClientsOptions,
} from "./tenants/create-tenant-clients.ts";
export { createTenant, validateTenantName, type CreateTenantResult } from "./tenants/create-tenant.ts";
export { listTenants, type TenantInfo } from "./tenants/list-tenants.ts";
export { migrateTenants, type MigrateTenantsReport, type TenantMigrationOutcome } from "./tenants/migrate-tenants.ts";
export { tenantStatus, type TenantState, type TenantStatus, type TenantStatusReport } from "./tenants/tenant-status.ts";
export { dropTenant } from "./tenants/drop-tenant.ts";
export { TENANT_REGISTRY_SCHEMA } from "./tenants/tenant-registry.ts";
export {
  DEFAULT_TENANT_CONCURRENCY,
  type BulkTenantOptions,
  type TenantFilter,
  type TenantOptions,
} from "./tenants/tenant-options.ts";

// Migrations
export { migrate, type MigrateOptions, type MigrateResult } from "./migrations/migrate.ts";
export { migrationStatus, type MigrationStatus, type MigrationStatusOptions, type AppliedMigration } from "./migrations/migration-status.ts";
export { migrationsFingerprint, readMigrationFiles, DEFAULT_MIGRATIONS_DIR, type MigrationFile } from "./migrations/migration-files.ts";

// Repositories: createRepositories(prisma | tx), and every repository's input and result types
export { createRepositories, type Repositories } from "./repositories/create-repositories.ts";
export type { Page, PageRequest, Id, TransactionOptions, DbClient } from "./repositories/common/index.ts";
export type * from "./repositories/action.ts";
export type * from "./repositories/artifact.ts";
export type * from "./repositories/enforcement.ts";
export type * from "./repositories/event.ts";
export type * from "./repositories/execution.ts";
export type * from "./repositories/identity.ts";
export type * from "./repositories/inquiry.ts";
export type * from "./repositories/key.ts";
export type * from "./repositories/notification.ts";
export type * from "./repositories/pack-installation.ts";
export type * from "./repositories/pack-test.ts";
export type * from "./repositories/pack.ts";
export type * from "./repositories/permission-assignment.ts";
export type * from "./repositories/permission-set.ts";
export type * from "./repositories/policy.ts";
export type * from "./repositories/queue-stats.ts";
export type * from "./repositories/rule.ts";
export type * from "./repositories/runtime.ts";
export type * from "./repositories/sensor.ts";
export type * from "./repositories/trigger.ts";
export type * from "./repositories/webhook-event-log.ts";
export type * from "./repositories/webhook-rate-limit.ts";
export type * from "./repositories/worker.ts";
export type * from "./repositories/workflow-definition.ts";
export type * from "./repositories/workflow-execution.ts";
export { toJson, toJsonValue, attuneJsonReplacer } from "./json/attune-json.ts";

// Notifications
export { ATTUNE_NOTIFICATIONS_CHANNEL, EXECUTION_STATUS_CHANGED_CHANNEL } from "./notifications/channels.ts";
export {
  listenNotifications,
  type ListenOptions,
  type NotificationGap,
  type NotificationListener,
  type SchemaNotification,
} from "./notifications/listen-notifications.ts";

// Errors: every one a subclass of AttuneDbError (docs/errors.md)
export { AttuneDbError } from "./errors/attune-db-error.ts";
export { CheckViolationError } from "./errors/check-violation-error.ts";
export { ConcurrentUpdateError } from "./errors/concurrent-update-error.ts";
export { ConfigError } from "./errors/config-error.ts";
export { ConflictError } from "./errors/conflict-error.ts";
export { DatabaseError } from "./errors/database-error.ts";
export { DemoError } from "./errors/demo-error.ts";
export { DatabaseUnavailableError, type UnavailableReason } from "./errors/database-unavailable-error.ts";
export { DatabaseUnreachableError } from "./errors/database-unreachable-error.ts";
export { ForeignKeyError } from "./errors/foreign-key-error.ts";
export { InvalidDatabaseUrlError } from "./errors/invalid-database-url-error.ts";
export { InvalidSchemaNameError } from "./errors/invalid-schema-name-error.ts";
export { TenantError } from "./errors/tenant-error.ts";
export { MigrationChecksumMismatchError } from "./errors/migration-checksum-mismatch-error.ts";
export { MigrationError } from "./errors/migration-error.ts";
export { NotFoundError } from "./errors/not-found-error.ts";
export { PoolerError, type PoolerProblem } from "./errors/pooler-error.ts";
export { SchemaNotInEffectError } from "./errors/schema-not-in-effect-error.ts";
export { ValidationError, type ValidationIssue } from "./errors/validation-error.ts";
