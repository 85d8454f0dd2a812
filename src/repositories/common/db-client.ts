import type { Prisma, PrismaClient } from "../../../prisma/generated/client.ts";

/**
 * What a repository runs its queries on: a Prisma client (one schema), or the
 * transaction client handed to `prisma.$transaction(async (tx) => ...)`, so
 * the same repository code works inside and outside a transaction.
 */
export type DbClient = PrismaClient | Prisma.TransactionClient;

/** Runs `work` in a transaction, or inside the caller's transaction when `db` already is one. */
export async function inTransaction<T>(db: DbClient, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  if ("$transaction" in db) return db.$transaction(work);
  return work(db);
}
