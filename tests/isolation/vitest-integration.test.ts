/** @attune-schema none */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { generateRunId } from "../../src/provisioner/run-id.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE } from "../../src/provisioner/test-schema-registry.ts";

const ROOT = path.resolve(__dirname, "../..");
const url = () => process.env.DATABASE_URL!;

/**
 * Vitest with attune-db's global setup and setup file (from this checkout's
 * sources), files sharing one worker (`isolate: false`, one thread): each
 * file still gets its own schema, per-test schemas come and go, and the run
 * leaves nothing behind.
 */
function writeProject(dir: string): void {
  const src = (file: string) => JSON.stringify(path.join(ROOT, "src", file));
  fs.mkdirSync(path.join(dir, "tests"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "vitest.config.mjs"),
    `export default { test: {
       globalSetup: [${src("vitest/global-setup.ts")}],
       setupFiles: [${src("vitest/setup.mts")}],
       isolate: false, pool: "threads", maxWorkers: 1,
       testTimeout: 60_000, // a loaded CI machine: two runs at once
     } };`,
  );
  for (const name of ["a", "b"]) {
    fs.writeFileSync(
      path.join(dir, "tests", `${name}.test.js`),
      `import fs from "node:fs";
       import path from "node:path";
       import { expect, test } from "vitest";
       import { freshSchema, testPrisma, testSchema } from ${src("testing/index.ts")};
       test("has a migrated schema of its own, and a fresh one for a test", async () => {
         fs.writeFileSync(path.join(process.env.MARKERS, "${name}.schema"), testSchema().schema);
         expect(process.env.DATABASE_URL).toBe(testSchema().url);
         expect(await testPrisma().pack.count()).toBe(0); // the other file's row is not here
         await testPrisma().pack.create({ data: { ref: "pk${name}", label: "${name}", version: "1.0.0" } });
         const fresh = await freshSchema();
         expect(fresh.schema).not.toBe(testSchema().schema);
         expect(await fresh.prisma.pack.count()).toBe(0);
         await fresh.release(); // also given back when the test ends
       });`,
    );
  }
}

let admin: pg.Client;
beforeAll(async () => (admin = await connectPgClient(url(), REGISTRY_SCHEMA)));
afterAll(() => admin.end());

describe("the Vitest integration", () => {
  it("gives each file its own schema with isolate: false, and leaves nothing of its run", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "attune-db-vitest-"));
    const markers = path.join(dir, "markers");
    fs.mkdirSync(markers);
    writeProject(dir);
    const runId = generateRunId();
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--root", dir], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: url(), MARKERS: markers, ATTUNE_TEST_RUN_ID: runId, ATTUNE_TEST_MANAGED_RUN: "", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect({ code, output: code === 0 ? "" : output }).toEqual({ code: 0, output: "" });
    expect(output).toMatch(/Test Files\s+2 passed/);

    const schemas = ["a", "b"].map((name) => fs.readFileSync(path.join(markers, `${name}.schema`), "utf8"));
    expect(new Set(schemas).size).toBe(2);
    const left = await admin.query(`SELECT name FROM ${REGISTRY_TABLE} WHERE run_id = $1`, [runId]);
    expect(left.rows).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
