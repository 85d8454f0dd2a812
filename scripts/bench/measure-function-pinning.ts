// What pinning a function's search_path (`ALTER FUNCTION ... SET search_path`,
// prisma/migrations/20261125200000_pin_function_search_path) costs per call:
// the same function pinned and unpinned, alternated round by round so both
// see the same load; the median of the rounds.
// Usage: npx tsx scripts/bench/measure-function-pinning.ts [--rounds 31]
//        (DATABASE_URL, else an embedded PostgreSQL). Results: docs/function-search-path.md.
import pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { searchPath } from "../../src/client/create-pg-pool.ts";
import { useDatabaseServer } from "../../src/embedded/database-server.ts";
import { migrate } from "../../src/migrations/migrate.ts";
import { quoteSchema } from "../../src/schema/schema-name.ts";
import { summarize, timed } from "./stats.ts";

interface Case {
  readonly name: string;
  /** The function whose pin is toggled. */
  readonly fn: string;
  /** How many calls one sample makes (in one statement, so the round trip is spread over them). */
  readonly calls: number;
  readonly sample: (client: pg.Client) => Promise<unknown>;
}

const CASES: readonly Case[] = [
  {
    name: "empty PL/pgSQL function (RETURN 1)",
    fn: "bench_noop()",
    calls: 20_000,
    sample: (c) => c.query("SELECT count(bench_noop()) FROM generate_series(1, 20000)"),
  },
  {
    name: "generate_webhook_hmac_secret() (pgcrypto)",
    fn: "generate_webhook_hmac_secret()",
    calls: 5_000,
    sample: (c) => c.query("SELECT count(generate_webhook_hmac_secret()) FROM generate_series(1, 5000)"),
  },
  {
    name: "row trigger update_updated_column() (UPDATE of 2,000 rows)",
    fn: "update_updated_column()",
    calls: 2_000,
    sample: (c) => c.query("UPDATE pack SET label = label"),
  },
  {
    name: "one call from the client: SELECT generate_webhook_hmac_secret()",
    fn: "generate_webhook_hmac_secret()",
    calls: 1,
    sample: (c) => c.query("SELECT generate_webhook_hmac_secret()"),
  },
];

async function main(): Promise<void> {
  const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1] ?? 31) || 31;
  const server = await useDatabaseServer({ log: console.error });
  const schema = `bench_pin_${process.pid}`;
  try {
    await migrate({ url: server.url, schema });
    const client = await connectPgClient(server.url, schema);
    try {
      await client.query("CREATE FUNCTION bench_noop() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$");
      await client.query("INSERT INTO pack (ref, label, version) SELECT 'p' || i, 'P', '1.0.0' FROM generate_series(1, 2000) AS i");
      const pinned = `SET search_path = ${searchPath(schema)}`;
      const version = (await client.query("SHOW server_version")).rows[0].server_version;
      console.log(`PostgreSQL ${version}${server.embedded ? " (embedded)" : ""}; ${rounds} rounds per case, pinned and unpinned alternated`);
      console.log("| case | calls per sample | unpinned, median µs/call | pinned, median µs/call | cost of the pin, µs/call |");
      console.log("|---|---|---|---|---|");
      for (const c of CASES) {
        const samples = { pinned: [] as number[], unpinned: [] as number[] };
        for (let round = -3; round < rounds; round++) {
          for (const mode of ["unpinned", "pinned"] as const) {
            await client.query(`ALTER FUNCTION ${c.fn} ${mode === "pinned" ? pinned : "RESET search_path"}`);
            await c.sample(client); // the first call after ALTER rebuilds the function's cache
            const ms = await timed(() => c.sample(client));
            if (round >= 0) samples[mode].push((ms * 1000) / c.calls);
          }
        }
        const [unpinned, pinnedMedian] = [summarize(samples.unpinned).median, summarize(samples.pinned).median];
        console.log(`| ${c.name} | ${c.calls} | ${unpinned.toFixed(2)} | ${pinnedMedian.toFixed(2)} | ${(pinnedMedian - unpinned).toFixed(2)} |`);
      }
    } finally {
      await client.query(`DROP SCHEMA ${quoteSchema(schema)} CASCADE`).catch(() => {});
      await client.end();
    }
  } finally {
    await server.release();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
