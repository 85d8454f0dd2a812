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

/** Where a client (or a migration, or a listener) built from `options` would connect, after applying the defaults. */
export function resolveClientTarget(options: ClientTargetOptions = {}): ResolvedClientTarget {
  const needConfig = options.url === undefined || options.maxConnections === undefined;
  const config = needConfig ? loadDatabaseConfig() : undefined;
  const url = options.url ?? config?.url;
  if (url === undefined) {
    throw new ConfigError("No database URL: pass { url } or set DATABASE_URL", "DATABASE_URL");
  }
  const schema =
    options.schema !== undefined
      ? validateSchemaName(options.schema)
      : (schemaFromUrl(url) ?? config?.schema ?? loadDatabaseConfig().schema);
  return { url, schema, maxConnections: options.maxConnections ?? config!.maxConnections };
}
