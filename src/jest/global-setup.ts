import type { Config } from "@jest/types";
import { parseTestFileOptions } from "../testing/test-file-options.ts";
import { startTestRun } from "../testing/test-run.ts";

/** Jest globalSetup (`attune-db/jest-global-setup`, part of the `attune-db` preset): see {@link startTestRun}. */
export default async function globalSetup(_globalConfig: Config.GlobalConfig, projectConfig?: Config.ProjectConfig): Promise<void> {
  await startTestRun(parseTestFileOptions(projectConfig?.testEnvironmentOptions?.attuneDb));
}
