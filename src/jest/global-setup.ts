import { startTestRun } from "../testing/test-run.ts";

/** Jest globalSetup (`attune-db/jest-global-setup`, part of the `attune-db` preset): see {@link startTestRun}. */
export default async function globalSetup(): Promise<void> {
  await startTestRun();
}
