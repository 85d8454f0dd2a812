import type { EnvironmentContext, JestEnvironmentConfig } from "@jest/environment";
import type { Circus } from "@jest/types";
import NodeEnvironment from "jest-environment-node";
import { parseEnvironmentOptions } from "./environment-options.ts";
import { exitPromptlyWhenJestEndsThisWorker } from "./exit-promptly.ts";
import { TestFileSession } from "./test-file-session.ts";

exitPromptlyWhenJestEndsThisWorker();

/**
 * `testEnvironment: "attune-db/jest-environment"`: every test file runs in its
 * own freshly migrated schema (see docs/schema-per-test.md). A thin shell over
 * {@link TestFileSession}.
 */
export default class AttuneDbEnvironment extends NodeEnvironment {
  private readonly session: TestFileSession;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const options = parseEnvironmentOptions(config.projectConfig.testEnvironmentOptions, context.docblockPragmas);
    this.session = new TestFileSession(options, context.testPath);
  }

  override async setup(): Promise<void> {
    await super.setup();
    await this.session.start(this.global as unknown as typeof globalThis);
  }

  override async teardown(): Promise<void> {
    try {
      await this.session.end();
    } finally {
      await super.teardown();
    }
  }

  async handleTestEvent(event: Circus.Event): Promise<void> {
    await this.session.handleTestEvent(event);
  }
}
