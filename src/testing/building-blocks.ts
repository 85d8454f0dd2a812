// The parts of `attune-db/testing` for other integrations and scripts. Test files
// rarely use them, so the entry loads this module on first use (see index.ts).
export { createTestSchema } from "../provisioner/create-test-schema.ts";
export { SchemaProvisioner } from "../provisioner/schema-provisioner.ts";
export { prismaMigrationsMigrator } from "../provisioner/schema-migrator.ts";
export { cleanupTestSchemas } from "../provisioner/cleanup-test-schemas.ts";
export { startEmbeddedPostgres } from "../embedded/start-embedded-postgres.ts";
