// Vitest `setupFiles: ["attune-db/vitest/setup"]`: runs before each test file
// (also with `isolate: false`) and gives it its own migrated schema, exactly
// like the Jest environment: process.env.DATABASE_URL, testSchema(),
// testPrisma() and freshSchema() from attune-db/testing.
import { afterAll, beforeEach, expect } from "vitest";
import { startVitestTestFile } from "./start-vitest-test-file.ts";

const session = await startVitestTestFile(expect.getState().testPath ?? "");

beforeEach((context) => {
  context.onTestFinished(() => session.endTest(context.task.result?.state === "fail"));
});

afterAll(() => session.end());
