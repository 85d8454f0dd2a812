// The error mapper names relations, unique fields and rules from static maps;
// these tests hold the maps to what a migrated schema really has.
import { CHECK_RULES, FOREIGN_KEYS, UNIQUE_FIELDS } from "../../src/errors/database-constraints.ts";
import { testSchema } from "../../src/testing/index.ts";
import { prismaDatamodel } from "../support/prisma-datamodel.ts";
import { withClient } from "../support/pg.ts";

interface Constraint {
  name: string;
  kind: "f" | "u" | "p" | "c" | "i";
  table: string;
  columns: string[];
  parent: string | null;
}

/** Every foreign key, unique, primary key and CHECK constraint, and every unique index that is not a constraint. */
async function constraints(): Promise<Constraint[]> {
  const { schema } = testSchema();
  return withClient(async (client) => {
    const { rows } = await client.query<Constraint>(
      `SELECT c.conname AS name, c.contype AS kind, t.relname AS "table", p.relname AS parent,
              ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class p ON p.oid = c.confrelid
       WHERE c.connamespace = to_regnamespace($1) AND c.contype IN ('f', 'u', 'p', 'c')
       UNION ALL
       SELECT i.relname, 'i', t.relname, NULL,
              ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(n, o)
                    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o)
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       WHERE i.relnamespace = to_regnamespace($1) AND x.indisunique
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
      [schema],
    );
    return rows;
  });
}

/** Column name -> Prisma field name, per table. */
function fieldNames(): Map<string, Map<string, string>> {
  return new Map(
    prismaDatamodel().models.map((model) => [
      model.dbName ?? model.name,
      new Map(model.fields.filter((f) => f.kind !== "object").map((f) => [f.dbName ?? f.name, f.name])),
    ]),
  );
}

const byName = (rows: Constraint[]) => Object.fromEntries(rows.map((row) => [row.name, row]));

it("FOREIGN_KEYS names every foreign key of the schema, as child.column -> parent", async () => {
  const foreignKeys = (await constraints()).filter((c) => c.kind === "f");
  expect(Object.fromEntries(foreignKeys.map((fk) => [fk.name, `${fk.table}.${fk.columns.join(",")} -> ${fk.parent}`]))).toEqual(FOREIGN_KEYS);
});

it("UNIQUE_FIELDS names every unique key but the `id` primary keys, with the fields the repositories use", async () => {
  const fields = fieldNames();
  const unique = (await constraints()).filter(
    (c) => (c.kind === "u" || c.kind === "i" || c.kind === "p") && !(c.kind === "p" && c.columns.join() === "id"),
  );
  expect(
    Object.fromEntries(unique.map((c) => [c.name, c.columns.map((column) => fields.get(c.table)?.get(column) ?? `?${column}`)])),
  ).toEqual(UNIQUE_FIELDS);
});

it("CHECK_RULES explains every CHECK constraint of the schema (NOT NULL checks aside)", async () => {
  const checks = byName((await constraints()).filter((c) => c.kind === "c"));
  expect(Object.keys(checks).sort()).toEqual(Object.keys(CHECK_RULES).sort());
});
