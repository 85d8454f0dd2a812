/** @attune-schema none */
import type pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { DdlSlotTimeoutError } from "../../src/errors/ddl-slot-timeout-error.ts";
import { ddlSlotCount, LOCKS_PER_SCHEMA_DDL, takeDdlSlotInTransaction, withDdlSlot } from "../../src/provisioner/ddl-slots.ts";
import { REGISTRY_SCHEMA } from "../../src/provisioner/test-schema-registry.ts";

const url = () => process.env.DATABASE_URL!;
// Slots of this file's own (the real ones are in use by parallel files' builds): two of them, under a lock class nobody else uses.
const slots = { lockClass: 0x61740000 + (process.pid % 0xffff), slots: 2 };
let holder: pg.Client;
let waiter: pg.Client;
beforeAll(async () => {
  holder = await connectPgClient(url(), REGISTRY_SCHEMA);
  waiter = await connectPgClient(url(), REGISTRY_SCHEMA);
});
afterAll(async () => {
  await holder.end();
  await waiter.end();
});

const heldBy = async (client: pg.Client) =>
  (await holder.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND pid = $2`, [
    slots.lockClass,
    (client as unknown as { processID: number }).processID,
  ])).rows[0].n as number;

describe("slots for schema builds and drops", () => {
  it("are as many as half the server's lock table carries", async () => {
    const { rows } = await holder.query(
      `SELECT current_setting('max_locks_per_transaction')::int
              * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int) AS entries`,
    );
    expect(await ddlSlotCount(holder)).toBe(Math.max(1, Math.floor(rows[0].entries / 2 / LOCKS_PER_SCHEMA_DDL)));
  });

  it("takes exactly one slot, given back at the end of the transaction", async () => {
    await waiter.query("BEGIN");
    await takeDdlSlotInTransaction(waiter, slots);
    expect(await heldBy(waiter)).toBe(1);
    await waiter.query("COMMIT");
    expect(await heldBy(waiter)).toBe(0);
  });

  it("makes a build or drop wait while all are taken, with a bound, and go on once one is free", async () => {
    await holder.query("BEGIN");
    await takeDdlSlotInTransaction(holder, slots);
    await holder.query("SELECT pg_try_advisory_xact_lock($1, 0), pg_try_advisory_xact_lock($1, 1)", [slots.lockClass]);
    expect(await heldBy(holder)).toBe(2); // the one it took, and the other
    let freed = false;
    try {
      await waiter.query("BEGIN");
      const started = Date.now();
      const error = await takeDdlSlotInTransaction(waiter, { ...slots, waitMs: 150 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DdlSlotTimeoutError);
      expect((error as DdlSlotTimeoutError).message).toMatch(/one of the 2 slots .* max_locks_per_transaction/);
      expect(Date.now() - started).toBeLessThan(2_000);
      await waiter.query("ROLLBACK");

      const waiting = withDdlSlot(waiter, async () => freed, { ...slots, waitMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      freed = true;
      await holder.query("COMMIT");
      expect(await waiting).toBe(true); // it ran only after the holder let go
    } finally {
      await holder.query("ROLLBACK").catch(() => {});
    }
    expect(await heldBy(waiter)).toBe(0); // withDdlSlot gave its slot back
  });
});
