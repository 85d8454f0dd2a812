import fs from "node:fs";
import { docblockPragmas, parseTestFileOptions } from "../testing/test-file-options.ts";
import { TestFileSession } from "../testing/test-file-session.ts";

/**
 * Sets one Vitest test file up (called by `attune-db/vitest/setup`, before the
 * file's own code runs): its schema, `DATABASE_URL`, and what
 * `attune-db/testing` needs. The file's docblock pragmas apply as under Jest
 * (`@attune-schema none`, `@attune-keep-on-failure`).
 */
export async function startVitestTestFile(testPath: string): Promise<TestFileSession> {
  const pragmas = fs.existsSync(testPath) ? docblockPragmas(fs.readFileSync(testPath, "utf8")) : {};
  const session = new TestFileSession(parseTestFileOptions({}, pragmas), testPath);
  await session.start(globalThis);
  return session;
}
