import { AttuneDbError } from "./attune-db-error.ts";

/** A datasource URL could not be parsed or is not a PostgreSQL URL. */
export class InvalidDatabaseUrlError extends AttuneDbError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Invalid database URL: ${reason}`, options);
  }
}
