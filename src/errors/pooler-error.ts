import { AttuneDbError } from "./attune-db-error.ts";

/** Why attune-db refused a connection pooler. */
export type PoolerProblem =
  /** The pooler refused a startup parameter (PgBouncer refuses `options` unless told otherwise). */
  | "startup-parameter-refused"
  /** Transaction (or statement) pooling: declared in the URL, or detected. */
  | "transaction-pooling"
  /** Behind `?pgbouncer=session`, the check of the pool mode could not run: two connections at once did not both get a server connection. */
  | "mode-unknown"
  /** A part of attune-db that needs a direct connection (the test provisioner) was given a pooler URL. */
  | "direct-connection-required";

/**
 * attune-db will not run behind this connection pooler as configured: a
 * schema's raw SQL, functions or triggers could run in another schema. The
 * message says what to configure (docs/production.md, "Behind PgBouncer").
 */
export class PoolerError extends AttuneDbError {
  constructor(
    readonly problem: PoolerProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
