// `attune-db/testing`: helpers for test files running under the attune-db Jest environment.
import { createPrismaClient } from "../client/create-prisma-client.ts";
import type { PrismaClient } from "../../prisma/generated/client.ts";
import { testContext } from "./test-context.ts";

export type { AttuneDbTestContext } from "./test-context.ts";

/**
 * A reserved schema name (and its URL) for the running test, protected from
 * reapers, that does not exist yet: for tests of migrations. Dropped, if the
 * test created it, when the test ends.
 */
export async function reservedSchema(): Promise<{ schema: string; url: string }> {
  return testContext().freshSchema({ empty: true });
}

let filePrisma: PrismaClient | undefined;

/** The file's schema name and URL (the same as `process.env.DATABASE_URL`). */
export function testSchema(): { schema: string; url: string } {
  const { schema, url } = testContext();
  if (!schema || !url) throw new Error("This test file has no schema (it runs with @attune-schema none)");
  return { schema, url };
}

/** A Prisma client on the file's schema, created on first use and disconnected when the file ends. */
export function testPrisma(): PrismaClient {
  if (!filePrisma) {
    // Built in the test file's own realm (not the environment's), so that its
    // Dates and errors pass instanceof checks in the tests.
    const client = createPrismaClient({ url: testSchema().url, maxConnections: 4 });
    filePrisma = client;
    testContext().onFileEnd(async () => {
      filePrisma = undefined;
      await client.$disconnect();
    });
  }
  return filePrisma;
}

/**
 * A migrated schema of its own for the running test, with a Prisma client on
 * it; both are released when the test ends (passed or failed).
 */
export async function freshSchema(): Promise<{ schema: string; url: string; prisma: PrismaClient }> {
  const context = testContext();
  const { schema, url } = await context.freshSchema();
  const prisma = createPrismaClient({ url, maxConnections: 2 });
  context.onTestEnd(() => prisma.$disconnect());
  return { schema, url, prisma };
}
