import crypto from "node:crypto";
import type pg from "pg";

/**
 * The version of every system-catalog row that belongs to one schema, as a
 * digest: recycling compares it with the digest taken when the schema was
 * built, and reuses the schema only if they are equal.
 *
 * PostgreSQL writes a new row version (with a new `xmin`) for every change to
 * a catalog row, whatever the change: a new column, a default, an ACL, a
 * reloption, `SECURITY DEFINER`, a function's `SET search_path`, a disabled
 * trigger, replica identity, a comment. New objects add rows; dropped ones
 * remove them. So comparing (row, xmin) pairs detects every change without
 * knowing what a catalog's columns mean. The only catalog writes that keep
 * `xmin` are VACUUM's and ANALYZE's in-place statistics updates (page and
 * tuple counts, frozen xids), which change no behaviour. A transaction that
 * rolled back leaves the old row versions, so no change.
 *
 * "Belongs to the schema" is the transitive closure of pg_depend from the
 * schema's namespace row (everything in the schema depends on it; columns'
 * defaults, constraints, indexes, triggers, rules and policies depend on their
 * tables; objects elsewhere that depend on ours, such as a publication's
 * membership, are included too), plus the rows that hang off those objects
 * without a pg_depend row of their own (columns, index and sequence
 * parameters, enum labels, comments...). Every lookup goes through a catalog
 * index, so the cost does not grow with catalog bloat.
 */

/** Rows of these catalogs are found through the object they describe. */
const KEYED_CATALOGS: Readonly<Record<string, { readonly key: string; readonly of: string | "any" }>> = {
  pg_attribute: { key: "attrelid", of: "pg_class" },
  pg_index: { key: "indexrelid", of: "pg_class" },
  pg_sequence: { key: "seqrelid", of: "pg_class" },
  pg_inherits: { key: "inhrelid", of: "pg_class" },
  pg_partitioned_table: { key: "partrelid", of: "pg_class" },
  pg_foreign_table: { key: "ftrelid", of: "pg_class" },
  pg_enum: { key: "enumtypid", of: "pg_type" },
  pg_range: { key: "rngtypid", of: "pg_type" },
  pg_aggregate: { key: "aggfnoid", of: "pg_proc" },
  pg_ts_config_map: { key: "mapcfg", of: "pg_ts_config" },
  pg_description: { key: "objoid", of: "any" },
  pg_seclabel: { key: "objoid", of: "any" },
  pg_init_privs: { key: "objoid", of: "any" },
};

/**
 * Keyed catalogs that stay small whatever the schema churn, so a sequential
 * scan of each is cheaper than an index probe per object (the planner picks
 * a sequential scan per probe for them: 10 of the digest's 30 ms).
 */
const SMALL_CATALOGS: Readonly<Record<string, string>> = {
  pg_init_privs: "only initdb's and CREATE EXTENSION's initial privileges (a few hundred rows)",
};

/**
 * Catalogs deliberately not compared, and why. Shared catalogs (roles,
 * databases, tablespaces...) are skipped as a class: nothing in them belongs
 * to one schema.
 */
export const IGNORED_CATALOGS: Readonly<Record<string, string>> = {
  pg_statistic: "planner statistics: ANALYZE rewrites them; they change plans, not results",
  pg_statistic_ext_data: "planner statistics of CREATE STATISTICS objects (the objects themselves are compared)",
  pg_depend: "compared as the closure's edges, not by row version",
  pg_largeobject: "large-object data is database-wide, not in a schema",
  pg_subscription_rel: "logical-replication progress, not schema structure",
};

export interface CatalogTable {
  readonly name: string;
  readonly shared: boolean;
  readonly hasOid: boolean;
}

/** The server's own catalog tables. */
export async function listCatalogTables(client: pg.ClientBase): Promise<CatalogTable[]> {
  const { rows } = await client.query<CatalogTable>(
    `SELECT c.relname AS name, c.relisshared AS shared,
            EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'oid' AND NOT a.attisdropped) AS "hasOid"
       FROM pg_catalog.pg_class c
      WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r'
      ORDER BY 1`,
  );
  return rows;
}

/** Catalogs the digest neither compares nor deliberately ignores: must be empty (a test checks it on each server). */
export function uncoveredCatalogs(catalogs: readonly CatalogTable[]): string[] {
  return catalogs
    .filter((c) => !c.shared && !c.hasOid && !(c.name in KEYED_CATALOGS) && !(c.name in IGNORED_CATALOGS))
    .map((c) => c.name);
}

