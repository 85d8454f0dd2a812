import { AttuneDbError } from "./attune-db-error.ts";

/** A migration failed to apply; nothing of the run was committed. */
export class MigrationError extends AttuneDbError {
  constructor(
    message: string,
    readonly schema: string,
    readonly migration?: string,
    readonly statement?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
