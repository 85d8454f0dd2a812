import { AttuneDbError } from "./attune-db-error.ts";

/** The PostgreSQL server did not accept a connection in time. */
export class DatabaseUnreachableError extends AttuneDbError {
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message || cause.name : String(cause);
    super(`Cannot connect to PostgreSQL at ${host}:${port}: ${detail}`, { cause });
  }
}
