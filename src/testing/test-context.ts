/**
 * What the attune-db Jest environment puts on each test file's global, read by
 * the helpers in `attune-db/testing`. Functions here run in the environment's
 * realm; the test code only calls them.
 */
export interface AttuneDbTestContext {
  /** The file's schema, or undefined with `@attune-schema none`. */
  readonly schema: string | undefined;
  /** `DATABASE_URL` with `?schema=` for the file's schema. */
  readonly url: string | undefined;
  /** When the environment began setting this file up (ms since the epoch, sub-ms precision). */
  readonly startedAt: number;
  /**
   * A new migrated schema for the running test, released (dropped) when that
   * test ends. With `empty`, only the name is reserved (protected from
   * reapers): the test creates or migrates the schema itself.
   */
  freshSchema(options?: { empty?: boolean }): Promise<{ schema: string; url: string }>;
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
    throw new Error(
      'attune-db/testing needs the attune-db Jest environment: set testEnvironment: "attune-db/jest-environment" in your Jest config',
    );
  }
  return context;
}
