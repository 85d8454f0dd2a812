import type pg from "pg";
import { quoteIdentifier, quoteSchema } from "../schema/schema-name.ts";

/**
 * Reusing a released test schema instead of dropping it and migrating a new
 * one: a schema whose structure is exactly as built (same digest) only needs
 * its rows deleted and its sequences restarted, which costs a few
 * milliseconds where DROP + migrate costs hundreds. A schema whose structure
 * a test changed (DDL, a new function, an enum value, a migration row) is
 * never reused: it is dropped.
 */

/**
 * A digest of everything structural in `schema`: relations and their columns
 * (types, nullability, defaults), constraints, indexes, functions (bodies),
 * triggers, enum labels, sequences' parameters and the migration history.
 * Names only, no OIDs, so every schema built from the same migrations has the
 * same digest. Run with `schema` first on the search_path, so that type and
 * default expressions print unqualified.
 */
export async function structureDigest(client: pg.ClientBase, schema: string): Promise<string> {
  const { rows } = await client.query<{ digest: string }>(
    `WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
     rels AS (SELECT c.oid, c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM ns))
     SELECT md5(coalesce(string_agg(item, E'\\n' ORDER BY item), '')) AS digest FROM (
       SELECT 'rel ' || relname || ' ' || relkind::text FROM rels
       UNION ALL
       SELECT 'col ' || r.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
              || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
              || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
         FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_attrdef d ON d.adrelid = r.oid AND d.adnum = a.attnum
       UNION ALL
       SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = (SELECT oid FROM ns)
       UNION ALL
       SELECT 'idx ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN rels r ON r.oid = i.indexrelid
       UNION ALL
       SELECT 'fn ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(coalesce(p.prosrc, ''))
         FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM ns)
       UNION ALL
       SELECT 'trg ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
         FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
       UNION ALL
       SELECT 'enum ' || t.typname || ' ' || e.enumsortorder || ' ' || e.enumlabel
         FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typnamespace = (SELECT oid FROM ns)
       UNION ALL
       SELECT 'seq ' || r.relname || ' ' || s.seqstart || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' || s.seqmax
         FROM pg_sequence s JOIN rels r ON r.oid = s.seqrelid
       UNION ALL
       SELECT 'view ' || r.relname || ' ' || md5(pg_get_viewdef(r.oid)) FROM rels r WHERE r.relkind IN ('v', 'm')
     ) items(item)`,
    [schema],
  );
  const migrations = await client.query<{ digest: string | null }>(
    `SELECT md5(string_agg(migration_name || ' ' || checksum || ' ' || (finished_at IS NOT NULL), E'\\n' ORDER BY migration_name)) AS digest
       FROM ${quoteSchema(schema)}."_prisma_migrations"`,
  );
  return `${rows[0]!.digest}:${migrations.rows[0]!.digest ?? ""}`;
}

/**
 * Deletes every row of every table of `schema` except `_prisma_migrations`,
 * children before parents (so no foreign key is violated, without TRUNCATE,
 * which rewrites every table and index file and costs more than a drop), and
 * restarts every sequence. Runs in the caller's transaction.
 */
export async function resetSchemaData(client: pg.ClientBase, schema: string): Promise<void> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'`,
    [schema],
  );
  const { rows: edges } = await client.query<{ child: string; parent: string }>(
    `SELECT cc.relname AS child, pc.relname AS parent
       FROM pg_constraint k
       JOIN pg_class cc ON cc.oid = k.conrelid
       JOIN pg_class pc ON pc.oid = k.confrelid
      WHERE k.contype = 'f' AND k.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
        AND cc.relnamespace = pc.relnamespace AND cc.oid <> pc.oid`,
    [schema],
  );
  const order = childrenFirst(tables.map((t) => t.name), edges);
  const q = quoteSchema(schema);
  await client.query(
    [
      ...order.map((table) => `DELETE FROM ${q}.${quoteIdentifier(table)};`),
      `SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
        WHERE c.relnamespace = '${q}'::regnamespace;`,
    ].join("\n"),
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
