/**
 * Every wait of the provisioner is bounded (documented in
 * docs/schema-per-test.md, "Nothing waits forever").
 */

/**
 * Longest wait for a lock another session holds on a test schema's objects
 * (a drop, a reset, a sweep): then the schema is reported with the lock's
 * holder and left for a later sweep.
 */
export const LOCK_TIMEOUT_MS = 3_000;

/** Longest any single provisioner statement may run (a hang guard; builds and drops take well under a second). */
export const STATEMENT_TIMEOUT_MS = 60_000;

/**
 * How long `close()` waits for background builds, resets and drops before it
 * abandons them (the server rolls an abandoned one back; its schema is reaped
 * by the next sweep, as after a crash).
 */
export const CLOSE_TIMEOUT_MS = 10_000;

/** How long closing a connection may take before its socket is destroyed. */
export const DISCONNECT_TIMEOUT_MS = 2_000;

/**
 * `SET LOCAL` of the bounded-wait settings for the current transaction, as one statement with its
 * values in the text (constants), so that it also fits a simple query of several statements.
 */
export const BOUNDED_TRANSACTION_SQL =
  `SELECT set_config('lock_timeout', '${LOCK_TIMEOUT_MS}ms', true), set_config('statement_timeout', '${STATEMENT_TIMEOUT_MS}ms', true)`;
