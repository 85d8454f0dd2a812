import type pg from "pg";
import type { Datamodel, DmmfField, DmmfModel } from "./prisma-datamodel.ts";

export interface DriftOptions {
  /**
   * `table.column` of array columns that are nullable in the database although
   * Prisma (which has no optional lists) declares them required.
   */
  readonly nullableLists?: readonly string[];
}

/**
 * Compares a migrated schema with a Prisma data model and lists every
 * difference as one readable line: tables, columns, types, nullability,
 * defaults, enums and their values, primary keys, foreign keys (columns,
 * target, ON DELETE / ON UPDATE), unique constraints and the indexes the
 * model declares. An empty list means no drift.
 */
export async function detectDrift(
  client: pg.ClientBase,
  schema: string,
  datamodel: Datamodel,
  options: DriftOptions = {},
): Promise<string[]> {
  const db = await introspect(client, schema);
  const problems: string[] = [];
  const enumDbName = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const modelByName = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName)!;
    return field.dbName ?? field.name;
  };
  const nullableLists = new Set(options.nullableLists ?? []);

  // Tables
  const modelTables = new Set(datamodel.models.map(tableOf));
  for (const table of modelTables) if (!db.tables.has(table)) problems.push(`table ${table}: in the Prisma schema, not in the database`);
  for (const table of db.tables) if (!modelTables.has(table)) problems.push(`table ${table}: in the database, not in the Prisma schema`);

  // Columns
  for (const model of datamodel.models) {
    const table = tableOf(model);
    if (!db.tables.has(table)) continue;
    const scalars = model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum");
    const columns = db.columns.get(table) ?? new Map();
    for (const field of scalars) {
      const name = field.dbName ?? field.name;
      const where = `column ${table}.${name}`;
      const column = columns.get(name);
      if (!column) {
        problems.push(`${where}: in the Prisma schema (field ${model.name}.${field.name}), not in the database`);
        continue;
      }
      const expectedType = prismaType(field, enumDbName);
      if (normalizeType(expectedType) !== normalizeType(column.type)) {
        problems.push(`${where}: type is ${column.type} in the database, ${expectedType} in the Prisma schema`);
      }
      const expectNotNull = field.isRequired && !(field.isList && nullableLists.has(`${table}.${name}`));
      if (expectNotNull !== column.notNull) {
        problems.push(`${where}: ${column.notNull ? "NOT NULL" : "nullable"} in the database, ${expectNotNull ? "required" : "optional"} in the Prisma schema`);
      }
      const expectedDefault = prismaDefault(field);
      const actualDefault = normalizeDefault(column.default);
      if (expectedDefault !== undefined && expectedDefault !== actualDefault) {
        problems.push(`${where}: default is ${column.default ?? "none"} in the database, ${expectedDefault ?? "none"} in the Prisma schema`);
      }
    }
    const fieldColumns = new Set(scalars.map((f) => f.dbName ?? f.name));
    for (const name of columns.keys()) {
      if (!fieldColumns.has(name)) problems.push(`column ${table}.${name}: in the database, not in the Prisma schema`);
    }
  }

  // Enums
  const modelEnums = new Map(datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]));
  for (const [name, values] of modelEnums) {
    const actual = db.enums.get(name);
    if (!actual) problems.push(`enum ${name}: in the Prisma schema, not in the database`);
    else if (actual.join(",") !== values.join(",")) {
      problems.push(`enum ${name}: values are [${actual.join(", ")}] in the database, [${values.join(", ")}] in the Prisma schema`);
    }
  }
  for (const name of db.enums.keys()) if (!modelEnums.has(name)) problems.push(`enum ${name}: in the database, not in the Prisma schema`);

  // Primary keys, unique constraints, indexes
  for (const index of datamodel.indexes) {
    const model = modelByName.get(index.model)!;
    const table = tableOf(model);
    const columns = index.fields.map((f) => columnOf(model, f.name));
    const key = `${table}(${columns.join(", ")})`;
    if (index.type === "id") {
      const pk = db.primaryKeys.get(table);
      if (pk?.join(",") !== columns.join(",")) problems.push(`primary key ${key}: database has (${pk?.join(", ") ?? "none"})`);
    } else if (index.type === "unique") {
      const match = db.uniques.find((u) => u.table === table && u.columns.join(",") === columns.join(","));
      if (!match) problems.push(`unique ${index.dbName ?? ""} on ${key}: in the Prisma schema, not in the database`);
      else if (index.dbName && match.name !== index.dbName) problems.push(`unique on ${key}: named ${match.name} in the database, ${index.dbName} in the Prisma schema`);
    } else if (index.type === "normal") {
      const match = db.indexes.get(index.dbName ?? "");
      const method = (index.algorithm ?? "BTree").toLowerCase();
      const orders = index.fields.map((f) => f.sortOrder ?? "asc").join(",");
      if (!match || match.table !== table) problems.push(`index ${index.dbName} on ${key}: in the Prisma schema, not in the database`);
      else if (match.columns.join(",") !== columns.join(",") || match.method !== method || match.orders.join(",") !== orders) {
        problems.push(
          `index ${index.dbName}: database has ${match.method} on ${match.table}(${match.columns.join(", ")}) ${match.orders.join(",")}, ` +
            `Prisma schema has ${method} on ${key} ${orders}`,
        );
      }
    }
  }
  for (const unique of db.uniques) {
    const declared = datamodel.indexes.some((i) => {
      if (i.type !== "unique") return false;
      const model = modelByName.get(i.model)!;
      return tableOf(model) === unique.table && i.fields.map((f) => columnOf(model, f.name)).join(",") === unique.columns.join(",");
    });
    if (!declared) problems.push(`unique ${unique.name} on ${unique.table}(${unique.columns.join(", ")}): in the database, not in the Prisma schema`);
  }

  // Foreign keys
  const expectedFks = datamodel.models.flatMap((model) =>
    model.fields
      .filter((f) => f.kind === "object" && f.relationFromFields?.length)
      .map((f) => {
        const target = modelByName.get(f.type)!;
        return {
          relation: `${model.name}.${f.name}`,
          table: tableOf(model),
          columns: f.relationFromFields!.map((n) => columnOf(model, n)),
          refTable: tableOf(target),
          refColumns: f.relationToFields!.map((n) => columnOf(target, n)),
          onDelete: referentialAction(f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull")),
          onUpdate: referentialAction(f.relationOnUpdate ?? "Cascade"),
        };
      }),
  );
  const fkKey = (fk: { table: string; columns: string[] }) => `${fk.table}(${fk.columns.join(", ")})`;
  for (const fk of expectedFks) {
    const actual = db.foreignKeys.find((a) => fkKey(a) === fkKey(fk));
    if (!actual) {
      problems.push(`foreign key ${fkKey(fk)} -> ${fk.refTable} (relation ${fk.relation}): in the Prisma schema, not in the database`);
      continue;
    }
    const target = (x: { refTable: string; refColumns: string[] }) => `${x.refTable}(${x.refColumns.join(", ")})`;
    if (target(actual) !== target(fk)) problems.push(`foreign key ${actual.name}: references ${target(actual)} in the database, ${target(fk)} in the Prisma schema`);
    if (actual.onDelete !== fk.onDelete) problems.push(`foreign key ${actual.name}: ON DELETE ${actual.onDelete} in the database, ${fk.onDelete} in the Prisma schema (${fk.relation})`);
    if (actual.onUpdate !== fk.onUpdate) problems.push(`foreign key ${actual.name}: ON UPDATE ${actual.onUpdate} in the database, ${fk.onUpdate} in the Prisma schema (${fk.relation})`);
  }
  for (const fk of db.foreignKeys) {
    if (!expectedFks.some((e) => fkKey(e) === fkKey(fk))) problems.push(`foreign key ${fk.name} on ${fkKey(fk)}: in the database, not in the Prisma schema`);
  }
  return problems;
}

