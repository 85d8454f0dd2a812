import type { PrismaClient } from "../../prisma/generated/client.ts";
import { TestIntegrationError } from "../errors/test-integration-error.ts";

/**
 * What the attune-db test integration (the Jest environment, the Vitest setup
 * file) puts on each test file's global, read by the helpers in
 * `attune-db/testing`. Functions here may run in another realm than the
 * tests (Jest's environment); the test code only calls them.
 */
export interface AttuneDbTestContext {
  /** The file's schema, or undefined with `@attune-schema none`. */
  readonly schema: string | undefined;
  /** `DATABASE_URL` with `?schema=` for the file's schema. */
  readonly url: string | undefined;
  /** When the integration began setting this file up (ms since the epoch, sub-ms precision). */
  readonly startedAt: number;
  /** The file's Prisma client, once `testPrisma()` made it (in the test file's realm). */
  prisma?: PrismaClient;
  /**
   * A new migrated schema for the running test, released when that test ends.
   * With `empty`, only the name is reserved (registered and protected from
   * sweeps): the test creates or migrates the schema itself.
   */
  freshSchema(options?: { empty?: boolean }): Promise<{ schema: string; url: string; release(): Promise<void> }>;
  /** Runs `fn` when the running test ends (before its fresh schemas are released). */
  onTestEnd(fn: () => Promise<void> | void): void;
  /** Runs `fn` when the file ends (before its schema is released). */
  onFileEnd(fn: () => Promise<void> | void): void;
}

declare global {
  // eslint-disable-next-line no-var
  var __attuneDb: AttuneDbTestContext | undefined;
}

export function testContext(): AttuneDbTestContext {
  const context = globalThis.__attuneDb;
  if (!context) {
    throw new TestIntegrationError(
      'attune-db/testing needs attune-db\'s test integration: in Jest, preset: "attune-db" (or testEnvironment: ' +
        '"attune-db/jest-environment"); in Vitest, globalSetup: ["attune-db/vitest/global-setup"] and setupFiles: ["attune-db/vitest/setup"]',
    );
  }
  return context;
}
