import { AttuneDbError } from "./attune-db-error.ts";

/** A unique constraint refused the write: another `entity` row already has these `fields`. */
export class ConflictError extends AttuneDbError {
  constructor(
    readonly entity: string,
    /** The columns of the violated unique constraint, e.g. `["ref"]`. */
    readonly fields: readonly string[],
    /** The database constraint or unique index name, when known. */
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `${entity} already exists with the same ${fields.length > 0 ? fields.join(", ") : "unique key"}` +
        (constraint ? ` (constraint ${constraint})` : ""),
      options,
    );
  }
}
