import type pg from "pg";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { quoteIdentifier, quoteSchema } from "../schema/schema-name.ts";
import { CatalogVersionReader } from "./catalog-versions.ts";
import { BOUNDED_TRANSACTION_SQL, boundedTransactionValues } from "./provisioner-timeouts.ts";

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

/** $1: schema. The rows of its `_prisma_migrations`, independent of the session's time zone and date style. */
const MIGRATIONS_DIGEST = `md5(query_to_xml(format(
  'SELECT id, checksum, migration_name, logs, extract(epoch FROM finished_at) AS f, extract(epoch FROM rolled_back_at) AS r,
          extract(epoch FROM started_at) AS s, applied_steps_count FROM %I._prisma_migrations ORDER BY id', $1::text),
  false, true, '')::text)`;

/** $1: schema, $2: recorded migrations digest. Everything that must hold after a reset; one row per violation. */
const VERIFY_RESET = `
  SELECT 'table ' || c.relname || ' still has rows' AS problem
    FROM pg_class c
   WHERE c.relnamespace = to_regnamespace($1) AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
     AND query_to_xml(format('SELECT 1 FROM %I.%I LIMIT 1', $1::text, c.relname), false, true, '')::text <> ''
  UNION ALL
  SELECT 'sequence ' || c.relname || ' is not at its start'
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
   WHERE c.relnamespace = to_regnamespace($1)
     AND query_to_xml(format('SELECT 1 FROM %I.%I WHERE is_called OR last_value <> %s', $1::text, c.relname, s.seqstart),
                      false, true, '')::text <> ''
  UNION ALL
  SELECT 'its migration history changed' WHERE ${MIGRATIONS_DIGEST} IS DISTINCT FROM $2`;

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
    const migrations = await client.query<{ digest: string }>(`SELECT ${MIGRATIONS_DIGEST} AS digest`, [schema]);
    return { catalogDigest: digest, migrationsDigest: migrations.rows[0]!.digest };
  }

  /**
   * In the caller's transaction: checks that `schema` is as built, deletes its
   * rows, restarts its sequences and verifies the result. Returns undefined
   * when the schema can be reused, else why not (then roll back and drop it).
   */
  async reset(client: pg.ClientBase, schema: string, recorded: BuildRecord): Promise<string | undefined> {
    // With row security off, a query that a policy would filter fails instead
    // of silently seeing fewer rows (superusers and owners bypass it anyway).
    await client.query(`${BOUNDED_TRANSACTION_SQL}, set_config('row_security', 'off', true)`, boundedTransactionValues());
    if (this.compareCatalog) {
      const { digest } = await this.catalog.read(client, schema);
      if (digest !== recorded.catalogDigest) return "its catalog changed since it was built (DDL, grants, options, comments...)";
    }
    const q = quoteSchema(schema);
    // One round trip for every table (a simple query of several statements, run in order, in this
    // transaction): ~60 separate DELETEs made a recycle slower than a test file, so the pool ran dry.
    // Only quoted identifiers go into the text; no values.
    const tables = await this.orderOf(client, schema);
    if (tables.length > 0) await client.query(tables.map((table) => `DELETE FROM ${q}.${quoteIdentifier(table)};`).join("\n"));
    await client.query(
      `SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
        WHERE c.relnamespace = to_regnamespace($1)`,
      [schema],
    );
    const { rows } = await client.query<{ problem: string }>(VERIFY_RESET, [schema, recorded.migrationsDigest]);
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
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = to_regnamespace($1) AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'`,
    [schema],
  );
  const { rows: edges } = await client.query<{ child: string; parent: string }>(
    `SELECT cc.relname AS child, pc.relname AS parent
       FROM pg_constraint k
       JOIN pg_class cc ON cc.oid = k.conrelid
       JOIN pg_class pc ON pc.oid = k.confrelid
      WHERE k.contype = 'f' AND k.connamespace = to_regnamespace($1)
        AND cc.relnamespace = pc.relnamespace AND cc.oid <> pc.oid`,
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
