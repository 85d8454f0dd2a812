import { AttuneDbError } from "./attune-db-error.ts";

/**
 * A tenant command refused to act on `schema`: it is not a registered tenant
 * (drop), it already exists as a schema attune-db did not make for a tenant
 * (create), or another session holds locks on it (drop).
 */
export class TenantError extends AttuneDbError {
  constructor(
    message: string,
    readonly schema: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
