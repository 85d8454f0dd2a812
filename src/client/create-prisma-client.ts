import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { loadDatabaseConfig } from "../config/load-database-config.ts";
import { schemaFromUrl } from "../config/datasource-url.ts";
import { ConfigError } from "../errors/config-error.ts";
import { validateSchemaName } from "../schema/schema-name.ts";
import { createPgPool, type PgPoolOptions } from "./create-pg-pool.ts";

export interface CreatePrismaClientOptions {
  /** Datasource URL. Default is `DATABASE_URL` from the configuration. */
  readonly url?: string;
  /** Schema for every query. Default is the URL's `?schema=`, else the configured schema (`attune`). */
  readonly schema?: string;
  /** Pool size. Default is `ATTUNE_DB_MAX_CONNECTIONS` (10). */
  readonly maxConnections?: number;
  /**
   * How long one statement may run, in ms, before it fails with a
   * DatabaseUnavailableError (`query-timeout`); 0 for no limit. Default is
   * 30 000. See {@link PgPoolOptions.queryTimeoutMs}.
   */
  readonly queryTimeoutMs?: number;
  /** How long a call waits for a free pooled connection, in ms. Default is 10 000. See {@link PgPoolOptions.poolTimeoutMs}. */
  readonly poolTimeoutMs?: number;
  /**
   * How long an interactive transaction (`$transaction(async (tx) => ...)`,
   * and the repositories' own) may run, in ms, unless the call says otherwise.
   * Default is Prisma's, 5 000.
   */
  readonly transactionTimeoutMs?: number;
}

export interface ResolvedClientTarget {
  readonly url: string;
  readonly schema: string;
  readonly maxConnections: number;
}

/** Where a client built from `options` would connect, after applying the defaults. */
export function resolveClientTarget(options: CreatePrismaClientOptions = {}): ResolvedClientTarget {
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

/**
 * A Prisma client bound to one schema: Prisma's own queries are qualified with
 * it by the adapter, and every pooled connection's search_path starts with it,
 * so `$queryRaw`, SQL functions and triggers resolve there too.
 * `$disconnect()` closes the pool.
 */
export function createPrismaClient(options: CreatePrismaClientOptions = {}): PrismaClient {
  const target = resolveClientTarget(options);
  const pool = createPgPool({
    url: target.url,
    schema: target.schema,
    max: target.maxConnections,
    queryTimeoutMs: options.queryTimeoutMs,
    poolTimeoutMs: options.poolTimeoutMs,
  });
  const adapter = new PrismaPg(pool, { schema: target.schema, disposeExternalPool: true });
  const timeout = options.transactionTimeoutMs;
  return new PrismaClient({
    adapter,
    // Prisma's default renders the caller's source lines into every error message: ~2.5 ms of
    // file reading per failed call, and multi-line messages. attune-db's errors carry their own.
    errorFormat: "minimal",
    ...(timeout !== undefined && { transactionOptions: { timeout } }),
  });
}

export type { PrismaClient };
