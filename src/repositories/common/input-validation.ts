import { z } from "zod";
import { Prisma } from "../../../prisma/generated/client.ts";
import { ValidationError } from "../../errors/validation-error.ts";

// The same rules as the database's CHECK constraints, checked first so that
// callers get a message naming the field rather than a constraint name.

/** pack.ref: a letter, then letters, digits, `_` or `-`; at least 2 characters; no dots. */
export const packRef = z
  .string()
  .regex(/^[a-z][a-z0-9_-]+$/, "must start with a lower-case letter, be at least 2 characters of [a-z0-9_-] and contain no dot");

/** `pack.name` refs (action, rule, trigger, sensor, policy, permission set): exactly two non-empty parts. */
export const packScopedRef = z
  .string()
  .regex(/^[^.]+\.[^.]+$/, 'must be "pack.name": two non-empty parts separated by one dot')
  .refine((v) => v === v.toLowerCase(), "must be lower-case");

/** runtime.ref: `pack.action.name` or `pack.sensor.name`. */
export const runtimeRef = z
  .string()
  .regex(/^[^.]+\.(action|sensor)\.[^.]+$/, 'must be "pack.action.name" or "pack.sensor.name"')
  .refine((v) => v === v.toLowerCase(), "must be lower-case");

/** key.ref: `name` or `owner.name`. */
export const keyRef = z
  .string()
  .regex(/^([^.]+\.)?[^.]+$/, 'must be "name" or "owner.name"')
  .refine((v) => v === v.toLowerCase(), "must be lower-case");

/** Semantic version `MAJOR.MINOR.PATCH[-prerelease][+build]` (pack.version). */
export const semver = z
  .string()
  .regex(
    /^\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/,
    'must be a semantic version such as "1.2.3" or "1.0.0-beta.1"',
  );

/** A positive bigint id (numbers and numeric strings are accepted and converted). */
export const id = z.union([z.bigint(), z.number().int(), z.string().regex(/^\d+$/)]).transform((v) => BigInt(v)).refine((v) => v > 0n, "must be a positive id");

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

/** Parses `input` with `schema`, or throws a {@link ValidationError} listing every bad field. */
export function parseInput<S extends z.ZodType>(entity: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    entity,
    parsed.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })),
  );
}
