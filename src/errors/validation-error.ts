import { AttuneDbError } from "./attune-db-error.ts";

export interface ValidationIssue {
  /** The input field, e.g. `ref` or `webhookConfig.hmac.enabled`. */
  readonly field: string;
  readonly message: string;
}

/** An input was rejected: before it reached the database, or by the database (then `cause` holds its error). */
export class ValidationError extends AttuneDbError {
  constructor(
    readonly entity: string,
    readonly issues: readonly ValidationIssue[],
    options?: { cause?: unknown },
  ) {
    super(`Invalid ${entity}: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ")}`, options);
  }
}
