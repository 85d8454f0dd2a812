import { AttuneDbError } from "./attune-db-error.ts";

/** No slot for a schema build or drop came free within the bound (src/provisioner/ddl-slots.ts). */
export class DdlSlotTimeoutError extends AttuneDbError {
  constructor(
    readonly slots: number,
    readonly waitedMs: number,
    lockClass: number,
  ) {
    super(
      `Waited ${waitedMs} ms for one of the ${slots} slots for schema builds and drops on this database: other processes ` +
        `hold them all (see pg_locks, locktype 'advisory', classid ${lockClass}). Raise max_locks_per_transaction ` +
        `or max_connections on the server for more slots, or run fewer test runs against it at once.`,
    );
  }
}
