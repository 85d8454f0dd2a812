import type pg from "pg";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { quoteIdentifier, quoteSchema } from "../schema/schema-name.ts";
import { CatalogVersionReader } from "./catalog-versions.ts";
import { BOUNDED_TRANSACTION_SQL } from "./provisioner-timeouts.ts";

/**
 * Reusing a released test schema instead of dropping it and migrating a new
 * one, failing closed: a schema is reused only when every row version of its
 * catalog is the one its build wrote (see catalog-versions.ts) and, after its
 * rows are deleted and its sequences restarted, every table is verified empty,
 * every sequence at its start and its migration history as built. Any other
 * outcome, or any error, means drop.
 */

/** What the build recorded about a schema, to compare with at release. */
export interface BuildRecord {
  readonly catalogDigest: string;
  readonly migrationsDigest: string;
}

/** A schema is dropped after this many reuses (deleted rows leave dead tuples; without autovacuum they pile up). */
export const MAX_REUSES = 50;

/** The rows of `schema`'s `_prisma_migrations` (an SQL text expression), independent of the session's time zone and date style. */
const migrationsDigest = (schema: string) => `md5(query_to_xml(format(
  'SELECT id, checksum, migration_name, logs, extract(epoch FROM finished_at) AS f, extract(epoch FROM rolled_back_at) AS r,
          extract(epoch FROM started_at) AS s, applied_steps_count FROM %I._prisma_migrations ORDER BY id', ${schema}::text),
  false, true, '')::text)`;

/**
 * The relations of `schema` (an SQL text expression) as rows `c(oid, relname, relkind)`, found
 * through their pg_depend rows on the namespace (the rows DROP SCHEMA ... CASCADE follows), so
 * that every lookup is an index probe: `pg_class` has no index on `relnamespace`, and its
 * sequential scan grows with every schema on the server (38 ms with ~240 test schemas alive,
 * in each reset).
 */
const relationsOf = (schema: string) => `(SELECT DISTINCT c.oid, c.relname, c.relkind
     FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid = d.objid
    WHERE d.refclassid = 'pg_catalog.pg_namespace'::regclass AND d.refobjid = to_regnamespace(${schema})
      AND d.classid = 'pg_catalog.pg_class'::regclass AND c.relnamespace = d.refobjid) c`;

/** The pg_sequence row of a relation, as `s(seqrelid, seqstart)`: a probe of its index (OFFSET 0 keeps the planner from hashing the whole catalog). */
const sequenceOf = (relation: string) =>
  `(SELECT s.seqrelid, s.seqstart FROM pg_catalog.pg_sequence s WHERE s.seqrelid = ${relation} OFFSET 0) s`;

/** Everything that must hold after a reset, one row per violation (arguments: SQL text expressions). */
const verifyReset = (schema: string, recordedMigrationsDigest: string) => `
  SELECT 'table ' || c.relname || ' still has rows' AS problem
    FROM ${relationsOf(schema)}
   WHERE c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
     AND query_to_xml(format('SELECT 1 FROM %I.%I LIMIT 1', ${schema}::text, c.relname), false, true, '')::text <> ''
  UNION ALL
  SELECT 'sequence ' || c.relname || ' is not at its start'
    FROM ${relationsOf(schema)} CROSS JOIN LATERAL ${sequenceOf("c.oid")}
   WHERE query_to_xml(format('SELECT 1 FROM %I.%I WHERE is_called OR last_value <> %s', ${schema}::text, c.relname, s.seqstart),
                      false, true, '')::text <> ''
  UNION ALL
  SELECT 'its migration history changed' WHERE ${migrationsDigest(schema)} IS DISTINCT FROM ${recordedMigrationsDigest}`;

export interface SchemaRecyclerOptions {
  /**
   * Compare catalog row versions before reusing. Only tests of the tests turn
   * this off (to prove that the table-driven recycling test would catch a
   * recycler that does not check). Default is true.
   */
  readonly compareCatalog?: boolean;
}

export class SchemaRecycler {
  private readonly catalog = new CatalogVersionReader();
  private readonly compareCatalog: boolean;
  /** Children first. Every schema of one provisioner is built by the same migrations, so one order serves all. */
  private tableOrder: Promise<string[]> | undefined;

