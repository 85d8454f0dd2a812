import { endTestRun } from "../testing/test-run.ts";

/** Jest globalTeardown (`attune-db/jest-global-teardown`, part of the `attune-db` preset): see {@link endTestRun}. */
export default async function globalTeardown(): Promise<void> {
  await endTestRun();
}
