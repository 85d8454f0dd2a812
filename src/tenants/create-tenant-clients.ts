import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { createPgPool } from "../client/create-pg-pool.ts";
import { ConfigError } from "../errors/config-error.ts";
import { DatabaseUnavailableError } from "../errors/database-unavailable-error.ts";
import { createRepositories, type Repositories } from "../repositories/create-repositories.ts";
import { validateSchemaName } from "../schema/schema-name.ts";
import { LruCache } from "../caching/lru-cache.ts";
import { SearchPathRouter } from "./search-path-router.ts";
import { createTenantPool } from "./tenant-pool.ts";

/**
 * Each cached tenant client holds ~7.7 MB of heap (Prisma 7 deserializes its
 * query parameterization schema per client; docs/production.md), so 25 is
 * ~190 MB. A cache miss costs ~15 ms of CPU to build the client.
 */
export const DEFAULT_MAX_CACHED_TENANTS = 25;

export interface TenantClientsOptions {
  /** Server URL (any `?schema=` is ignored: the schema is the tenant's). */
  readonly url: string;
  /** Connections open at most, for all tenants together. */
  readonly maxConnections: number;
  /**
   * Tenant clients kept; the least recently used beyond this is disconnected
   * (its connections stay in the shared pool). Default is 25: each one
   * holds ~7.7 MB of heap (docs/production.md).
   */
  readonly maxCachedTenants?: number;
  /** Default is `attune-db:tenants`: how the connections show in pg_stat_activity. */
  readonly applicationName?: string;
  /** How long one statement may run, in ms; 0 for no limit. Default is 30 000. */
  readonly queryTimeoutMs?: number;
  /** How long a call waits for a free connection of the shared pool, in ms. Default is 10 000. */
  readonly poolTimeoutMs?: number;
  /** How long an interactive transaction may run, in ms. Default is Prisma's, 5 000. */
  readonly transactionTimeoutMs?: number;
  /** @internal Tests of the tests only: a connection keeps the search_path of the first tenant that used it (the classic leak). */
  readonly unsafeSkipSearchPathSwitch?: boolean;
}

/** One tenant's Prisma client and repositories, both bound to its schema. */
export interface TenantClient {
  readonly schema: string;
  readonly prisma: PrismaClient;
  readonly repositories: Repositories;
}

export interface TenantClients extends AsyncDisposable {
  /**
   * The client of tenant `schema` (validated; the schema must exist and be
   * migrated), from the cache or made now (no I/O). Do not `$disconnect()`
   * it: the cache does that on eviction, `close()` at the end.
   */
  forTenant(schema: string): TenantClient;
  /** Tenant clients cached now. */
  readonly cachedTenants: number;
  /** Connections of the shared pool: open, idle, and calls waiting for one. */
  readonly connections: { readonly total: number; readonly idle: number; readonly waiting: number };
  /** Disconnects every tenant client and closes the shared pool. */
  close(): Promise<void>;
}

/**
 * Clients for many tenant schemas over ONE pg pool of at most
 * `maxConnections` connections, however many tenants are active. Prisma's
 * model queries name the tenant's schema (the adapter's `schema`); raw SQL
 * and the functions and triggers it reaches resolve through search_path,
 * which each checkout sets to the tenant's before its statement or
 * transaction runs, and which no other tenant can change while the
 * connection is checked out.
 */
export function createTenantClients(options: TenantClientsOptions): TenantClients {
  const capacity = options.maxCachedTenants ?? DEFAULT_MAX_CACHED_TENANTS;
  if (!Number.isInteger(options.maxConnections) || options.maxConnections < 1) {
    throw new ConfigError(`maxConnections must be a positive integer (got ${options.maxConnections})`);
  }
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new ConfigError(`maxCachedTenants must be a positive integer (got ${capacity})`);
  }
  const shared = createPgPool({
    url: options.url,
    schema: null,
    max: options.maxConnections,
    applicationName: options.applicationName ?? "attune-db:tenants",
    queryTimeoutMs: options.queryTimeoutMs,
    poolTimeoutMs: options.poolTimeoutMs,
  });
  const router = new SearchPathRouter(options.unsafeSkipSearchPathSwitch);
  const cache = new LruCache<string, TenantClient>(capacity);
  const timeout = options.transactionTimeoutMs;
  let closing: Promise<void> | undefined;

  const make = (schema: string): TenantClient => {
    const adapter = new PrismaPg(createTenantPool(shared, schema, router), { schema, disposeExternalPool: false });
    const prisma = new PrismaClient({
      adapter,
      errorFormat: "minimal",
      ...(timeout !== undefined && { transactionOptions: { timeout } }),
    });
    return { schema, prisma, repositories: createRepositories(prisma) };
  };

  const close = () =>
    (closing ??= (async () => {
      await Promise.allSettled(cache.clear().map((tenant) => tenant.prisma.$disconnect()));
      await shared.end();
    })());

  return {
    forTenant(schema: string): TenantClient {
      if (closing) throw new DatabaseUnavailableError("client-closed", "createTenantClients: close() was called");
      validateSchemaName(schema);
      const cached = cache.get(schema);
      if (cached) return cached;
      const tenant = make(schema);
      const evicted = cache.set(schema, tenant);
      // A call still running on the evicted client finishes: its connections belong to the shared pool.
      if (evicted) void evicted[1].prisma.$disconnect().catch(() => {});
      return tenant;
    },
    get cachedTenants() {
      return cache.size;
    },
    get connections() {
      return { total: shared.totalCount, idle: shared.idleCount, waiting: shared.waitingCount };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
