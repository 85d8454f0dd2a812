import type pg from "pg";
import { EXTENSIONS_SCHEMA } from "../client/shared-schemas.ts";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { validateSchemaName } from "../schema/schema-name.ts";
import { dropSchemasInTransaction, isLockTimeout, type BlockedSchema } from "./drop-schemas.ts";
import { lockHolders } from "./lock-holders.ts";
import { BUILD_LOCK_CLASS, USE_LOCK_CLASS, tryLockExclusiveInTransaction } from "./schema-locks.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE, ensureRegistry, type TestSchemaState } from "./test-schema-registry.ts";
import { TEST_SCHEMA_PREFIX } from "./test-schema-name.ts";

/** Schemas no reaper ever drops, whatever prefix it is given. */
const PROTECTED = new Set(["attune", "public", "information_schema", EXTENSIONS_SCHEMA, REGISTRY_SCHEMA]);

export interface ReapOptions {
  /** Only schemas starting with this (validated, must end with `_`). Default is `test_`. */
  readonly prefix?: string;
  /** Only schemas created at least this long ago. Schemas of unknown age count as old. */
  readonly olderThanMs?: number;
  /** Only schemas of this run (its registry rows). */
  readonly runId?: string;
  /** Only these schemas. */
  readonly names?: readonly string[];
  /** Also reap schemas kept for inspection after a failure. Default is false. */
  readonly includeKept?: boolean;
  /**
   * Also drop schemas with the prefix that attune-db never registered (made by
   * hand or by another tool). Default is false: automatic sweeps never do.
   */
  readonly includeUnregistered?: boolean;
  /** List what would be dropped; drop nothing. */
  readonly dryRun?: boolean;
  /** Called after each batch. */
  readonly onProgress?: (progress: { dropped: number; total: number }) => void;
}

export interface ReapCandidate {
  readonly name: string;
  /** Registry state; null for a schema attune-db did not register. */
  readonly state: TestSchemaState | null;
  readonly runId: string | null;
  readonly createdAt: Date | null;
  /** Whether the schema exists (a registered name may not: reserved, or dropped by hand). */
  readonly exists: boolean;
  /** Relations, types and functions in the schema: its DROP takes ~2-3 locks per object (constraints, defaults...). */
  readonly objects: number;
}

export interface ReapReport {
  /** Orphans found (dead owner, matching the filters); in a dry run, what would be dropped. */
  readonly candidates: readonly ReapCandidate[];
  /** Schemas dropped (and registry rows of already-gone schemas removed). */
  readonly dropped: readonly string[];
  /** Alive (owned by a running process) when the reaper tried: left alone. */
  readonly skippedAlive: readonly string[];
  /** Not dropped because another session holds locks on them; left for a later sweep. */
  readonly blocked: readonly BlockedSchema[];
  /** Schemas with the prefix that attune-db did not register: never dropped unless `includeUnregistered`. */
  readonly unregistered: readonly string[];
  readonly errors: readonly { schema: string; message: string }[];
  /** Schemas with the prefix still present after the run (re-counted from the catalog). */
  readonly remaining: number;
}

/**
 * Drops test schemas whose owners are gone, in batches sized to the server's
 * lock table (dropping a migrated schema takes a lock per object; too many in
 * one transaction is "out of shared memory"). A schema is dropped only if
 * the reaper wins every liveness try-lock for it in the dropping transaction,
 * so a live schema, or one being handed out right now, is never touched; and
 * only if attune-db registered it, unless `includeUnregistered`. No wait is
 * unbounded: a schema another session holds a lock on is reported in
 * `blocked` with that session, and left.
 */