function prismaType(field: DmmfField, enumDbName: Map<string, string>): string {
  const [native, args = []] = field.nativeType ?? [];
  let base: string;
  if (field.kind === "enum") base = enumDbName.get(field.type) ?? field.type;
  else {
    switch (field.type) {
      case "String":
        base = native === "VarChar" ? `character varying(${args[0]})` : native === "Char" ? `character(${args[0]})` : native === "Inet" ? "inet" : native === "Uuid" ? "uuid" : "text";
        break;
      case "BigInt": base = "bigint"; break;
      case "Int": base = native === "SmallInt" ? "smallint" : "integer"; break;
      case "Boolean": base = "boolean"; break;
      case "Float": base = native === "Real" ? "real" : "double precision"; break;
      case "Decimal": base = `numeric(${(args.length ? args : ["65", "30"]).join(",")})`; break;
      case "Json": base = native === "Json" ? "json" : "jsonb"; break;
      case "Bytes": base = "bytea"; break;
      case "DateTime":
        base = native === "Date" ? "date" : native === "Timestamptz" ? `timestamp(${args[0] ?? 6}) with time zone` : `timestamp(${args[0] ?? 3}) without time zone`;
        break;
      default: base = field.type;
    }
  }
  return field.isList ? `${base}[]` : base;
}

