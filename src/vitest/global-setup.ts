import { endTestRun, startTestRun } from "../testing/test-run.ts";

/**
 * Vitest `globalSetup: ["attune-db/vitest/global-setup"]`: once per run, in
 * Vitest's main process, before any test file (see startTestRun); the
 * function it returns (Vitest's teardown) drops everything the run created.
 * `module.exports` is the function itself: Vitest imports this CommonJS
 * module as ESM, where the default export is `module.exports`.
 */
async function attuneDbVitestGlobalSetup(): Promise<() => Promise<void>> {
  await startTestRun();
  return endTestRun;
}

export = attuneDbVitestGlobalSetup;
