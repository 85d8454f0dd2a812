import { walkValues } from "../json/walk-values.ts";
import type { Failure } from "./describe-failure.ts";

const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  smallint: [-(2n ** 15n), 2n ** 15n - 1n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
  bigint: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * Which field of the call's `input` the database refused, worked out from
 * what the error says (PostgreSQL names the column only for NOT NULL): the
 * string longer than the varchar limit, the value with a NUL, the largest
 * string for an index row too big, the number out of the named type's range,
 * the date out of range. "" when it cannot tell.
 */
export function locateRejectedValue(failure: Failure, input: unknown): string {
  if (failure.sqlState === "23502" && failure.column) return fieldOfColumn(input, failure.column);
  if (failure.sqlState === "54000") return largestString(input) ?? failure.column ?? "";
  const test = testFor(failure);
  let found: string | undefined;
  if (test) {
    walkValues(input, (value, path) => {
      if (found === undefined && test(value, path[path.length - 1])) found = path.join(".");
      return found === undefined;
    });
  }
  return found ?? failure.column ?? "";
}

function largestString(input: unknown): string | undefined {
  let largest: { path: string; length: number } | undefined;
  walkValues(input, (value, path) => {
    if (typeof value === "string" && value.length > (largest?.length ?? -1)) largest = { path: path.join("."), length: value.length };
  });
  return largest?.path;
}

type Test = ((value: unknown, key: string | undefined) => boolean) | undefined;

function testFor(failure: Failure): Test {
  switch (failure.sqlState) {
    case "22001": {
      const limit = Number(/varying\((\d+)\)/.exec(failure.message)?.[1] ?? Number.POSITIVE_INFINITY);
      return (value) => typeof value === "string" && value.length > limit;
    }
    case "22021":
    case "22P05":
      return (value, key) => (typeof value === "string" && value.includes("\u0000")) || (key ?? "").includes("\u0000");
    case "22003": {
      const [min, max] = INTEGER_RANGES[/type (\w+)/.exec(failure.message)?.[1] ?? "bigint"] ?? INTEGER_RANGES.bigint!;
      return (value) =>
        (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) && (BigInt(value) < min || BigInt(value) > max);
    }
    case "22007":
    case "22008":
    case "22009":
      return (value) => value instanceof Date;
    default:
      return undefined;
  }
}

/** The input key whose snake_case is `column` (`pack_ref` -> `packRef`), else the column. */
function fieldOfColumn(input: unknown, column: string): string {
  const keys = input !== null && typeof input === "object" ? Object.keys(input) : [];
  return keys.find((key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) === column) ?? column;
}
