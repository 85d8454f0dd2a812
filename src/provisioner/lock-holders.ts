import type pg from "pg";

/** A session (or prepared transaction) holding a lock on an object of a schema. */
export interface LockHolder {
  /** Backend pid; null for a prepared transaction. */
  readonly pid: number | null;
  readonly applicationName: string | null;
  readonly user: string | null;
  /** `idle in transaction`, `active`... */
  readonly state: string | null;
  /** Start of its current statement (first 200 characters). */
  readonly query: string | null;
  /** The gid of a prepared transaction (`PREPARE TRANSACTION`). */
  readonly preparedTransaction: string | null;
  /** The lock modes it holds there, e.g. `AccessShareLock`. */
  readonly modes: string;
}

/**
 * Sessions other than this one that hold locks on relations of these schemas
 * or on the schemas themselves: what would make a DROP wait.
 */
export async function lockHolders(client: pg.ClientBase, schemas: readonly string[]): Promise<Map<string, LockHolder[]>> {
  const { rows } = await client.query<LockHolder & { schema: string }>(
    `SELECT n.nspname AS schema, l.pid, a.application_name AS "applicationName", a.usename AS "user", a.state,
            left(a.query, 200) AS query, x.gid AS "preparedTransaction", string_agg(DISTINCT l.mode, ', ') AS modes
       FROM pg_locks l
       LEFT JOIN pg_class c ON l.locktype = 'relation' AND c.oid = l.relation
       JOIN pg_namespace n ON n.nspname = ANY($1)
        AND (c.relnamespace = n.oid OR (l.locktype = 'object' AND l.classid = 'pg_namespace'::regclass AND l.objid = n.oid))
       LEFT JOIN pg_stat_activity a ON a.pid = l.pid
       LEFT JOIN pg_prepared_xacts x ON l.pid IS NULL AND x.transaction::text = split_part(l.virtualtransaction, '/', 2)
      WHERE l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.pid IS DISTINCT FROM pg_backend_pid()
      GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    [schemas],
  );
  const holders = new Map<string, LockHolder[]>();
  for (const { schema, ...holder } of rows) holders.set(schema, [...(holders.get(schema) ?? []), holder]);
  return holders;
}

/** `pid 4242 (psql, user app, idle in transaction: "SELECT * FROM pack")`, for messages. */
export function describeHolder(holder: LockHolder): string {
  if (holder.pid === null) return `prepared transaction ${JSON.stringify(holder.preparedTransaction ?? "?")} (${holder.modes})`;
  const who = [holder.applicationName || "no application name", holder.user && `user ${holder.user}`, holder.state]
    .filter(Boolean)
    .join(", ");
  return `pid ${holder.pid} (${who}${holder.query ? `: ${JSON.stringify(holder.query)}` : ""}; ${holder.modes})`;
}
