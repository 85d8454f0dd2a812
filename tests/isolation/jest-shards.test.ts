/** @attune-schema none */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { generateRunId } from "../../src/provisioner/run-id.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE } from "../../src/provisioner/test-schema-registry.ts";
import { runJest, sourceEntry } from "../support/jest-project.ts";

const FILES = ["a", "b", "c", "d", "e", "f"];

/** A project with attune-db's environment, globalSetup and globalTeardown, and six files that each write into their schema. */
function writeProject(dir: string): void {
  fs.mkdirSync(path.join(dir, "tests"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "jest.config.js"),
    `module.exports = {
       rootDir: __dirname,
       testEnvironment: ${sourceEntry("jest-environment")},
       globalSetup: ${sourceEntry("jest-global-setup")},
       globalTeardown: ${sourceEntry("jest-global-teardown")},
     };`,
  );
  for (const name of FILES) {
    fs.writeFileSync(
      path.join(dir, "tests", `${name}.test.js`),
      `const fs = require("node:fs");
       const path = require("node:path");
       const pg = require(process.env.PG_MODULE);
       test("writes into its own schema, which no other file of either shard has", async () => {
         const schema = new URL(process.env.DATABASE_URL).searchParams.get("schema");
         fs.writeFileSync(path.join(process.env.MARKERS, process.env.SHARD + "-${name}"), schema);
         const client = new pg.Client({ connectionString: process.env.DATABASE_URL.replace(/[?&]schema=[^&]*/, "") });
         await client.connect();
         try {
           await client.query(\`INSERT INTO "\${schema}".pack (ref, label, version) VALUES ('pack_${name}', 'P', '1.0.0')\`);
           const { rows } = await client.query(\`SELECT ref FROM "\${schema}".pack\`);
           expect(rows).toEqual([{ ref: "pack_${name}" }]);
         } finally {
           await client.end();
         }
       });\n`,
    );
  }
}

describe("jest --shard", () => {
  it("two shards run at once on one server: every file once, each in its own schema, nothing left behind", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "attune-db-shards-"));
    const markers = path.join(dir, "markers");
    fs.mkdirSync(markers);
    writeProject(dir);
    const runIds = [generateRunId(), generateRunId()];
    const env = (shard: number) => ({
      DATABASE_URL: process.env.DATABASE_URL!,
      MARKERS: markers,
      SHARD: String(shard),
      PG_MODULE: require.resolve("pg"),
      ATTUNE_TEST_RUN_ID: runIds[shard - 1]!,
    });
    const runs = await Promise.all([1, 2].map((shard) => runJest(dir, env(shard), [`--shard=${shard}/2`])));

    // Jest's diff would cut the runs' output short: on failure, print it whole.
    if (runs.some((r) => r.code !== 0)) console.log(runs.map((r, i) => `shard ${i + 1}/2:\n${r.output}`).join("\n"));
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const ran = fs.readdirSync(markers).sort();
    const byShard = [1, 2].map((shard) => ran.filter((m) => m.startsWith(`${shard}-`)).map((m) => m.slice(2)));
    // Each file in exactly one shard, and each shard ran some.
    expect([...byShard[0]!, ...byShard[1]!].sort()).toEqual(FILES);
    expect(byShard.map((files) => files.length > 0)).toEqual([true, true]);
    const schemas = ran.map((m) => fs.readFileSync(path.join(markers, m), "utf8"));
    expect(new Set(schemas).size).toBe(FILES.length);

    // Each run's teardown dropped its own schemas and registry rows; neither touched the other's while it ran.
    const client = await connectPgClient(process.env.DATABASE_URL!, REGISTRY_SCHEMA);
    try {
      const left = await client.query("SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)", [schemas]);
      expect(left.rows).toEqual([]);
      const rows = await client.query(`SELECT name FROM ${REGISTRY_TABLE} WHERE run_id = ANY($1)`, [runIds]);
      expect(rows.rows).toEqual([]);
    } finally {
      await client.end();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
