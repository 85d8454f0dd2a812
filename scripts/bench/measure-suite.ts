import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate } from "../../src/migrations/migrate.ts";
import { withSchema } from "../../src/config/datasource-url.ts";
import { summarize, now, type Summary } from "./stats.ts";

const ROOT = path.resolve(__dirname, "../..");
const SUITE_DIR = path.join(__dirname, "suite");
const GENERATED_DIR = path.join(SUITE_DIR, "generated");
const SCENARIOS = fs
  .readdirSync(path.join(SUITE_DIR, "scenarios"))
  .filter((f) => f.endsWith(".ts"))
  .sort();

export type SuiteMode = "serial-shared" | "parallel-no-pool" | "parallel-pool";

export interface SuiteRun {
  readonly mode: SuiteMode;
  readonly seconds: number;
  readonly overhead: Summary;
}

export interface SuiteResults {
  readonly files: number;
  readonly tests: number;
  readonly workers: number;
  readonly runs: readonly SuiteRun[];
}

/**
 * The same generated test files (scenarios over the repositories) run three
 * ways, each as its own `jest` process on the same server: (a) serially on one
 * shared schema with an ordered cleanup after every test (the seed's "before"),
 * (b) in parallel, a schema created per file (pool off), (c) in parallel with
 * the pool. Wall time of the whole jest process, and each file's overhead.
 */
export async function measureSuite(
  serverUrl: string,
  options: { files: number; workers: number; repetitions: number },
  log: (line: string) => void,
): Promise<SuiteResults> {
  const tests = generateFiles(options.files);
  const sharedUrl = withSchema(serverUrl, "bench_shared_suite");
  await migrate({ url: sharedUrl });
  const runs: SuiteRun[] = [];
  try {
    for (let r = 0; r < options.repetitions; r++) {
      for (const mode of ["serial-shared", "parallel-no-pool", "parallel-pool"] as const) {
        log(`suite ${r + 1}/${options.repetitions}: ${mode} (${options.files} files)...`);
        runs.push(await runJest(mode, serverUrl, sharedUrl, options.workers));
      }
    }
  } finally {
    fs.rmSync(GENERATED_DIR, { recursive: true, force: true });
  }
  return { files: options.files, tests, workers: options.workers, runs };
}

/** `count` files cycling through the scenarios; returns the number of tests. */
function generateFiles(count: number): number {
  fs.rmSync(GENERATED_DIR, { recursive: true, force: true });
  fs.mkdirSync(GENERATED_DIR, { recursive: true });
  let tests = 0;
  for (let i = 0; i < count; i++) {
    const scenario = SCENARIOS[i % SCENARIOS.length]!;
    const source = fs.readFileSync(path.join(SUITE_DIR, "scenarios", scenario), "utf8");
    tests += (source.match(/^\s*it\(/gm) ?? []).length;
    fs.writeFileSync(
      path.join(GENERATED_DIR, `${String(i).padStart(2, "0")}-${scenario.replace(/\.ts$/, "")}.test.ts`),
      `import { recordOverhead } from "../record-overhead.ts";\nimport { scenario } from "../scenarios/${scenario}";\n\nrecordOverhead();\nscenario();\n`,
    );
  }
  return tests;
}

async function runJest(mode: SuiteMode, serverUrl: string, sharedUrl: string, workers: number): Promise<SuiteRun> {
  const overheadFile = path.join(os.tmpdir(), `attune-bench-overhead-${process.pid}-${mode}.txt`);
  fs.rmSync(overheadFile, { force: true });
  const serial = mode === "serial-shared";
  const config = {
    rootDir: ROOT,
    testMatch: ["<rootDir>/scripts/bench/suite/generated/*.test.ts"],
    transform: {
      "^.+\\.(ts|js|mjs)$": [
        "@swc/jest",
        { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
      ],
    },
    transformIgnorePatterns: ["/node_modules/(?!@prisma/client/runtime/)"],
    moduleFileExtensions: ["ts", "js", "mjs", "cjs", "json"],
    testEnvironment: serial ? "<rootDir>/scripts/bench/suite/shared-schema-environment.ts" : "<rootDir>/src/jest/environment.ts",
    ...(serial
      ? {}
      : { globalSetup: "<rootDir>/src/jest/global-setup.ts", globalTeardown: "<rootDir>/src/jest/global-teardown.ts" }),
    testTimeout: 60_000,
  };
  const args = [
    require.resolve("jest/bin/jest"),
    "--config",
    JSON.stringify(config),
    "--silent",
    ...(serial ? ["--runInBand"] : [`--maxWorkers=${workers}`]),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: serverUrl,
    ATTUNE_BENCH_SHARED_URL: sharedUrl,
    ATTUNE_BENCH_OVERHEAD_FILE: overheadFile,
    ATTUNE_TEST_POOL_SIZE: mode === "parallel-no-pool" ? "0" : (process.env.ATTUNE_TEST_POOL_SIZE ?? "4"),
  };
  delete env.ATTUNE_TEST_RUN_ID;
  const start = now();
  const { code, output } = await run(process.execPath, args, env);
  const seconds = (now() - start) / 1000;
  if (code !== 0) throw new Error(`jest (${mode}) failed with exit code ${code}:\n${output.slice(-4000)}`);
  const overhead = fs.existsSync(overheadFile)
    ? fs.readFileSync(overheadFile, "utf8").trim().split("\n").map(Number)
    : [];
  fs.rmSync(overheadFile, { force: true });
  return { mode, seconds, overhead: summarize(overhead) };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}
