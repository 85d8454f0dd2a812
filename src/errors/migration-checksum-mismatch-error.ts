import { AttuneDbError } from "./attune-db-error.ts";

/** An applied migration's file changed afterwards: it is never re-applied. */
export class MigrationChecksumMismatchError extends AttuneDbError {
  constructor(
    readonly schema: string,
    readonly migration: string,
    readonly appliedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `Migration ${migration} was modified after it was applied to schema "${schema}" ` +
        `(applied checksum ${appliedChecksum.slice(0, 12)}..., file checksum ${fileChecksum.slice(0, 12)}...). ` +
        `Applied migrations must not be edited: restore the file, or add a new migration instead.`,
    );
  }
}