/** Microsecond precision is PostgreSQL's default: `timestamptz` and `timestamptz(6)` are the same type. */
function normalizeType(type: string): string {
  return type.replace(/^timestamp with time zone/, "timestamp(6) with time zone").replace(/^timestamp without time zone/, "timestamp(6) without time zone");
}

/** A Prisma default as the normalized text of a PostgreSQL column default; undefined = not comparable. */
function prismaDefault(field: DmmfField): string | null | undefined {
  if (!field.hasDefaultValue) return null;
  const value = field.default;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const fn = value as { name: string };
    if (fn.name === "autoincrement") return "autoincrement";
    if (fn.name === "now") return "now()";
    return undefined; // dbgenerated(...) and friends
  }
  if (Array.isArray(value)) return `{${value.join(",")}}`;
  return String(value);
}

function normalizeDefault(expr: string | null): string | null {
  if (expr === null) return null;
  if (/^nextval\(/.test(expr)) return "autoincrement";
  if (/^(now\(\)|CURRENT_TIMESTAMP)$/i.test(expr)) return "now()";
  if (/^ARRAY\[\]::[\w\s"]+\[\]$/.test(expr)) return "{}"; // an empty array, however it was spelled
  const literal = /^'((?:[^']|'')*)'::[\w\s"().,]+(\[\])?$/.exec(expr);
  if (literal) return literal[1]!.replace(/''/g, "'");
  return expr;
}

const ACTIONS: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };
function referentialAction(prisma: string): string {
  return ({ NoAction: "NO ACTION", Restrict: "RESTRICT", Cascade: "CASCADE", SetNull: "SET NULL", SetDefault: "SET DEFAULT" } as Record<string, string>)[prisma] ?? prisma;
}

interface Introspection {
  tables: Set<string>;
  columns: Map<string, Map<string, { type: string; notNull: boolean; default: string | null }>>;
  enums: Map<string, string[]>;
  primaryKeys: Map<string, string[]>;
  uniques: { name: string; table: string; columns: string[] }[];
  indexes: Map<string, { table: string; columns: string[]; method: string; orders: string[] }>;
  foreignKeys: { name: string; table: string; columns: string[]; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string }[];
}

const IGNORED_TABLES = new Set(["_prisma_migrations"]);

