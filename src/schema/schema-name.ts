import { InvalidSchemaNameError } from "../errors/invalid-schema-name-error.ts";
import { RESERVED_SCHEMA_NAMES } from "./reserved-words.ts";

/** PostgreSQL truncates identifiers at NAMEDATALEN - 1 bytes. */
export const MAX_SCHEMA_NAME_BYTES = 63;

const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;

/**
 * Returns `name` when it is a schema name attune-db accepts, or throws
 * {@link InvalidSchemaNameError} saying what is wrong. Accepted names need no
 * quoting at all: lower-case ASCII letters, digits and `_`, starting with a
 * letter or `_`, at most 63 bytes, no `pg_` prefix, not a reserved word.
 */
export function validateSchemaName(name: unknown): string {
  if (typeof name !== "string") {
    throw new InvalidSchemaNameError(name, `expected a string, got ${name === null ? "null" : typeof name}`);
  }
  if (name.length === 0) throw new InvalidSchemaNameError(name, "it is empty");
  const bytes = Buffer.byteLength(name, "utf8");
  if (bytes > MAX_SCHEMA_NAME_BYTES) {
    throw new InvalidSchemaNameError(
      name,
      `it is ${bytes} bytes long; PostgreSQL identifiers are at most ${MAX_SCHEMA_NAME_BYTES} bytes`,
    );
  }
  if (!SCHEMA_NAME_PATTERN.test(name)) {
    const bad = [...name].find((c, i) => !(i === 0 ? /[a-z_]/ : /[a-z0-9_]/).test(c));
    throw new InvalidSchemaNameError(
      name,
      `character ${JSON.stringify(bad)} is not allowed; use lower-case a-z, 0-9 and _, starting with a letter or _`,
    );
  }
  if (name.startsWith("pg_")) {
    throw new InvalidSchemaNameError(name, 'the "pg_" prefix is reserved for PostgreSQL system schemas');
  }
  if (RESERVED_SCHEMA_NAMES.has(name)) {
    throw new InvalidSchemaNameError(name, "it is a reserved word in PostgreSQL");
  }
  return name;
}

/**
 * The one place where a schema name becomes SQL: validates it, then quotes it
 * as an identifier.
 */
export function quoteSchema(name: string): string {
  return quoteIdentifier(validateSchemaName(name));
}

/** Quotes any SQL identifier (doubling embedded quotes). */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
