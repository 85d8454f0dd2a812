import { DatabaseUnavailableError } from "./database-unavailable-error.ts";

/** The PostgreSQL server at `host:port` did not accept a connection in time (a {@link DatabaseUnavailableError}, `unreachable`). */
export class DatabaseUnreachableError extends DatabaseUnavailableError {
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
    entity?: string,
  ) {
    const detail = cause instanceof Error ? cause.message || cause.name : String(cause);
    super("unreachable", detail, { cause, entity, message: `Cannot connect to PostgreSQL at ${host}:${port}: ${detail}` });
  }
}