async function introspect(client: pg.ClientBase, schema: string): Promise<Introspection> {
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql, [schema])).rows;
  const columnsOf = `array(SELECT a.attname FROM unnest(%KEYS%) WITH ORDINALITY k(n, o)
                           JOIN pg_attribute a ON a.attrelid = %REL% AND a.attnum = k.n ORDER BY k.o)::text[]`;
  const cols = (keys: string, rel: string) => columnsOf.replace("%KEYS%", keys).replace("%REL%", rel);

  const tables = await q<{ name: string }>(
    `SELECT relname AS name FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind IN ('r', 'p')`,
  );
  const columns = await q<{ table: string; name: string; type: string; not_null: boolean; default: string | null }>(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  const enums = await q<{ name: string; values: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = $1::regnamespace GROUP BY t.typname`,
  );
  const constraints = await q<{
    name: string; type: string; table: string; columns: string[]; ref_table: string | null; ref_columns: string[] | null;
    on_delete: string; on_update: string;
  }>(
    `SELECT con.conname AS name, con.contype AS type, cl.relname AS table,
            ${cols("con.conkey", "con.conrelid")} AS columns,
            rcl.relname AS ref_table,
            CASE WHEN con.contype = 'f' THEN ${cols("con.confkey", "con.confrelid")} END AS ref_columns,
            con.confdeltype AS on_delete, con.confupdtype AS on_update
       FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
       LEFT JOIN pg_class rcl ON rcl.oid = con.confrelid
      WHERE con.connamespace = $1::regnamespace AND con.contype IN ('p', 'u', 'f')`,
  );
  const indexes = await q<{ name: string; table: string; columns: string[]; method: string; unique: boolean; is_constraint: boolean; partial: boolean; expression: boolean; orders: string[] }>(
    `SELECT ic.relname AS name, tc.relname AS table, ${cols("i.indkey::int2[]", "i.indrelid")} AS columns,
            am.amname AS method, i.indisunique AS unique,
            -- conrelid first: pg_constraint has no index on conindid, and a correlated
            -- scan per index took minutes on a server with bloated catalogs.
            EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid) AS is_constraint,
            i.indpred IS NOT NULL AS partial, i.indexprs IS NOT NULL AS expression,
            array(SELECT CASE WHEN (o.opt & 1) = 1 THEN 'desc' ELSE 'asc' END
                    FROM unnest(i.indoption::int2[]) WITH ORDINALITY o(opt, n) ORDER BY o.n)::text[] AS orders
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_am am ON am.oid = ic.relam
      WHERE ic.relnamespace = $1::regnamespace`,
  );

  const result: Introspection = {
    tables: new Set(tables.map((t) => t.name).filter((n) => !IGNORED_TABLES.has(n))),
    columns: new Map(),
    enums: new Map(enums.map((e) => [e.name, e.values])),
    primaryKeys: new Map(),
    uniques: [],
    indexes: new Map(),
    foreignKeys: [],
  };
  for (const c of columns) {
    if (IGNORED_TABLES.has(c.table)) continue;
    if (!result.columns.has(c.table)) result.columns.set(c.table, new Map());
    result.columns.get(c.table)!.set(c.name, { type: c.type, notNull: c.not_null, default: c.default });
  }
  for (const c of constraints) {
    if (IGNORED_TABLES.has(c.table)) continue;
    if (c.type === "p") result.primaryKeys.set(c.table, c.columns);
    else if (c.type === "u") result.uniques.push({ name: c.name, table: c.table, columns: c.columns });
    else {
      result.foreignKeys.push({
        name: c.name, table: c.table, columns: c.columns, refTable: c.ref_table!, refColumns: c.ref_columns!,
        onDelete: ACTIONS[c.on_delete]!, onUpdate: ACTIONS[c.on_update]!,
      });
    }
  }
  for (const i of indexes) {
    if (IGNORED_TABLES.has(i.table)) continue;
    // Unique indexes that are not constraints (e.g. idx_key_unique) count as unique constraints;
    // partial and expression indexes are beyond what Prisma can declare.
    if (i.unique && !i.is_constraint && !i.partial && !i.expression) result.uniques.push({ name: i.name, table: i.table, columns: i.columns });
    if (!i.unique) result.indexes.set(i.name, { table: i.table, columns: i.columns, method: i.method, orders: i.orders });
  }
  return result;
}
