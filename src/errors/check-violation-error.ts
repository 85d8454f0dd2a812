import { AttuneDbError } from "./attune-db-error.ts";

/** A CHECK constraint (or a trigger's rule) refused the row: `rule` says which one in words. */
export class CheckViolationError extends AttuneDbError {
  constructor(
    readonly entity: string,
    /** The constraint name, e.g. `pack_ref_format`, or the trigger that raised. */
    readonly constraint: string | undefined,
    readonly rule: string,
    options?: { cause?: unknown },
  ) {
    super(`${entity} breaks a rule of the database: ${rule}${constraint ? ` (${constraint})` : ""}`, options);
  }
}
