import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { resolveClientTarget, type ClientTargetOptions, type ResolvedClientTarget } from "../config/resolve-client-target.ts";
import { createPgPool, type PgPoolOptions } from "./create-pg-pool.ts";

export interface CreatePrismaClientOptions extends ClientTargetOptions {
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

export { resolveClientTarget, type ResolvedClientTarget };

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
