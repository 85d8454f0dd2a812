import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { DdlSlotTimeoutError } from "../errors/ddl-slot-timeout-error.ts";
import { STATEMENT_TIMEOUT_MS } from "./provisioner-timeouts.ts";

/**
 * A database-wide bound on schema builds and drops running at once, shared by
 * every process and test run on the database.
 *
 * Dropping attune's schema takes ~850 locks in one transaction, and building
 * it took ~740 when it was one transaction (one per table, index, sequence,
 * type, function...; now its migrations commit one by one). A
 * server's shared lock table has max_locks_per_transaction × (max_connections +
 * max_prepared_transactions) slots, 6,400 by default: a dozen builds and drops
 * at once, from two test runs on one server, fill it, and every other session's
 * next lock fails with "out of shared memory". So builds and drops take one of
 * a few advisory-lock slots, as many as half the lock table can carry.
 */
export const DDL_SLOT_LOCK_CLASS = 0x61740003;

/** Locks one schema build or drop may take, rounded up from the measurement above. */
export const LOCKS_PER_SCHEMA_DDL = 1_000;

const RETRY_MS = 50;

export interface DdlSlotOptions {
  /** Longest wait for a free slot (default STATEMENT_TIMEOUT_MS). */
  readonly waitMs?: number;
  /** Another set of slots (tests): its advisory-lock class and size. */
  readonly lockClass?: number;
  readonly slots?: number;
}

/** How many builds and drops may run at once on this client's database. */
export async function ddlSlotCount(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ slots: number }>(
    `SELECT greatest(1, current_setting('max_locks_per_transaction')::int
             * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int)
             / 2 / $1)::int AS slots`,
    [LOCKS_PER_SCHEMA_DDL],
  );
  return rows[0]!.slots;
}

/**
 * Takes a slot for the current transaction (released at its end). Waits, with
 * a bound, while all are taken. A session that already holds a slot gets it
 * again (advisory locks are re-entrant).
 */
export async function takeDdlSlotInTransaction(client: pg.ClientBase, options: DdlSlotOptions = {}): Promise<void> {
  await takeSlot(client, "pg_try_advisory_xact_lock", options);
}

/** Runs `work` holding a slot on the session (for work that spans several transactions). */
export async function withDdlSlot<T>(client: pg.ClientBase, work: () => Promise<T>, options: DdlSlotOptions = {}): Promise<T> {
  const slot = await takeSlot(client, "pg_try_advisory_lock", options);
  try {
    return await work();
  } finally {
    await client.query("SELECT pg_advisory_unlock($1, $2)", [options.lockClass ?? DDL_SLOT_LOCK_CLASS, slot]).catch(() => {});
  }
}

async function takeSlot(client: pg.ClientBase, tryLock: string, options: DdlSlotOptions): Promise<number> {
  const { waitMs = STATEMENT_TIMEOUT_MS, lockClass = DDL_SLOT_LOCK_CLASS } = options;
  const slots = options.slots ?? (await ddlSlotCount(client));
  const started = Date.now();
  for (;;) {
    // Slots in a random order, so that waiting sessions do not all race for slot 0. MATERIALIZED: the
    // try-lock must run on the ordered rows until one succeeds, not be pushed down to every slot.
    const { rows } = await client.query<{ slot: number }>(
      `WITH shuffled AS MATERIALIZED (SELECT slot FROM generate_series(0, $2 - 1) AS slot ORDER BY random())
       SELECT slot FROM shuffled WHERE ${tryLock}($1, slot) LIMIT 1`,
      [lockClass, slots],
    );
    if (rows.length > 0) return rows[0]!.slot;
    const waited = Date.now() - started;
    if (waited >= waitMs) throw new DdlSlotTimeoutError(slots, waited, lockClass);
    await sleep(RETRY_MS + Math.random() * RETRY_MS);
  }
}
