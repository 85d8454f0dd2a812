import fs from "node:fs";
import path from "node:path";
import dotenv from "dotenv";
import { ConfigError } from "../errors/config-error.ts";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { validateSchemaName } from "../schema/schema-name.ts";
import { parseDatabaseUrl, schemaFromUrl } from "./datasource-url.ts";

/** The production schema. */
export const DEFAULT_SCHEMA = "attune";
export const DEFAULT_MAX_CONNECTIONS = 10;

export interface DatabaseConfig {
  /** `DATABASE_URL`; undefined means "no server given" (tests and the demo then start an embedded one). */
  readonly url: string | undefined;
  /** Schema every query runs in. Default is `attune`. */
  readonly schema: string;
  /** Whether the schema was given explicitly (env var or `?schema=`), rather than defaulted. */
  readonly schemaIsExplicit: boolean;
  /** Size of the connection pool. Default is 10. */
  readonly maxConnections: number;
}

export interface LoadDatabaseConfigOptions {
  /** The `.env` file to read. Default is `.env` in the working directory; a missing file is fine. */
  readonly dotenvPath?: string;
  /** Where the production warning goes. Default is `console.warn`. */
  readonly warn?: (message: string) => void;
  /**
   * A schema the caller chose in code (`createPrismaClient({ schema })`, say):
   * it is explicit, so production accepts it, and it wins over the
   * environment and `.env`. Default is none.
   */
  readonly schema?: string;
}

// zod (~1 MB of JavaScript) loads on first use: Jest evaluates every module anew in each test file,
// and a client given its URL and pool size (testPrisma()) never reads the configuration.
let rawConfigSchema: ReturnType<typeof buildRawConfig> | undefined;
function buildRawConfig() {
  const { z } = require("zod") as typeof import("zod");
  return z.object({
    DATABASE_URL: z.string().trim().min(1).optional(),
    ATTUNE_DB_SCHEMA: z.string().optional(),
    ATTUNE__DATABASE__SCHEMA: z.string().optional(),
    ATTUNE_DB_MAX_CONNECTIONS: z
      .string()
      .regex(/^\s*\d+\s*$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().int().min(1, "must be at least 1").max(1000, "must be at most 1000"))
      .optional(),
    NODE_ENV: z.string().optional(),
  });
}

/**
 * Reads the database configuration from `env` (default `process.env`) over the
 * `.env` file; values in `env` win, also over a schema `.env` implies through
 * another variable (an environment `DATABASE_URL` with `?schema=a` beats
 * `.env`'s `ATTUNE_DB_SCHEMA=b`). Throws {@link ConfigError} for invalid
 * values, for two schemas from the same place, and, in production, for an
 * implicit schema.
 */
export function loadDatabaseConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadDatabaseConfigOptions = {},
): DatabaseConfig {
  const fromEnvironment = definedOnly(env);
  const merged = { ...readDotenv(options.dotenvPath ?? env.DOTENV_CONFIG_PATH), ...fromEnvironment };
  const parsed = (rawConfigSchema ??= buildRawConfig()).safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    throw new ConfigError(`${variable} ${issue.message} (got ${JSON.stringify(merged[variable])})`, variable);
  }
  const values = parsed.data;

  const url = values.DATABASE_URL;
  const urlSchema = url === undefined ? undefined : wrap("DATABASE_URL", () => (parseDatabaseUrl(url), schemaFromUrl(url)));
  const envSchema = pickSchemaVariable(values.ATTUNE_DB_SCHEMA, values.ATTUNE__DATABASE__SCHEMA);
  const codeSchema = options.schema === undefined ? undefined : wrap("schema", () => validateSchemaName(options.schema!));
  if (codeSchema === undefined && envSchema && urlSchema && envSchema.value !== urlSchema) {
    const inEnvironment = (variable: string) => variable in fromEnvironment;
    if (inEnvironment(envSchema.variable) === inEnvironment("DATABASE_URL")) {
      throw new ConfigError(
        `${envSchema.variable}=${envSchema.value} contradicts the ?schema=${urlSchema} of DATABASE_URL; set only one`,
        envSchema.variable,
      );
    }
  }
  const schema = codeSchema ?? pickConfiguredSchema(envSchema, urlSchema, fromEnvironment) ?? DEFAULT_SCHEMA;
  const schemaIsExplicit = codeSchema !== undefined || envSchema !== undefined || urlSchema !== undefined;

  if (values.NODE_ENV === "production") {
    if (url === undefined) throw new ConfigError("DATABASE_URL must be set when NODE_ENV=production", "DATABASE_URL");
    if (!schemaIsExplicit) {
      throw new ConfigError(
        "NODE_ENV=production requires an explicit schema: set ATTUNE_DB_SCHEMA=attune (or ?schema=attune in DATABASE_URL)",
        "ATTUNE_DB_SCHEMA",
      );
    }
    // A schema chosen in code is deliberate (one per tenant, say); only a configured one is worth a warning.
    if (codeSchema === undefined && schema !== DEFAULT_SCHEMA) {
      (options.warn ?? console.warn)(
        `\n!!! attune-db: NODE_ENV=production but the schema is "${schema}", not "${DEFAULT_SCHEMA}". ` +
          `Every query will read and write "${schema}". Make sure this is intended. !!!\n`,
      );
    }
  }

  return {
    url,
    schema,
    schemaIsExplicit,
    maxConnections: values.ATTUNE_DB_MAX_CONNECTIONS ?? DEFAULT_MAX_CONNECTIONS,
  };
}

/**
 * The schema variable and the URL's `?schema=` agree, or come from different
 * places (checked above): the one from the environment wins over `.env`'s.
 */
function pickConfiguredSchema(
  envSchema: { variable: string; value: string } | undefined,
  urlSchema: string | undefined,
  fromEnvironment: Record<string, string>,
): string | undefined {
  if (envSchema && urlSchema !== undefined && !(envSchema.variable in fromEnvironment) && "DATABASE_URL" in fromEnvironment) {
    return urlSchema;
  }
  return envSchema?.value ?? urlSchema;
}

function pickSchemaVariable(
  primary: string | undefined,
  legacy: string | undefined,
): { variable: string; value: string } | undefined {
  if (primary !== undefined && legacy !== undefined && primary !== legacy) {
    throw new ConfigError(
      `ATTUNE_DB_SCHEMA=${primary} and ATTUNE__DATABASE__SCHEMA=${legacy} disagree; set only ATTUNE_DB_SCHEMA`,
      "ATTUNE_DB_SCHEMA",
    );
  }
  const variable = primary !== undefined ? "ATTUNE_DB_SCHEMA" : legacy !== undefined ? "ATTUNE__DATABASE__SCHEMA" : undefined;
  if (variable === undefined) return undefined;
  return { variable, value: wrap(variable, () => validateSchemaName((primary ?? legacy)!.trim())) };
}

function wrap<T>(variable: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof AttuneDbError) throw new ConfigError(`${variable}: ${error.message}`, variable);
    throw error;
  }
}

function readDotenv(file: string | undefined): Record<string, string> {
  const target = path.resolve(file ?? ".env");
  if (!fs.existsSync(target)) {
    if (file !== undefined) throw new ConfigError(`The .env file ${target} does not exist`, "DOTENV_CONFIG_PATH");
    return {};
  }
  return dotenv.parse(fs.readFileSync(target));
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""));
}
