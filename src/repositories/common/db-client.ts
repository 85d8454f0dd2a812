import type { Prisma, PrismaClient } from "../../../prisma/generated/client.ts";

/**
 * What a repository runs its queries on: a Prisma client (one schema), or the
 * transaction client handed to `prisma.$transaction(async (tx) => ...)`, so
 * the same repository code works inside and outside a transaction.
 */
export type DbClient = PrismaClient | Prisma.TransactionClient;

/** For the repository methods that open a transaction of their own. */
export interface TransactionOptions {
  /** How long the transaction may run, in ms. Default is the client's (`transactionTimeoutMs`, else Prisma's 5 000). */
  readonly timeoutMs?: number;
  /** How long to wait for a connection to start it, in ms. Default is Prisma's, 2 000. */
  readonly maxWaitMs?: number;
}

/**
 * Runs `work` in a transaction, or inside the caller's transaction when `db`
 * already is one (whose own timeout then applies, not `options`).
 */
export async function inTransaction<T>(
  db: DbClient,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  if (!("$transaction" in db)) return work(db);
  return db.$transaction(work, {
    ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }),
    ...(options.maxWaitMs !== undefined && { maxWait: options.maxWaitMs }),
  });
}
