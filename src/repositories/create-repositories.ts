import type { DbClient } from "./common/db-client.ts";
import { PackRepository } from "./pack.ts";

/**
 * Every attune repository, bound to one Prisma client and so to one schema:
 * the same code runs in `attune`, a tenant schema or a test schema. Pass the
 * `tx` of `prisma.$transaction(async (tx) => ...)` to get repositories whose
 * calls all belong to that transaction.
 */
export function createRepositories(db: DbClient) {
  return {
    packs: new PackRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
