import { AttuneDbError } from "./attune-db-error.ts";

/**
 * Why the database could not serve a call:
 * - `unreachable`: no connection could be opened (refused, unknown host, no answer in time);
 * - `connection-lost`: an open connection broke (network, server crash);
 * - `server-shutdown`: the server is shutting down, or an administrator ended the session;
 * - `server-starting`: the server is starting up (or recovering) and not accepting connections yet;
 * - `too-many-connections`: the server has no connection slot left;
 * - `pool-exhausted`: every connection of this client's pool stayed busy for the whole wait;
 * - `query-timeout`: a statement ran past the query timeout (server- or client-side);
 * - `transaction-timeout`: an interactive transaction ran past its timeout;
 * - `client-closed`: the client was disconnected (`$disconnect()`) and cannot be used again.
 */
export type UnavailableReason =
  | "unreachable"
  | "connection-lost"
  | "server-shutdown"
  | "server-starting"
  | "too-many-connections"
  | "pool-exhausted"
  | "query-timeout"
  | "transaction-timeout"
  | "client-closed";

/**
 * The database could not serve the call: it is down, unreachable, overloaded,
 * or the call ran out of time. Nothing about the input was wrong. `retryable`
 * says whether the same call may succeed later (every reason but
 * `client-closed`). A write cut off by `connection-lost` or `server-shutdown`
 * may or may not have committed: retry writes that are idempotent, or check.
 */
export class DatabaseUnavailableError extends AttuneDbError {
  readonly retryable: boolean;
  /** The repository entity whose call failed, when a repository raised it. */
  readonly entity: string | undefined;

  constructor(
    readonly reason: UnavailableReason,
    /** What the driver or server said, e.g. `terminating connection due to administrator command`. */
    readonly detail: string,
    options: { readonly entity?: string; readonly cause?: unknown; readonly message?: string } = {},
  ) {
    super(options.message ?? `${options.entity ? `${options.entity}: ` : ""}database unavailable (${reason}): ${detail}`, {
      cause: options.cause,
    });
    this.retryable = reason !== "client-closed";
    this.entity = options.entity;
  }
}
