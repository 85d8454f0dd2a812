import { ConfigError } from "../errors/config-error.ts";
import { validateSchemaName } from "../schema/schema-name.ts";
import { schemaFromUrl } from "./datasource-url.ts";
import { loadDatabaseConfig } from "./load-database-config.ts";

export interface ClientTargetOptions {
  /** Datasource URL. Default is `DATABASE_URL` from the configuration. */
  readonly url?: string;
  /** Schema for every query. Default is the URL's `?schema=`, else the configured schema (`attune`). */
  readonly schema?: string;
  /** Pool size. Default is `ATTUNE_DB_MAX_CONNECTIONS` (10). */
  readonly maxConnections?: number;
}

export interface ResolvedClientTarget {
  readonly url: string;
  readonly schema: string;
  readonly maxConnections: number;
}

/**
 * Where a client (or a migration, or a listener) built from `options` would
 * connect, after applying the defaults. A schema in the options (`schema`, or
 * the `?schema=` of `url`) is explicit: it wins over the configuration and
 * satisfies production's demand for an explicit schema.
 */
export function resolveClientTarget(options: ClientTargetOptions = {}): ResolvedClientTarget {
  const givenSchema =
    options.schema !== undefined
      ? validateSchemaName(options.schema)
      : options.url !== undefined
        ? schemaFromUrl(options.url)
        : undefined;
  const needConfig = options.url === undefined || options.maxConnections === undefined || givenSchema === undefined;
  const config = needConfig ? loadDatabaseConfig(process.env, { schema: givenSchema }) : undefined;
  const url = options.url ?? config?.url;
  if (url === undefined) {
    throw new ConfigError("No database URL: pass { url } or set DATABASE_URL", "DATABASE_URL");
  }
  return { url, schema: givenSchema ?? config!.schema, maxConnections: options.maxConnections ?? config!.maxConnections };
}
