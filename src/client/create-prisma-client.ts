import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { resolveClientTarget, type ClientTargetOptions, type ResolvedClientTarget } from "../config/resolve-client-target.ts";
import { createPgPool } from "./create-pg-pool.ts";

export type CreatePrismaClientOptions = ClientTargetOptions;
export { resolveClientTarget, type ResolvedClientTarget };

/**
 * A Prisma client bound to one schema: Prisma's own queries are qualified with
 * it by the adapter, and every pooled connection's search_path starts with it,
 * so `$queryRaw`, SQL functions and triggers resolve there too.
 * `$disconnect()` closes the pool.
 */
export function createPrismaClient(options: CreatePrismaClientOptions = {}): PrismaClient {
  const target = resolveClientTarget(options);
  const pool = createPgPool({ url: target.url, schema: target.schema, max: target.maxConnections });
  const adapter = new PrismaPg(pool, { schema: target.schema, disposeExternalPool: true });
  return new PrismaClient({ adapter });
}

export type { PrismaClient };
