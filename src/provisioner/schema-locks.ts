/**
 * Advisory-lock keys that make a test schema's liveness visible to every
 * process on the database. Keys are (class, hashtext(schema)); a hash
 * collision only makes a reaper more careful, never less.
 *
 * - BUILD: held shared by the process building a schema, afterwards by the
 *   process that keeps a *ready* (pooled) schema it built or recycled, and by
 *   the process that released a schema until it has recycled or dropped it.
 * - USE: held shared by the process using (or handing out) a schema.
 *
 * Owners hold their keys shared on a session that lives as long as the
 * process; a reaper takes the relevant keys exclusively with try-locks, which
 * fail while any owner lives. When a process dies, its session ends and its
 * locks vanish: that is the only way a schema becomes reapable.
 */
export const BUILD_LOCK_CLASS = 0x61740001;
export const USE_LOCK_CLASS = 0x61740002;

export type LockClass = typeof BUILD_LOCK_CLASS | typeof USE_LOCK_CLASS;

export const lockShared = (lockClass: LockClass, nameParam: string) =>
  `pg_advisory_lock_shared(${lockClass}, hashtext(${nameParam}))`;
export const unlockShared = (lockClass: LockClass, nameParam: string) =>
  `pg_advisory_unlock_shared(${lockClass}, hashtext(${nameParam}))`;
export const tryLockExclusiveInTransaction = (lockClass: LockClass, nameExpr: string) =>
  `pg_try_advisory_xact_lock(${lockClass}, hashtext(${nameExpr}))`;
