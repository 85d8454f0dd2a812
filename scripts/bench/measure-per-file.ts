import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { withSchema } from "../../src/config/datasource-url.ts";
import { migrate } from "../../src/migrations/migrate.ts";
import { summarize, now, type Summary } from "./stats.ts";

const ROOT = path.resolve(__dirname, "../..");
const DIST = path.join(ROOT, "dist", "src");

/**
 * What one database test file costs, the way a user runs it: plain
 * JavaScript test files, the built package (dist/), no transform, one query
 * per file. Each way runs as its own Jest (or Vitest) process on the same
 * server, with `small` and `large` files; the cost of a file is the marginal
 * one, (time(large) - time(small)) / (large - small), which leaves out what
 * a run pays once (starting Jest, the embedded server, filling the pool).
 */
export type PerFileMode =
  | "trivial"
  | "prisma-per-file"
  | "transaction-rollback"
  | "attune-db"
  | "attune-db-no-recycling"
  | "attune-db-vitest"
  | "attune-db-vitest-no-isolate";

export const PER_FILE_MODES: Readonly<Record<PerFileMode, string>> = {
  trivial: "(d) trivial file: expect(1 + 1), testEnvironment node",
  "prisma-per-file": "(e) a Prisma client per file on one shared, migrated schema",
  "transaction-rollback": "(f) shared schema, every test in a transaction rolled back (jest-prisma's way)",
  "attune-db": "attune-db: preset, a pooled schema per file, recycled",
  "attune-db-no-recycling": "(g) attune-db: pool without recycling",
  "attune-db-vitest": "attune-db under Vitest 4 (isolate: true)",
  "attune-db-vitest-no-isolate": "attune-db under Vitest 4 (isolate: false)",
};

export interface PerFileRun {
  readonly mode: PerFileMode;
  readonly workers: number;
  readonly files: number;
  readonly seconds: number;
}

export interface PerFileResults {
  readonly small: number;
  readonly large: number;
  readonly runs: readonly PerFileRun[];
  /** Marginal ms per file, by mode and worker count. */
  readonly costs: readonly { mode: PerFileMode; workers: number; perFile: Summary }[];
}

