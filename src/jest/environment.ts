import type { EnvironmentContext, JestEnvironmentConfig } from "@jest/environment";
import type { Circus } from "@jest/types";
import NodeEnvironment from "jest-environment-node";
import { shareQueryCompilerWasm } from "../client/query-compiler-wasm.ts";
import { parseTestFileOptions } from "../testing/test-file-options.ts";
import { TestFileSession } from "../testing/test-file-session.ts";
import { exitPromptlyWhenJestEndsThisWorker } from "./exit-promptly.ts";
import { installModuleCompileCache, type ModuleCompileCache } from "./module-compile-cache.ts";
import { rewritePrismaRuntime, shareParameterizationSchemas } from "./shared-parameterization-schemas.ts";

exitPromptlyWhenJestEndsThisWorker();

/**
 * `testEnvironment: "attune-db/jest-environment"` (set by the `attune-db`
 * preset): every test file runs in its own freshly migrated schema (see
 * docs/schema-per-test.md). A thin shell over {@link TestFileSession}.
 */
export default class AttuneDbEnvironment extends NodeEnvironment {
  private readonly session: TestFileSession;
  private readonly moduleCompileCache?: ModuleCompileCache;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    // V8 coverage maps byte offsets in each module's source: the cache compiles modules inside a
    // function wrapper, which would shift them.
    const v8Coverage = config.globalConfig.collectCoverage && config.globalConfig.coverageProvider === "v8";
    if (!v8Coverage) this.moduleCompileCache = installModuleCompileCache({ rewrite: rewritePrismaRuntime });
    const options = parseTestFileOptions(config.projectConfig.testEnvironmentOptions?.attuneDb, context.docblockPragmas);
    this.session = new TestFileSession(options, context.testPath);
  }

  override async setup(): Promise<void> {
    await super.setup();
    // Jest evaluates every module anew for each file; the 4.5 MB query compiler is compiled once per worker.
    shareQueryCompilerWasm(this.global);
    shareParameterizationSchemas(this.global);
    await this.session.start(this.global as unknown as typeof globalThis);
  }

  override async teardown(): Promise<void> {
    try {
      await this.session.end();
    } finally {
      this.moduleCompileCache?.refresh();
      await super.teardown();
    }
  }

  async handleTestEvent(event: Circus.Event): Promise<void> {
    if (event.name === "test_done") await this.session.endTest(event.test.errors.length > 0);
    else if (event.name === "hook_failure") this.session.markFailed();
  }
}