/** The digest query for a server with these catalogs; `$1` is the schema name. */
export function catalogVersionsSql(catalogs: readonly CatalogTable[]): string {
  const present = new Set(catalogs.map((c) => c.name));
  const branches: string[] = [];
  for (const catalog of catalogs) {
    if (catalog.shared || !catalog.hasOid || catalog.name in IGNORED_CATALOGS) continue;
    // OFFSET 0 keeps each lookup a nested-loop index probe (the planner would
    // otherwise be free to hash-join a sequential scan of a bloated catalog).
    branches.push(
      `SELECT '${catalog.name}:' || t.oid || ':' || t.xmin FROM ${objectsOf(catalog.name)}
         CROSS JOIN LATERAL (SELECT t.oid, t.xmin FROM pg_catalog.${catalog.name} t WHERE t.oid = o.objid OFFSET 0) t`,
    );
  }
  for (const [name, { key, of }] of Object.entries(KEYED_CATALOGS)) {
    if (!present.has(name) || (of !== "any" && !present.has(of))) continue;
    const match = of === "any" ? `t.${key} = o.objid AND t.classoid = o.classid` : `t.${key} = o.objid`;
    if (name in SMALL_CATALOGS) {
      // Scanned once and hash-joined: a probe per object (1,000+) costs more than the whole catalog.
      branches.push(`SELECT '${name}:' || ${keyedIdentity(name)} || ':' || t.xmin FROM pg_catalog.${name} t JOIN objs o ON ${match}`);
      continue;
    }
    branches.push(
      `SELECT '${name}:' || t.line FROM ${of === "any" ? "objs o" : objectsOf(of)}
         CROSS JOIN LATERAL (SELECT ${keyedIdentity(name)} || ':' || t.xmin AS line FROM pg_catalog.${name} t WHERE ${match} OFFSET 0) t`,
    );
  }
  branches.push(`SELECT 'pg_depend:' || edge FROM closure WHERE edge IS NOT NULL`);
  return `WITH RECURSIVE closure(classid, objid, edge) AS (
    SELECT 'pg_catalog.pg_namespace'::regclass::oid, n.oid, NULL::text FROM pg_catalog.pg_namespace n WHERE n.nspname = $1
    UNION
    SELECT d.classid, d.objid,
           d.classid || '.' || d.objid || '.' || d.objsubid || '>' || d.refclassid || '.' || d.refobjid || '.' || d.refobjsubid || ':' || d.deptype::text
      FROM closure c
      CROSS JOIN LATERAL (SELECT * FROM pg_catalog.pg_depend d WHERE d.refclassid = c.classid AND d.refobjid = c.objid OFFSET 0) d
  ),
  objs AS MATERIALIZED (SELECT DISTINCT classid, objid FROM closure),
  classes AS MATERIALIZED (SELECT classid, array_agg(objid) AS objids FROM objs GROUP BY classid)
  SELECT md5(string_agg(line, E'\\n' ORDER BY line)) AS digest, count(*)::int AS rows
    FROM (${branches.join("\n    UNION ALL\n    ")}) lines(line)`;
}

/** The closure's objects of one catalog, as rows `o(objid)` (found among a few dozen classes, not 1,000+ objects). */
function objectsOf(catalog: string): string {
  return `(SELECT unnest(k.objids) AS objid FROM classes k WHERE k.classid = 'pg_catalog.${catalog}'::regclass) o`;
}

/** How a keyed row is identified in the digest (its key columns; the row version follows). */
function keyedIdentity(catalog: string): string {
  const identity: Record<string, string> = {
    pg_attribute: "t.attrelid || '.' || t.attnum",
    pg_index: "t.indexrelid::text",
    pg_sequence: "t.seqrelid::text",
    pg_inherits: "t.inhrelid || '.' || t.inhseqno",
    pg_partitioned_table: "t.partrelid::text",
    pg_foreign_table: "t.ftrelid::text",
    pg_enum: "t.oid::text",
    pg_range: "t.rngtypid::text",
    pg_aggregate: "t.aggfnoid::text",
    pg_ts_config_map: "t.mapcfg || '.' || t.maptokentype || '.' || t.mapseqno",
    pg_description: "t.classoid || '.' || t.objoid || '.' || t.objsubid",
    pg_seclabel: "t.classoid || '.' || t.objoid || '.' || t.objsubid || '.' || t.provider",
    pg_init_privs: "t.classoid || '.' || t.objoid || '.' || t.objsubid",
  };
  return identity[catalog]!;
}

export interface CatalogVersions {
  /** md5 of every (catalog row, row version) of the schema. */
  readonly digest: string;
  /** How many catalog rows it covers (a sanity check: never 0 for a migrated schema). */
  readonly rows: number;
}

/**
 * Reads the versions of every catalog row of `schema`. Prepared once per
 * connection (the query is large; planning it costs more than running it).
 */
export class CatalogVersionReader {
  private sql: Promise<{ name: string; text: string }> | undefined;

  async read(client: pg.ClientBase, schema: string): Promise<CatalogVersions> {
    this.sql ??= listCatalogTables(client).then((catalogs) => {
      const text = catalogVersionsSql(catalogs);
      return { name: `attune_catalog_versions_${crypto.createHash("sha1").update(text).digest("hex").slice(0, 12)}`, text };
    });
    const statement = await this.sql.catch((error) => {
      this.sql = undefined;
      throw error;
    });
    const { rows } = await client.query<CatalogVersions>({ ...statement, values: [schema] });
    return { digest: rows[0]!.digest, rows: rows[0]!.rows };
  }
}
