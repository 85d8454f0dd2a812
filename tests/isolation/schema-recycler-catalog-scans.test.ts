import type pg from "pg";
import { withPgClient } from "../../src/client/connect-pg-client.ts";
import { SchemaRecycler } from "../../src/provisioner/schema-recycler.ts";
import { testSchema } from "../../src/testing/index.ts";

type Statement = { readonly text: string; readonly values?: unknown[] };
type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

/** Read whole on purpose: small whatever the schemas on the server (see catalog-versions.ts). */
const SMALL_CATALOGS = new Set(["pg_init_privs"]);

/** Every SELECT of a reset of `schema` (a batch is split into its statements), as the recycler sent it. */
async function resetStatements(client: pg.Client, schema: string): Promise<Statement[]> {
  const recycler = new SchemaRecycler();
  const sent: Statement[] = [];
  await client.query("BEGIN");
  try {
    const record = await recycler.record(client, schema);
    const query = client.query.bind(client) as (config: unknown, values?: unknown[]) => Promise<pg.QueryResult>;
    (client as { query: unknown }).query = (config: string | pg.QueryConfig, values?: unknown[]) => {
      const text = typeof config === "string" ? config : config.text;
      const params = typeof config === "string" ? values : (config.values ?? values);
      for (const statement of text.split(/;\n/)) sent.push({ text: statement.trim().replace(/;$/, ""), values: params });
      return query(config, values);
    };
    expect(await recycler.reset(client, schema, record)).toBeUndefined();
  } finally {
    delete (client as { query?: unknown }).query;
    await client.query("ROLLBACK");
  }
  return sent.filter((s) => /^(SELECT|WITH)\b/i.test(s.text));
}

/**
 * The catalog reads of a statement's plan that are not lookups by key, when the planner must
 * avoid sequential scans wherever an index can serve: a sequential scan, a scan of a whole index
 * (no condition), or pg_class through its (relname, relnamespace) index without a relname (a
 * skip scan over every schema's relations).
 */
async function unboundedCatalogReads(client: pg.Client, statement: Statement): Promise<string[]> {
  await client.query("BEGIN");
  try {
    await client.query("SET LOCAL enable_seqscan = off");
    const { rows } = await client.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values);
    const found: string[] = [];
    const walk = (node: PlanNode) => {
      const relation = String(node["Relation Name"] ?? "");
      const type = String(node["Node Type"]);
      const condition = String(node["Index Cond"] ?? "");
      if (relation.startsWith("pg_") && !SMALL_CATALOGS.has(relation)) {
        if (type === "Seq Scan") found.push(`${relation}: sequential scan`);
        else if (/Index/.test(type) && !condition) found.push(`${relation}: whole index ${String(node["Index Name"])}`);
        else if (node["Index Name"] === "pg_class_relname_nsp_index" && !/\brelname\b/.test(condition)) found.push(`${relation}: by relnamespace`);
      }
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(rows[0]!["QUERY PLAN"][0]!.Plan);
    return [...new Set(found)];
  } finally {
    await client.query("ROLLBACK");
  }
}

it("a reset reads the catalogs by key only: its cost does not grow with the other schemas on the server", async () => {
  // pg_class has no index on relnamespace: looking a schema's relations up by it read every
  // schema's relations (38 ms a statement with ~240 test schemas alive), and hand-outs waited.
  await withPgClient(testSchema().url, testSchema().schema, async (client) => {
    const statements = await resetStatements(client, testSchema().schema);
    expect(statements.length).toBeGreaterThanOrEqual(4); // settings, digest, setval, verify
    const unbounded: Record<string, string[]> = {};
    for (const statement of statements) {
      const found = await unboundedCatalogReads(client, statement);
      if (found.length > 0) unbounded[statement.text.replace(/\s+/g, " ").slice(0, 70)] = found;
    }
    expect(unbounded).toEqual({});
  });
});