export async function reapTestSchemas(client: pg.ClientBase, options: ReapOptions = {}): Promise<ReapReport> {
  const prefix = validatePrefix(options.prefix ?? TEST_SCHEMA_PREFIX);
  await ensureRegistry(client);
  const found = await findSchemas(client, prefix, options.names);
  const unregistered = found.filter((c) => c.state === null).map((c) => c.name);
  const candidates = found.filter((c) => (c.state !== null || options.includeUnregistered) && matches(c, options));
  if (options.dryRun) {
    // A dry run reports only what is reapable now (dead owner), without holding anything.
    const reapable = await probeReapable(client, candidates);
    const holders = await lockHolders(client, reapable.filter((c) => c.exists).map((c) => c.name));
    return report(client, prefix, {
      candidates: reapable,
      skippedAlive: candidates.filter((c) => !reapable.includes(c)).map((c) => c.name),
      blocked: [...holders].map(([schema, list]) => ({ schema, holders: list })),
      unregistered,
    });
  }

  const budget = await lockBudget(client);
  const outcome: BatchOutcome = { dropped: [], alive: [], blocked: [], errors: [] };
  for (const batch of batches(candidates, budget)) {
    merge(outcome, await dropBatch(client, batch));
    options.onProgress?.({ dropped: outcome.dropped.length, total: candidates.length });
  }
  return report(client, prefix, {
    candidates: candidates.filter((c) => outcome.dropped.includes(c.name)),
    dropped: outcome.dropped,
    skippedAlive: outcome.alive,
    blocked: outcome.blocked,
    unregistered,
    errors: outcome.errors,
  });
}

async function report(
  client: pg.ClientBase,
  prefix: string,
  parts: Partial<Omit<ReapReport, "remaining">> & Pick<ReapReport, "candidates" | "unregistered">,
): Promise<ReapReport> {
  const left = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE $1", [
    `${escapeLike(prefix)}%`,
  ]);
  return { dropped: [], skippedAlive: [], blocked: [], errors: [], ...parts, remaining: left.rows[0]!.n };
}

