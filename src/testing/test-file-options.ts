import { z } from "zod";
import { ConfigError } from "../errors/config-error.ts";

/**
 * Options of a test file's schema: from the runner's configuration (Jest's
 * `testEnvironmentOptions.attuneDb`), overridden per file by docblock pragmas.
 */
export interface TestFileOptions {
  /**
   * `isolated`: the file gets its own migrated schema (default).
   * `none`: no schema; `DATABASE_URL` is left as it is (pragma `@attune-schema none`).
   */
  readonly schema: "isolated" | "none";
  /**
   * Keep the schema of a file with a failing test and print its name, for
   * inspection (pragma `@attune-keep-on-failure`). Default is false.
   * `attune-db cleanup-test-schemas --include-kept` removes kept schemas.
   */
  readonly keepOnFailure: boolean;
}

const optionsSchema = z
  .object({
    schema: z.enum(["isolated", "none"]).default("isolated"),
    keepOnFailure: z.boolean().default(false),
  })
  .strict();

export function parseTestFileOptions(
  configured: unknown,
  pragmas: Record<string, string | string[]> = {},
  where = "testEnvironmentOptions.attuneDb",
): TestFileOptions {
  const fromConfig = optionsSchema.safeParse(configured ?? {});
  if (!fromConfig.success) {
    const issue = fromConfig.error.issues[0]!;
    throw new ConfigError(`${where}${issue.path.length ? `.${issue.path.join(".")}` : ""}: ${issue.message}`);
  }
  let options: TestFileOptions = fromConfig.data;
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

/** The `@name value` pragmas of a file's first docblock (for runners that do not parse them). */
export function docblockPragmas(source: string): Record<string, string> {
  const docblock = /^\s*(?:#![^\n]*\n\s*)?\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? "";
  const pragmas: Record<string, string> = {};
  for (const match of docblock.matchAll(/@([\w-]+)[ \t]*([^\n*]*)/g)) pragmas[match[1]!] = match[2]!.trim();
  return pragmas;
}
