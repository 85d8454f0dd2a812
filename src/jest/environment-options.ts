import { z } from "zod";
import { ConfigError } from "../errors/config-error.ts";

/**
 * Options of the attune-db Jest environment, from `testEnvironmentOptions.attuneDb`
 * in the Jest config, overridden per file by docblock pragmas.
 */
export interface AttuneDbEnvironmentOptions {
  /**
   * `isolated`: the file gets its own migrated schema (default).
   * `none`: no schema; `DATABASE_URL` is left as it is (pragma `@attune-schema none`).
   */
  readonly schema: "isolated" | "none";
  /**
   * Keep the schema of a file with a failing test and print its name, for
   * inspection (pragma `@attune-keep-on-failure`). Default is false.
   * `attune-db cleanup-test-schemas` removes kept schemas.
   */
  readonly keepOnFailure: boolean;
}

const optionsSchema = z
  .object({
    schema: z.enum(["isolated", "none"]).default("isolated"),
    keepOnFailure: z.boolean().default(false),
  })
  .strict();

export function parseEnvironmentOptions(
  testEnvironmentOptions: Record<string, unknown> | undefined,
  pragmas: Record<string, string | string[]> = {},
): AttuneDbEnvironmentOptions {
  const fromConfig = optionsSchema.safeParse(testEnvironmentOptions?.attuneDb ?? {});
  if (!fromConfig.success) {
    const issue = fromConfig.error.issues[0]!;
    throw new ConfigError(`testEnvironmentOptions.attuneDb.${issue.path.join(".")}: ${issue.message}`);
  }
  let options: AttuneDbEnvironmentOptions = fromConfig.data;
  const schemaPragma = pragmas["attune-schema"];
  if (schemaPragma !== undefined) {
    const value = String(schemaPragma).trim();
    if (value !== "isolated" && value !== "none") {
      throw new ConfigError(`@attune-schema must be "isolated" or "none" (got "${value}")`);
    }
    options = { ...options, schema: value };
  }
  if (pragmas["attune-keep-on-failure"] !== undefined) options = { ...options, keepOnFailure: true };
  return options;
}
