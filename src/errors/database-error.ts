import { AttuneDbError } from "./attune-db-error.ts";

/** SQLSTATEs after which running the same statement again may succeed: serialization failures and deadlocks. */
const RETRYABLE_CODES = new Set(["40001", "40P01"]);

/**
 * The database refused a statement for a reason no narrower attune-db error
 * describes (its SQLSTATE is in `code` when there is one). `retryable` is true
 * for serialization failures and deadlocks, where running the whole
 * transaction again is the documented remedy.
 */
export class DatabaseError extends AttuneDbError {
  readonly retryable: boolean;

  constructor(
    readonly entity: string,
    /** The SQLSTATE (e.g. `40001`), or Prisma's code when PostgreSQL gave none. */
    readonly code: string | undefined,
    /** What the server or driver said. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${entity}: database error${code ? ` ${code}` : ""}: ${detail}`, options);
    this.retryable = code !== undefined && RETRYABLE_CODES.has(code);
  }
}
