/** @attune-schema none */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { generateRunId } from "../../src/provisioner/run-id.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE } from "../../src/provisioner/test-schema-registry.ts";
import { reapTestSchemas } from "../../src/provisioner/reap-test-schemas.ts";
import { runJest, sourceEntry } from "../support/jest-project.ts";

const url = () => process.env.DATABASE_URL!;

/**
 * Another project's Jest run, configured with attune-db's environment (and,
 * in "managed" mode, its globalSetup/globalTeardown), Jest's defaults for
 * everything else, and plain JavaScript tests: three ordinary files, and one
 * whose schema a foreign session keeps locked while the run ends.
 */
function writeProject(dir: string, mode: "standalone" | "managed"): void {
  const entry = sourceEntry;
  fs.mkdirSync(path.join(dir, "tests"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "jest.config.js"),
    `module.exports = {
       rootDir: __dirname,
       testEnvironment: ${entry("jest-environment")},
       ${mode === "managed" ? `globalSetup: ${entry("jest-global-setup")}, globalTeardown: ${entry("jest-global-teardown")},` : ""}
       maxWorkers: 2,
     };`,
  );
  const common = `
    const fs = require("node:fs");
    const path = require("node:path");
    const pg = require(process.env.PG_MODULE);
    const schema = () => new URL(process.env.DATABASE_URL).searchParams.get("schema");
    async function insertPack() {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL.replace(/[?&]schema=[^&]*/, "") });
      await client.connect();
      await client.query(\`INSERT INTO "\${schema()}".pack (ref, label, version) VALUES ('pk', 'P', '1.0.0')\`);
      await client.end();
    }
    fs.writeFileSync(path.join(process.env.MARKERS, path.basename(__filename) + ".schema"), schema());`;
  for (const name of ["a", "b", "c"]) {
    fs.writeFileSync(path.join(dir, "tests", `${name}.test.js`), `${common}\ntest("writes into its own schema", insertPack);\n`);
  }
  fs.writeFileSync(
    path.join(dir, "tests", "locked.test.js"),
    `${common}
     test("ends while a foreign session locks its schema", async () => {
       await insertPack();
       const go = path.join(process.env.MARKERS, "go");
       const deadline = Date.now() + 60000;
       while (!fs.existsSync(go) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
     }, 70000);\n`,
  );
}

/** Waits for a marker the child run writes, as long as the run lives (a loaded machine may take minutes). */
async function waitForFile(file: string, run: Promise<{ code: number; output: string }>): Promise<string> {
  let ended: { code: number; output: string } | undefined;
  void run.then((result) => (ended = result));
  // Until it has content: existsSync can see the file between its creation and its write.
  while (!(fs.existsSync(file) && fs.readFileSync(file, "utf8"))) {
    if (ended) throw new Error(`the run ended (exit code ${ended.code}) before writing ${file}:\n${ended.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return fs.readFileSync(file, "utf8");
}

let admin: pg.Client;
beforeAll(async () => (admin = await connectPgClient(url(), REGISTRY_SCHEMA)));
afterAll(() => admin.end());
const existing = async (names: readonly string[]) =>
  (await admin.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname = ANY($1) ORDER BY 1", [names])).rows.map((r) => r.nspname);

describe.each(["standalone", "managed"] as const)("a project using the environment (%s)", (mode) => {
  it("ends within the bound, leaves none of its schemas behind, and names a locked one and its holder", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `attune-db-${mode}-`));
    const markers = path.join(dir, "markers");
    const exits = path.join(dir, "worker-exits");
    fs.mkdirSync(markers);
    writeProject(dir, mode);
    const runId = generateRunId();
    const run = runJest(dir, {
      DATABASE_URL: url(),
      MARKERS: markers,
      ATTUNE_DB_WORKER_EXIT_REPORT: exits,
      PG_MODULE: require.resolve("pg"),
      ...(mode === "managed" ? { ATTUNE_TEST_RUN_ID: runId } : {}),
    });

    const locked = await waitForFile(path.join(markers, "locked.test.js.schema"), run);
    const holder = await connectPgClient(url(), REGISTRY_SCHEMA, { connectionString: url(), application_name: "foreign-holder" });
    try {
      await holder.query(`BEGIN; SELECT * FROM "${locked}".pack`);
      fs.writeFileSync(path.join(markers, "go"), "");
      const releasedAt = Date.now();
      const { code, output, exitedAt } = await run;

      // On failure, show the whole run's output next to what went wrong.
      const context = (what: object) => ({ ...what, output });
      expect(context({ code })).toEqual(context({ code: 0 }));
      // A locked schema costs no wait at all (the unit tests bound it precisely); this catches a hang.
      expect(context({ slow: exitedAt - releasedAt > 60_000 })).toEqual(context({ slow: false }));
      expect(output).toMatch(new RegExp(`${locked}.*locked by pid \\d+ \\(foreign-holder`));
      // Every worker's event loop drained once Jest ended it: nothing of ours kept it alive. (Jest's
      // "failed to exit gracefully" also depends on the CPU: see docs/running-tests.md.)
      const reports = fs.readdirSync(exits).map((f) => JSON.parse(fs.readFileSync(path.join(exits, f), "utf8")) as { drained: boolean });
      expect(context({ reported: reports.length > 0, notDrained: reports.filter((r) => !r.drained) })).toEqual(
        context({ reported: true, notDrained: [] }),
      );

      const files = ["a", "b", "c"].map((name) => fs.readFileSync(path.join(markers, `${name}.test.js.schema`), "utf8"));
      expect(await existing([...files, locked])).toEqual([locked]);
      if (mode === "managed") {
        const { rows } = await admin.query(`SELECT name FROM ${REGISTRY_TABLE} WHERE run_id = $1`, [runId]);
        expect(rows.map((r) => r.name)).toEqual([locked]); // pooled schemas of the run were dropped too
      }
    } finally {
      await holder.end();
    }
    // Once the lock is gone, any later sweep drops it.
    const report = await reapTestSchemas(admin, { names: [locked] });
    expect(report.dropped).toEqual([locked]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 600_000);
});
