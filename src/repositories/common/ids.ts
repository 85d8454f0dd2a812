import { ValidationError } from "../../errors/validation-error.ts";

/** An entity id: PostgreSQL BIGINT. Plain numbers are accepted for convenience and converted. */
export type Id = bigint | number;

/** The largest BIGINT. */
const INT8_MAX = 9_223_372_036_854_775_807n;

/**
 * `value` as a BIGINT id, or a {@link ValidationError} naming `field` when it
 * is not one: ids are positive, and a number must be a safe integer (2^53
 * and beyond are not exact as numbers: pass a bigint).
 */
export function toId(entity: string, value: Id, field = "id"): bigint {
  const message = idProblem(value);
  if (message) throw new ValidationError(entity, [{ field, message }]);
  return BigInt(value);
}

/** What is wrong with `value` as an id, or undefined. */
export function idProblem(value: unknown): string | undefined {
  if (typeof value === "bigint") return value <= 0n || value > INT8_MAX ? "must be a positive id of at most 2^63-1" : undefined;
  return typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0 ? "must be a positive id: a safe integer or a bigint" : undefined;
}
