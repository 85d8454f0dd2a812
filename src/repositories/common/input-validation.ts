import { z } from "zod";
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

/** Any JSON value (what a `jsonb` column accepts). */
export const json: z.ZodType<unknown> = z.unknown().refine((v) => v !== undefined, "must be a JSON value");


/** Parses `input` with `schema`, or throws a {@link ValidationError} listing every bad field. */
export function parseInput<S extends z.ZodType>(entity: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    entity,
    parsed.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })),
  );
}
