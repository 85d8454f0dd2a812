import { z } from "zod";
import { ConfigError } from "../errors/config-error.ts";
import { DEFAULT_POOL_SIZE } from "../provisioner/schema-provisioner.ts";

/**
 * attune-db's test options, one schema for all: from the runner's
 * configuration (Jest's `testEnvironmentOptions.attuneDb`), overridden by
 * environment variables (`ATTUNE_TEST_POOL_SIZE`, `ATTUNE_TEST_RECYCLE`), and
 * per file by docblock pragmas (`schema`, `keepOnFailure`).
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
  /**
   * Ready schemas the run keeps prepared (0-64; 0: every file's schema is
   * built for it and dropped afterwards). Default 4; `ATTUNE_TEST_POOL_SIZE`.
   * The first file of a worker sets it for the worker.
   */
  readonly poolSize: number;
  /**
   * Reuse released schemas that are provably as built, instead of dropping
   * them and building new ones (only with a pool). Default true;
   * `ATTUNE_TEST_RECYCLE` (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`).
   */
  readonly recycle: boolean;
}

const FLAG_VALUES = ["true", "false", "1", "0", "yes", "no", "on", "off"] as const;
const flag = z.union(
  [
    z.boolean(),
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(FLAG_VALUES))
      .transform((v) => ["true", "1", "yes", "on"].includes(v)),
  ],
  { error: "must be true or false (or 1/0, yes/no, on/off)" },
);
const poolSize = z.coerce
  .number({ error: "must be a whole number from 0 to 64" })
  .int("must be a whole number from 0 to 64")
  .min(0, "must be a whole number from 0 to 64")
  .max(64, "must be a whole number from 0 to 64");

const optionsSchema = z
  .object({
    schema: z.enum(["isolated", "none"]).default("isolated"),
    keepOnFailure: z.boolean().default(false),
    poolSize: poolSize.default(DEFAULT_POOL_SIZE),
    recycle: flag.default(true),
  })
  .strict();

/** Environment variables that override the configured options. */
const ENVIRONMENT: Readonly<Record<string, "poolSize" | "recycle">> = {
  ATTUNE_TEST_POOL_SIZE: "poolSize",
  ATTUNE_TEST_RECYCLE: "recycle",
};

export function parseTestFileOptions(
  configured: unknown,
  pragmas: Record<string, string | string[]> = {},
  where = "testEnvironmentOptions.attuneDb",
  env: NodeJS.ProcessEnv = process.env,
): TestFileOptions {
  const fromConfig = optionsSchema.safeParse(configured ?? {});
  if (!fromConfig.success) {
    const issue = fromConfig.error.issues[0]!;
    throw new ConfigError(`${where}${issue.path.length ? `.${issue.path.join(".")}` : ""}: ${issue.message}`);
  }
  let options: TestFileOptions = fromConfig.data;
  for (const [variable, key] of Object.entries(ENVIRONMENT)) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === "") continue;
    const parsed = optionsSchema.shape[key].safeParse(raw);
    if (!parsed.success) throw new ConfigError(`${variable}: ${parsed.error.issues[0]!.message} (got ${JSON.stringify(raw)})`, variable);
    options = { ...options, [key]: parsed.data };
  }
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