export function validatePrefix(prefix: string): string {
  if (!prefix.endsWith("_") || prefix.length < 2) {
    throw new AttuneDbError(`Invalid test schema prefix "${prefix}": it must end with "_" and have a name before it (e.g. "test_")`);
  }
  validateSchemaName(prefix);
  for (const name of PROTECTED) {
    if (name.startsWith(prefix)) throw new AttuneDbError(`Prefix "${prefix}" would match the protected schema "${name}"`);
  }
  return prefix;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Registered schemas with the prefix (existing or not) and existing unregistered ones. */
async function findSchemas(client: pg.ClientBase, prefix: string, names: readonly string[] | undefined): Promise<ReapCandidate[]> {
  const { rows } = await client.query<ReapCandidate & { run_id: string | null; created_at: Date | null }>(
    // Object counts in one grouped pass per catalog: a correlated count per
    // schema would scan pg_class once per schema (no index leads with
    // relnamespace), quadratic in the number of orphans.
    `WITH ns AS MATERIALIZED (
       SELECT oid, nspname FROM pg_namespace
        WHERE nspname LIKE $1 AND ($2::text[] IS NULL OR nspname = ANY($2))),
     reg AS MATERIALIZED (
       SELECT name, state, run_id, created_at FROM ${REGISTRY_TABLE}
        WHERE name LIKE $1 AND ($2::text[] IS NULL OR name = ANY($2))),
     objects AS MATERIALIZED (
       SELECT oid, sum(n)::int AS n FROM (
         SELECT relnamespace AS oid, count(*) AS n FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns) GROUP BY 1
         UNION ALL
         SELECT typnamespace, count(*) FROM pg_type WHERE typnamespace IN (SELECT oid FROM ns) GROUP BY 1
         UNION ALL
         SELECT pronamespace, count(*) FROM pg_proc WHERE pronamespace IN (SELECT oid FROM ns) GROUP BY 1) per_catalog
       GROUP BY oid)
     SELECT coalesce(reg.name, ns.nspname) AS name, reg.state, reg.run_id, reg.created_at,
            ns.oid IS NOT NULL AS exists, coalesce(o.n, 0) AS objects
       FROM reg FULL JOIN ns ON ns.nspname = reg.name
       LEFT JOIN objects o ON o.oid = ns.oid
      ORDER BY reg.created_at NULLS FIRST, 1`,
    [`${escapeLike(prefix)}%`, names ?? null],
  );
  return rows
    .filter((row) => !PROTECTED.has(row.name) && /^[a-z0-9_]+$/.test(row.name))
    .map((row) => ({
      name: row.name,
      state: row.state,
      runId: row.run_id,
      createdAt: row.created_at,
      exists: row.exists,
      objects: row.objects,
    }));
}

function matches(candidate: ReapCandidate, options: ReapOptions): boolean {
  if (candidate.state === "kept" && !options.includeKept) return false;
  if (options.runId !== undefined && candidate.runId !== options.runId) return false;
  if (options.olderThanMs !== undefined && candidate.createdAt !== null) {
    if (Date.now() - candidate.createdAt.getTime() < options.olderThanMs) return false;
  }
  return true;
}

/** The candidates whose owners are gone right now (locks taken and released in a rolled-back transaction). */
async function probeReapable(client: pg.ClientBase, candidates: readonly ReapCandidate[]): Promise<ReapCandidate[]> {
  await client.query("BEGIN");
  try {
    const locked = await lockReapable(client, candidates);
    return candidates.filter((c) => locked.has(c.name));
  } finally {
    await client.query("ROLLBACK");
  }
}

/**
 * Takes, inside the current transaction, the exclusive liveness locks of
 * every candidate whose owners are gone; returns those names. Schemas being
 * built, waiting in the pool or released (not yet recycled or dropped by the
 * process that released them), and unregistered ones, need that process (the
 * BUILD key's holder) gone too; the others need only their user gone.
 */
async function lockReapable(client: pg.ClientBase, batch: readonly ReapCandidate[]): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.name FROM unnest($1::text[], $2::boolean[]) AS c(name, built)
      WHERE ${tryLockExclusiveInTransaction(USE_LOCK_CLASS, "c.name")}
        AND (NOT c.built OR ${tryLockExclusiveInTransaction(BUILD_LOCK_CLASS, "c.name")})`,
    [batch.map((c) => c.name), batch.map((c) => c.state === null || c.state === "ready" || c.state === "building" || c.state === "released")],
  );
  return new Set(rows.map((r) => r.name));
}

interface BatchOutcome {
  dropped: string[];
  alive: string[];
  blocked: BlockedSchema[];
  errors: { schema: string; message: string }[];
}

function merge(into: BatchOutcome, from: BatchOutcome): void {
  into.dropped.push(...from.dropped);
  into.alive.push(...from.alive);
  into.blocked.push(...from.blocked);
  into.errors.push(...from.errors);
}

async function dropBatch(client: pg.ClientBase, batch: readonly ReapCandidate[]): Promise<BatchOutcome> {
  await client.query("BEGIN");
  try {
    const locked = await lockReapable(client, batch);
    const names = batch.map((c) => c.name).filter((n) => locked.has(n));
    const { dropped, blocked } = await dropSchemasInTransaction(client, names);
    if (dropped.length > 0) await client.query(`DELETE FROM ${REGISTRY_TABLE} WHERE name = ANY($1)`, [dropped]);
    await client.query("COMMIT");
    return { dropped: [...dropped], alive: batch.map((c) => c.name).filter((n) => !locked.has(n)), blocked: [...blocked], errors: [] };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    if (batch.length === 1) {
      const schema = batch[0]!.name;
      if (isLockTimeout(error)) {
        const holders = (await lockHolders(client, [schema]).catch(() => new Map())).get(schema) ?? [];
        return { dropped: [], alive: [], blocked: [{ schema, holders }], errors: [] };
      }
      return { dropped: [], alive: [], blocked: [], errors: [{ schema, message: (error as Error).message }] };
    }
    // Split and retry: isolates the failing schema, and shrinks batches that ran out of lock memory.
    const half = Math.ceil(batch.length / 2);
    const outcome = await dropBatch(client, batch.slice(0, half));
    merge(outcome, await dropBatch(client, batch.slice(half)));
    return outcome;
  }
}

/**
 * Locks one transaction may take: an eighth of the shared lock table
 * (max_locks_per_transaction × (max_connections + max_prepared_transactions)),
 * so that reaping never starves other sessions of lock slots, for example
 * concurrent test runs each migrate schemas that take ~450 locks apiece.
 */
async function lockBudget(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ slots: number }>(
    `SELECT (current_setting('max_locks_per_transaction')::int
             * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int))::int AS slots`,
  );
  return Math.max(200, Math.floor(rows[0]!.slots / 8));
}

/**
 * Locks a DROP takes per counted object: measured 14 for a schema with one
 * table (5 objects) and 847 for attune's (~450), so 3 with a margin.
 */
const LOCKS_PER_OBJECT = 3;

/** Groups candidates so that each batch's locks (estimated from its objects) fit the budget. */
export function batches<T extends { objects: number }>(items: readonly T[], budget: number): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    const cost = item.objects * LOCKS_PER_OBJECT + 2;
    if (current.length > 0 && used + cost > budget) {
      result.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += cost;
  }
  if (current.length > 0) result.push(current);
  return result;
}
