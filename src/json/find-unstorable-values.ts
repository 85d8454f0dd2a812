import { walkValues } from "./walk-values.ts";

/** How deep a JSON document may nest (Prisma's serializer overflows the stack at ~3,000 levels). */
export const MAX_JSON_DEPTH = 1_000;
/** About how large an input may be, in characters of its strings and keys (PostgreSQL caps one jsonb value at 255 MiB). */
export const MAX_INPUT_SIZE = 64 * 1024 * 1024;
/** The instants PostgreSQL stores and Prisma reads back as a valid Date: years 0001 to 9999 (UTC). */
export const MIN_DATE = new Date("0001-01-01T00:00:00.000Z");
export const MAX_DATE = new Date("9999-12-31T23:59:59.999Z");

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

export interface UnstorableValue {
  /** Where in the input, e.g. `meta.labels.0`. */
  readonly field: string;
  readonly message: string;
}

/**
 * The values in `input` that PostgreSQL (or Prisma on the way to it) would
 * refuse, lose or mangle, found before anything is sent: NUL characters in
 * strings and keys (text and jsonb cannot hold U+0000), `__proto__` keys
 * (Prisma's serializer would drop them silently), bigints outside BIGINT,
 * numbers that are not finite, invalid dates or dates outside years
 * 0001-9999, documents nested deeper than {@link MAX_JSON_DEPTH} and inputs
 * larger than {@link MAX_INPUT_SIZE}.
 */
export function findUnstorableValues(input: unknown): UnstorableValue[] {
  const found: UnstorableValue[] = [];
  let size = 0;
  walkValues(input, (value, path, depth) => {
    if (found.length >= 10 || size > MAX_INPUT_SIZE) return false;
    const key = path[path.length - 1];
    size += (typeof value === "string" ? value.length : 8) + (key?.length ?? 0);
    const problem = size > MAX_INPUT_SIZE ? `makes the input larger than ${MAX_INPUT_SIZE / 2 ** 20} MiB` : problemOf(value, depth, key);
    if (problem) found.push({ field: path.join("."), message: problem });
    return problem === undefined;
  });
  return found;
}

function problemOf(value: unknown, depth: number, key: string | undefined): string | undefined {
  if (key === "__proto__") return "is a `__proto__` key, which cannot be stored (Prisma would drop it)";
  if (key?.includes("\u0000")) return "has a key with a NUL character (\\u0000), which PostgreSQL cannot store";
  if (depth > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`;
  switch (typeof value) {
    case "string":
      return value.includes("\u0000") ? "must not contain NUL characters (\\u0000), which PostgreSQL cannot store" : undefined;
    case "bigint":
      return value < INT8_MIN || value > INT8_MAX ? "must fit in a 64-bit integer (BIGINT)" : undefined;
    case "number":
      return Number.isFinite(value) ? undefined : "must be a finite number";
    default:
      if (!(value instanceof Date)) return undefined;
      if (Number.isNaN(value.getTime())) return "must be a valid date";
      return value < MIN_DATE || value > MAX_DATE ? "must be a date between 0001-01-01 and 9999-12-31 (UTC)" : undefined;
  }
}
