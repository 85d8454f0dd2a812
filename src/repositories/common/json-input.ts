import { z } from "zod";
import { Prisma } from "../../../prisma/generated/client.ts";

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