  constructor(options: SchemaRecyclerOptions = {}) {
    this.compareCatalog = options.compareCatalog ?? true;
  }

  /** What to compare with later; run last in the build's transaction. */
  async record(client: pg.ClientBase, schema: string): Promise<BuildRecord> {
    const { digest, rows } = await this.catalog.read(client, schema);
    if (rows === 0) throw new AttuneDbError(`Schema "${schema}" has no catalog rows: it does not exist`);
    const migrations = await client.query<{ digest: string }>(`SELECT ${migrationsDigest("$1")} AS digest`, [schema]);
    return { catalogDigest: digest, migrationsDigest: migrations.rows[0]!.digest };
  }

  /**
   * In the caller's transaction: checks that `schema` is as built, deletes its
   * rows, restarts its sequences and verifies the result. Returns undefined
   * when the schema can be reused, else why not (then roll back and drop it).
   */
  async reset(client: pg.ClientBase, schema: string, recorded: BuildRecord): Promise<string | undefined> {
    if (this.compareCatalog) {
      const { digest } = await this.catalog.read(client, schema);
      if (digest !== recorded.catalogDigest) return "its catalog changed since it was built (DDL, grants, options, comments...)";
    }
    const tables = await this.orderOf(client, schema);
    // The rest in one round trip (a simple query of several statements, run in order, in this
    // transaction): a reset runs in a test worker while it loads the next file, and each answer
    // waits for that worker's event loop (up to ~30 ms while it evaluates modules). Identifiers
    // are quoted, values escaped.
    const literal = (value: string) => client.escapeLiteral(value);
    const q = quoteSchema(schema);
    const results = (await client.query(
      [
        // With row security off, a query that a policy would filter fails instead of silently
        // seeing fewer rows (superusers and owners bypass it anyway).
        `${BOUNDED_TRANSACTION_SQL}, set_config('row_security', 'off', true);`,
        ...tables.map((table) => `DELETE FROM ${q}.${quoteIdentifier(table)};`),
        `SELECT setval(s.seqrelid, s.seqstart, false) FROM ${relationsOf(literal(schema))} CROSS JOIN LATERAL ${sequenceOf("c.oid")};`,
        `${verifyReset(literal(schema), literal(recorded.migrationsDigest))};`,
      ].join("\n"),
    )) as unknown as pg.QueryResult<{ problem: string }>[];
    const { rows } = results[results.length - 1]!;
    return rows.length > 0 ? rows.map((r) => r.problem).join("; ") : undefined;
  }

  private orderOf(client: pg.ClientBase, schema: string): Promise<string[]> {
    const order = (this.tableOrder ??= deletionOrder(client, schema));
    order.catch(() => {
      if (this.tableOrder === order) this.tableOrder = undefined;
    });
    return order;
  }
}

/** The tables of `schema` (but `_prisma_migrations`), children before the parents they reference. */
async function deletionOrder(client: pg.ClientBase, schema: string): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM ${relationsOf("$1")} WHERE c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'`,
    [schema],
  );
  const { rows: edges } = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, pc.relname AS parent
       FROM ${relationsOf("$1")}
       JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f'
       JOIN pg_class pc ON pc.oid = k.confrelid
      WHERE pc.relnamespace = to_regnamespace($1) AND pc.oid <> c.oid`,
    [schema],
  );
  return childrenFirst(
    tables.map((t) => t.name),
    edges,
  );
}

/** Tables ordered so that every table comes before the tables it references. */
export function childrenFirst(tables: readonly string[], edges: readonly { child: string; parent: string }[]): string[] {
  const referencedBy = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const { child, parent } of edges) referencedBy.get(parent)?.add(child);
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: string[] = [];
  const visit = (table: string) => {
    if (done.has(table) || visiting.has(table)) return; // a reference cycle: DELETE order cannot satisfy it anyway
    visiting.add(table);
    for (const child of referencedBy.get(table) ?? []) visit(child);
    visiting.delete(table);
    done.add(table);
    order.push(table);
  };
  for (const table of [...tables].sort()) visit(table);
  return order;
}
