import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** A JSON string literal of attune-db's entry `name` (tests/support/source-entry), for another project's jest.config.js. */
export function sourceEntry(name: string): string {
  return JSON.stringify(path.join(ROOT, "tests/support/source-entry", `${name}.cjs`));
}

/**
 * Runs Jest on another project's config, as a separate run would: none of
 * this run's attune-db variables leak into it.
 */
export function runJest(
  dir: string,
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<{ code: number; output: string; exitedAt: number }> {
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/jest/bin/jest.js"), "--config", path.join(dir, "jest.config.js"), ...args], {
    cwd: dir,
    env: { ...process.env, ...env, ATTUNE_TEST_MANAGED_RUN: "", ATTUNE_TEST_RUN_ID: env.ATTUNE_TEST_RUN_ID ?? "", JEST_WORKER_ID: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code: code ?? -1, output, exitedAt: Date.now() })));
}
