/**
 * JSON for attune rows: ids and counters are `bigint` (PostgreSQL BIGINT),
 * which `JSON.stringify` refuses. They are written as decimal strings, so no
 * precision is lost beyond 2^53; Prisma `Decimal` values as strings too.
 */
export function attuneJsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value !== null && typeof value === "object" && isDecimal(value)) return value.toString();
  return value;
}

/** `JSON.stringify` that accepts bigint and Decimal values (see {@link attuneJsonReplacer}). */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, attuneJsonReplacer, space);
}

/** A plain-JSON copy of `value` (bigints as strings, Dates as ISO strings), e.g. for an HTTP response. */
export function toJsonValue<T>(value: T): unknown {
  return JSON.parse(toJson(value));
}

function isDecimal(value: object): value is { toString(): string } {
  const name = value.constructor?.name;
  return (name === "Decimal" || name === "Decimal2") && typeof (value as { toFixed?: unknown }).toFixed === "function";
}