export async function measurePerFile(
  serverUrl: string,
  options: {
    small: number;
    large: number;
    repetitions: number;
    /** Worker counts; the first is the default one, where every mode runs. */
    workers: readonly number[];
    modes: readonly PerFileMode[];
    /** The modes that also run with the other worker counts. Default: all. */
    modesAtOtherWorkers?: readonly PerFileMode[];
  },
  log: (line: string) => void,
): Promise<PerFileResults> {
  if (!fs.existsSync(path.join(DIST, "index.js"))) throw new Error("measurePerFile needs the build: run npm run build");
  const sharedUrl = withSchema(serverUrl, "bench_shared_per_file");
  await migrate({ url: sharedUrl });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "attune-bench-per-file-"));
  fs.chmodSync(dir, 0o755);
  const runs: PerFileRun[] = [];
  try {
    for (let r = 0; r < options.repetitions; r++) {
      // Every round runs each way once, in an order that rotates, so that no way always runs first.
      const order = options.modes.map((_, i) => options.modes[(i + r) % options.modes.length]!);
      for (const mode of order) {
        for (const workers of options.workers) {
          if (workers !== options.workers[0] && options.modesAtOtherWorkers && !options.modesAtOtherWorkers.includes(mode)) continue;
          for (const files of [options.small, options.large]) {
            log(`per-file ${r + 1}/${options.repetitions}: ${mode}, ${workers} worker(s), ${files} files...`);
            runs.push({ mode, workers, files, seconds: await runOnce(dir, mode, files, workers, serverUrl, sharedUrl) });
          }
        }
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const costs = options.modes.flatMap((mode) =>
    options.workers.flatMap((workers) => {
      const at = (files: number) => runs.filter((x) => x.mode === mode && x.workers === workers && x.files === files).map((x) => x.seconds);
      const [small, large] = [at(options.small), at(options.large)];
      if (large.length === 0) return [];
      const perFile = large.map((seconds, i) => ((seconds - small[i]!) * 1000) / (options.large - options.small));
      return [{ mode, workers, perFile: summarize(perFile) }];
    }),
  );
  return { small: options.small, large: options.large, runs, costs };
}

async function runOnce(dir: string, mode: PerFileMode, files: number, workers: number, serverUrl: string, sharedUrl: string): Promise<number> {
  const project = path.join(dir, `${mode}-${files}-${workers}`);
  fs.rmSync(project, { recursive: true, force: true });
  fs.mkdirSync(path.join(project, "tests"), { recursive: true });
  const vitest = mode.startsWith("attune-db-vitest");
  for (let i = 0; i < files; i++) {
    fs.writeFileSync(path.join(project, "tests", `f${String(i).padStart(3, "0")}.test.${vitest ? "mjs" : "js"}`), testFile(mode));
  }
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: serverUrl, BENCH_SHARED_URL: sharedUrl, NO_COLOR: "1" };
  delete env.ATTUNE_TEST_RUN_ID;
  delete env.ATTUNE_TEST_MANAGED_RUN;
  if (mode === "attune-db-no-recycling") env.ATTUNE_TEST_RECYCLE = "false";
  let args: string[];
  if (vitest) {
    fs.writeFileSync(
      path.join(project, "vitest.config.mjs"),
      `export default { test: {
         globalSetup: [${JSON.stringify(path.join(DIST, "vitest/global-setup.js"))}],
         setupFiles: [${JSON.stringify(path.join(DIST, "vitest/setup.mjs"))}],
         isolate: ${mode === "attune-db-vitest"}, maxWorkers: ${workers}, fileParallelism: ${workers > 1},
       } };`,
    );
    args = [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--root", project];
  } else {
    const attune = mode === "attune-db" || mode === "attune-db-no-recycling";
    const config = {
      rootDir: project,
      testEnvironment: attune ? path.join(DIST, "jest/environment.js") : "node",
      ...(attune ? { globalSetup: path.join(DIST, "jest/global-setup.js"), globalTeardown: path.join(DIST, "jest/global-teardown.js") } : {}),
      transform: {},
      maxWorkers: workers,
    };
    fs.writeFileSync(path.join(project, "jest.config.js"), `module.exports = ${JSON.stringify(config)};`);
    args = [require.resolve("jest/bin/jest"), "--config", path.join(project, "jest.config.js"), "--silent"];
  }
  const start = now();
  const { code, output } = await run(process.execPath, args, project, env);
  const seconds = (now() - start) / 1000;
  if (code !== 0) throw new Error(`${mode} (${files} files, ${workers} workers) failed with exit code ${code}:\n${output.slice(-4000)}`);
  return seconds;
}

/** One test file of `mode`: one query (or none, for the trivial file). */
function testFile(mode: PerFileMode): string {
  const dist = (file: string) => JSON.stringify(path.join(DIST, file));
  switch (mode) {
    case "trivial":
      return `test("adds", () => expect(1 + 1).toBe(2));\n`;
    case "prisma-per-file":
      return `${plainPrisma()}
afterAll(() => prisma.$disconnect());
test("counts packs", async () => expect(await prisma.pack.count()).toBeGreaterThanOrEqual(0));\n`;
    case "transaction-rollback":
      return `${plainPrisma()}
afterAll(() => prisma.$disconnect());
class Rollback extends Error {}
// Each test runs inside a transaction that is rolled back at its end (jest-prisma, vitest-environment-prisma-postgres).
async function inRolledBackTransaction(fn) {
  await prisma.$transaction(async (tx) => { await fn(tx); throw new Rollback(); }).catch((e) => { if (!(e instanceof Rollback)) throw e; });
}
test("counts packs", () => inRolledBackTransaction(async (tx) => expect(await tx.pack.count()).toBeGreaterThanOrEqual(0)));\n`;
    case "attune-db":
    case "attune-db-no-recycling":
      return `const { testPrisma } = require(${dist("testing/index.js")});
test("counts packs", async () => expect(await testPrisma().pack.count()).toBe(0));\n`;
    case "attune-db-vitest":
    case "attune-db-vitest-no-isolate":
      return `import { expect, test } from "vitest";
import { testPrisma } from ${dist("testing/index.js")};
test("counts packs", async () => expect(await testPrisma().pack.count()).toBe(0));\n`;
  }
}

/**
 * What a user without attune-db writes: the generated client and Prisma's
 * pg adapter, nothing of ours (our package entry would load more).
 */
function plainPrisma(): string {
  const client = JSON.stringify(path.join(ROOT, "dist", "prisma", "generated", "client.js"));
  const adapter = JSON.stringify(require.resolve("@prisma/adapter-pg"));
  return `const { PrismaClient } = require(${client});
const { PrismaPg } = require(${adapter});
const url = new URL(process.env.BENCH_SHARED_URL);
const schema = url.searchParams.get("schema");
url.searchParams.delete("schema");
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url.toString(), max: 2 }, { schema }) });`;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}
