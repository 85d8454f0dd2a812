import { InvalidDatabaseUrlError } from "../errors/invalid-database-url-error.ts";
import { InvalidSchemaNameError } from "../errors/invalid-schema-name-error.ts";
import { validateSchemaName } from "../schema/schema-name.ts";

const POSTGRES_PROTOCOLS = new Set(["postgres:", "postgresql:"]);

/** Parses a PostgreSQL datasource URL, or throws {@link InvalidDatabaseUrlError}. */
export function parseDatabaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InvalidDatabaseUrlError(`${JSON.stringify(maskPassword(url))} is not a URL`, { cause });
  }
  if (!POSTGRES_PROTOCOLS.has(parsed.protocol)) {
    throw new InvalidDatabaseUrlError(
      `expected a postgresql:// or postgres:// URL, got "${parsed.protocol}//..."`,
    );
  }
  return parsed;
}

/** Returns `url` with `?schema=<schema>` set; every other query parameter is kept. */
export function withSchema(url: string, schema: string): string {
  const parsed = parseDatabaseUrl(url);
  parsed.searchParams.set("schema", validateSchemaName(schema));
  return parsed.toString();
}

/** Reads the `?schema=` of a datasource URL (validated), or undefined when absent. */
export function schemaFromUrl(url: string): string | undefined {
  const value = parseDatabaseUrl(url).searchParams.get("schema");
  if (value === null) return undefined;
  try {
    return validateSchemaName(value);
  } catch (error) {
    if (error instanceof InvalidSchemaNameError) {
      throw new InvalidSchemaNameError(value, `${error.reason} (from the ?schema= of the database URL)`);
    }
    throw error;
  }
}

/** The datasource URL parameter that says attune-db connects through PgBouncer, and in which pool mode (client/connection-pooler.ts). */
export const POOLER_PARAMETER = "pgbouncer";

/** The URL without attune-db's own parameters (`?schema=`, `?pgbouncer=`), as the pg driver wants it. */
export function withoutSchema(url: string): string {
  const parsed = parseDatabaseUrl(url);
  parsed.searchParams.delete("schema");
  parsed.searchParams.delete(POOLER_PARAMETER);
  return parsed.toString();
}

/** Host and port of a datasource URL, for messages. */
export function describeServer(url: string): { host: string; port: number } {
  const parsed = parseDatabaseUrl(url);
  return { host: decodeURIComponent(parsed.hostname) || "localhost", port: Number(parsed.port || 5432) };
}

/** Query parameters that carry secrets in libpq and pg connection strings. */
const SECRET_PARAMETERS = ["password", "sslpassword"];

/**
 * The URL with every password replaced by `****` (safe to print): the
 * `user:pass@` part and the `?password=` / `?sslpassword=` parameters.
 */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "****";
    for (const name of SECRET_PARAMETERS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, "****");
    return parsed.toString();
  } catch {
    return url
      .replace(/(\/\/[^:/@]*:)[^@]*@/, "$1****@")
      .replace(new RegExp(`([?&](?:${SECRET_PARAMETERS.join("|")})=)[^&#]*`, "gi"), "$1****");
  }
}
