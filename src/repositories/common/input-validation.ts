import { z } from "zod";
import { Prisma } from "../../../prisma/generated/client.ts";
import { ValidationError } from "../../errors/validation-error.ts";
import { findUnstorableValues } from "../../json/find-unstorable-values.ts";
import { idProblem } from "./ids.ts";

// The same rules as the database's CHECK constraints and index limits,
// checked first so that callers get a message naming the field rather than a
// constraint name or "index row requires 9000 bytes".

/**
 * A B-tree index entry holds at most 2,704 bytes (a third of a page); an index
 * over two text columns must fit both. Indexed text is held to 1,000 bytes.
 */
const INDEXED_TEXT_MAX_BYTES = 1_000;
const fitsIndex = (value: string) => Buffer.byteLength(value) <= INDEXED_TEXT_MAX_BYTES;
const FITS_INDEX = `must be at most ${INDEXED_TEXT_MAX_BYTES} bytes (the column is indexed)`;

/** Text in an indexed column. */
export const indexedText = z.string().refine(fitsIndex, FITS_INDEX);
/** A `text[]` column with a GIN index (tags): each element is an index entry. */
export const indexedTextList = z.array(indexedText);

/** pack.ref: a letter, then letters, digits, `_` or `-`; at least 2 characters; no dots. */
export const packRef = z
  .string()
  .regex(/^[a-z][a-z0-9_-]+$/, "must start with a lower-case letter, be at least 2 characters of [a-z0-9_-] and contain no dot")
  .refine(fitsIndex, FITS_INDEX);

/** A lower-case ref of the form `pattern` describes (`message`), short enough for its index. */
const lowerCaseRef = (pattern: RegExp, message: string) =>
  z.string().regex(pattern, message).refine((v) => v === v.toLowerCase(), "must be lower-case").refine(fitsIndex, FITS_INDEX);

/** `pack.name` refs (action, rule, trigger, sensor, policy, permission set): exactly two non-empty parts. */
export const packScopedRef = lowerCaseRef(/^[^.]+\.[^.]+$/, 'must be "pack.name": two non-empty parts separated by one dot');

/** runtime.ref: `pack.action.name` or `pack.sensor.name`. */
export const runtimeRef = lowerCaseRef(/^[^.]+\.(action|sensor)\.[^.]+$/, 'must be "pack.action.name" or "pack.sensor.name"');

/** key.ref: `name` or `owner.name`. */
export const keyRef = lowerCaseRef(/^([^.]+\.)?[^.]+$/, 'must be "name" or "owner.name"');

/** Semantic version `MAJOR.MINOR.PATCH[-prerelease][+build]` (pack.version). */
export const semver = z
  .string()
  .regex(
    /^\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/,
    'must be a semantic version such as "1.2.3" or "1.0.0-beta.1"',
  )
  .refine(fitsIndex, FITS_INDEX);

/** An id: a positive bigint up to 2^63-1 (safe-integer numbers and numeric strings are accepted and converted). */
export const id = z
  .union([z.bigint(), z.number(), z.string().regex(/^\d+$/, "must be a positive id").transform(BigInt)])
  .superRefine((value, ctx) => {
    const problem = idProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((value) => BigInt(value));

/** A non-negative `integer` column. */
export const count = z.number().int().min(0, "must not be negative").max(2_147_483_647);

/** A non-negative `bigint` column (safe-integer numbers are accepted and converted; the BIGINT range is checked on every input). */
export const bigCount = z
  .union([z.bigint(), z.number().int()])
  .transform((v) => BigInt(v))
  .refine((v) => v >= 0n, "must not be negative");

/** An IPv4 or IPv6 address (what an `inet` column holding a host accepts). */
export const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" });

/** An allow-list entry: an IPv4/IPv6 address or a CIDR block such as `10.0.0.0/8` or `2001:db8::/32`. */
export const ipAllowListEntry = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
  error: "must be an IPv4/IPv6 address or CIDR block (e.g. 10.0.0.0/8)",
});

/** A PostgreSQL NOTIFY channel name: 1 to 63 bytes. */
export const channelName = z
  .string()
  .min(1)
  .refine((value) => Buffer.byteLength(value) <= 63, "must be at most 63 bytes (a PostgreSQL channel name)");

/** A value for a `jsonb` column (object, array, string, number, boolean). */
export const jsonInput = z.custom<Prisma.InputJsonValue>((value) => value !== undefined && value !== null, {
  message: "must be a JSON value (null only where the column is nullable)",
});

/**
 * A nullable `jsonb` column: `null` stores SQL NULL (Prisma's `DbNull`), not
 * the JSON literal `null`, so that `IS NULL` and the partial indexes see it.
 */
export const nullableJsonInput = z
  .union([jsonInput, z.null()])
  .transform((value) => (value === null ? Prisma.DbNull : value));

/**
 * Parses `input` with `schema` and checks that PostgreSQL can store every
 * value in it (see findUnstorableValues), or throws a {@link ValidationError}
 * listing every bad field.
 */
export function parseInput<S extends z.ZodType>(entity: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(entity, parsed.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })));
  }
  const unstorable = findUnstorableValues(parsed.data);
  if (unstorable.length > 0) throw new ValidationError(entity, unstorable);
  return parsed.data;
}
