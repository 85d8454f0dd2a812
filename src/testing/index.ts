// `attune-db/testing`: test schemas for Jest, Vitest and scripts.
//
// In a test file set up by attune-db's Jest preset/environment or Vitest setup:
//   testSchema()                  the file's own migrated schema: { schema, url } (also in DATABASE_URL)
//   testPrisma()                  a Prisma client on it, made on first use, closed when the file ends
//   freshSchema()                 a migrated schema of the running test's own, with a client; released when the test ends
//   freshSchema({ empty: true })  only a reserved name, for tests that create or migrate the schema themselves
// Anywhere else (scripts, other runners):
//   createTestSchema()            a migrated schema and its URL; drop() or `await using` removes it
// Building blocks for other integrations: SchemaProvisioner, prismaMigrationsMigrator, cleanupTestSchemas, startEmbeddedPostgres.
import { createPrismaClient } from "../client/create-prisma-client.ts";
import { TestIntegrationError } from "../errors/test-integration-error.ts";
import type { PrismaClient } from "../../prisma/generated/client.ts";
import type * as BuildingBlocks from "./building-blocks.ts";
import { testContext } from "./test-context.ts";

export type { AttuneDbTestContext } from "./test-context.ts";
export type { TestFileOptions } from "./test-file-options.ts";
export { TestIntegrationError } from "../errors/test-integration-error.ts";
export { DdlSlotTimeoutError } from "../errors/ddl-slot-timeout-error.ts";
export type { CreatedTestSchema } from "../provisioner/create-test-schema.ts";
export type { SchemaProvisionerOptions, TestSchema } from "../provisioner/schema-provisioner.ts";
export type { SchemaMigrator } from "../provisioner/schema-migrator.ts";
export type { CleanupOptions } from "../provisioner/cleanup-test-schemas.ts";
export type { ReapReport, ReapCandidate } from "../provisioner/reap-test-schemas.ts";
export type { EmbeddedPostgres, StartEmbeddedPostgresOptions } from "../embedded/start-embedded-postgres.ts";

// The building blocks are loaded on first use: a test file evaluates every module it
// requires anew, and most files need only their schema, not the provisioner's 40
// modules (~7 ms a file). The getters below keep the form that Node's CommonJS
// lexer reads as named exports, so `import { SchemaProvisioner } from
// "attune-db/testing"` works from ES modules too.
const buildingBlocks = {
  get module(): typeof BuildingBlocks {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazily, on purpose
    return require("./building-blocks");
  },
  get createTestSchema() { return this.module.createTestSchema; },
  get SchemaProvisioner() { return this.module.SchemaProvisioner; },
  get prismaMigrationsMigrator() { return this.module.prismaMigrationsMigrator; },
  get cleanupTestSchemas() { return this.module.cleanupTestSchemas; },
  get startEmbeddedPostgres() { return this.module.startEmbeddedPostgres; },
};
export declare const createTestSchema: typeof BuildingBlocks.createTestSchema;
export declare const SchemaProvisioner: typeof BuildingBlocks.SchemaProvisioner;
export type SchemaProvisioner = BuildingBlocks.SchemaProvisioner;
export declare const prismaMigrationsMigrator: typeof BuildingBlocks.prismaMigrationsMigrator;
export declare const cleanupTestSchemas: typeof BuildingBlocks.cleanupTestSchemas;
export declare const startEmbeddedPostgres: typeof BuildingBlocks.startEmbeddedPostgres;
Object.defineProperty(exports, "createTestSchema", { enumerable: true, get: function () { return buildingBlocks.createTestSchema; } });
Object.defineProperty(exports, "SchemaProvisioner", { enumerable: true, get: function () { return buildingBlocks.SchemaProvisioner; } });
Object.defineProperty(exports, "prismaMigrationsMigrator", { enumerable: true, get: function () { return buildingBlocks.prismaMigrationsMigrator; } });
Object.defineProperty(exports, "cleanupTestSchemas", { enumerable: true, get: function () { return buildingBlocks.cleanupTestSchemas; } });
Object.defineProperty(exports, "startEmbeddedPostgres", { enumerable: true, get: function () { return buildingBlocks.startEmbeddedPostgres; } });

/** The file's schema name and URL (the same as `process.env.DATABASE_URL`). */
export function testSchema(): { schema: string; url: string } {
  const { schema, url } = testContext();
  if (!schema || !url) throw new TestIntegrationError("This test file has no schema: it runs with @attune-schema none");
  return { schema, url };
}

/** A Prisma client on the file's schema, made on first use and disconnected when the file ends. */
export function testPrisma(): PrismaClient {
  const context = testContext();
  if (!context.prisma) {
    // Made in the test file's own realm (not the environment's), so that its
    // Dates and errors pass instanceof checks in the tests.
    const client = createPrismaClient({ url: testSchema().url, maxConnections: 4 });
    context.prisma = client;
    context.onFileEnd(async () => {
      context.prisma = undefined;
      await client.$disconnect();
    });
  }
  return context.prisma;
}

/** A schema of the running test's own; given back when the test ends, or earlier with `release()` / `await using`. */
export interface FreshSchema extends AsyncDisposable {
  readonly schema: string;
  /** The server URL with `?schema=` set. */
  readonly url: string;
  release(): Promise<void>;
}

/**
 * A migrated schema of the running test's own, with a Prisma client on it;
 * both are released when the test ends (passed or failed). With
 * `{ empty: true }`: only a reserved name (registered, protected from sweeps,
 * not created), for tests of migrations; released the same way.
 */
export async function freshSchema(): Promise<FreshSchema & { readonly prisma: PrismaClient }>;
export async function freshSchema(options: { readonly empty: true }): Promise<FreshSchema>;
export async function freshSchema(options: { readonly empty?: boolean } = {}): Promise<FreshSchema & { readonly prisma?: PrismaClient }> {
  const context = testContext();
  const { schema, url, release } = await context.freshSchema({ empty: options.empty });
  const prisma = options.empty ? undefined : createPrismaClient({ url, maxConnections: 2 });
  let released: Promise<void> | undefined;
  const giveBack = () => (released ??= (async () => {
    await prisma?.$disconnect();
    await release();
  })());
  if (prisma) context.onTestEnd(() => prisma.$disconnect());
  return { schema, url, prisma, release: giveBack, [Symbol.asyncDispose]: giveBack };
}
