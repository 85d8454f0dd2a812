import type pg from "pg";
import { quoteSchema } from "../schema/schema-name.ts";
import { takeDdlSlotInTransaction } from "./ddl-slots.ts";
import { lockHolders, type LockHolder } from "./lock-holders.ts";
import { BOUNDED_TRANSACTION_SQL } from "./provisioner-timeouts.ts";

export interface BlockedSchema {
  readonly schema: string;
  /** Who holds locks on its objects (the reason it was not dropped). */
  readonly holders: readonly LockHolder[];
}

export interface DropOutcome {
  readonly dropped: readonly string[];
  /** Not attempted: another session holds locks on their objects. Left for a later sweep. */
  readonly blocked: readonly BlockedSchema[];
}

/**
 * The one way attune-db drops schemas: inside the caller's transaction, with
 * bounded waits. Schemas on whose objects another session holds a lock right
 * now are not attempted (a DROP would queue behind that session, and every
 * later query on the schema behind the DROP); they come back as `blocked`,
 * with the holders. A lock taken between that check and the DROP makes the
 * DROP fail after LOCK_TIMEOUT_MS (SQLSTATE 55P03); the caller rolls back.
 * A drop takes one of the database's slots for builds and drops (ddl-slots.ts).
 */
export async function dropSchemasInTransaction(client: pg.ClientBase, schemas: readonly string[]): Promise<DropOutcome> {
  if (schemas.length === 0) return { dropped: [], blocked: [] };
  await client.query(BOUNDED_TRANSACTION_SQL);
  const holders = await lockHolders(client, schemas);
  const free = schemas.filter((s) => !holders.has(s));
  if (free.length > 0) await takeDdlSlotInTransaction(client);
  if (free.length > 0) await client.query(`DROP SCHEMA IF EXISTS ${free.map(quoteSchema).join(", ")} CASCADE`);
  return { dropped: free, blocked: [...holders].map(([schema, list]) => ({ schema, holders: list })) };
}

/** SQLSTATE 55P03: a lock wait hit lock_timeout. */
export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "55P03";
}
