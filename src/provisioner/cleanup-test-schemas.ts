import pg from "pg";
import { requireDirectConnection } from "../client/connection-pooler.ts";
import { connectionConfig } from "../client/create-pg-pool.ts";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { DatabaseUnreachableError } from "../errors/database-unreachable-error.ts";
import { describeServer } from "../config/datasource-url.ts";
import { reapTestSchemas, type ReapOptions, type ReapReport } from "./reap-test-schemas.ts";
import { REGISTRY_SCHEMA } from "./test-schema-registry.ts";

export interface CleanupOptions extends Omit<ReapOptions, "names" | "onProgress"> {
  readonly url: string;
  /** Connections dropping in parallel. Default is 2. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: { dropped: number; total: number }) => void;
}

/**
 * Drops orphaned test schemas over several connections: lists them once, then
 * splits them across `concurrency` reapers (each batching by lock budget and
 * re-checking liveness in its own transactions).
 */
export async function cleanupTestSchemas(options: CleanupOptions): Promise<ReapReport> {
  requireDirectConnection(options.url, "cleanup-test-schemas");
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const pool = new pg.Pool({ ...connectionConfig(options.url, REGISTRY_SCHEMA), max: concurrency, application_name: "attune-db:cleanup" });
  pool.on("error", () => {});
  try {
    const first = await pool.connect().catch((cause) => {
      const { host, port } = describeServer(options.url);
      throw new DatabaseUnreachableError(host, port, cause);
    });
    let listing: ReapReport;
    try {
      listing = await reapTestSchemas(first, { ...options, dryRun: true });
    } finally {
      first.release();
    }
    if (options.dryRun || listing.candidates.length === 0) return listing;

    const names = listing.candidates.map((c) => c.name);
    const chunks = Array.from({ length: concurrency }, (_, i) => names.filter((_, j) => j % concurrency === i)).filter(
      (chunk) => chunk.length > 0,
    );
    const done = new Array<number>(chunks.length).fill(0);
    const reports = await Promise.all(
      chunks.map(async (chunk, i) => {
        const client = await pool.connect();
        try {
          return await reapTestSchemas(client, {
            ...options,
            names: chunk,
            onProgress: ({ dropped }) => {
              done[i] = dropped;
              options.onProgress?.({ dropped: done.reduce((a, b) => a + b, 0), total: names.length });
            },
          });
        } finally {
          client.release();
        }
      }),
    );
    const remaining = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE $1", [
      `${(options.prefix ?? "test_").replace(/_/g, "\\_")}%`,
    ]);
    return {
      candidates: listing.candidates,
      dropped: reports.flatMap((r) => r.dropped),
      skippedAlive: [...listing.skippedAlive, ...reports.flatMap((r) => r.skippedAlive)],
      blocked: reports.flatMap((r) => r.blocked),
      unregistered: options.includeUnregistered ? [] : listing.unregistered,
      errors: reports.flatMap((r) => r.errors),
      remaining: remaining.rows[0]!.n,
    };
  } finally {
    await pool.end();
  }
}

/** `90s`, `30m`, `2h`, `7d`, `500ms` -> milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) throw new AttuneDbError(`Invalid duration "${text}": use a number and a unit (ms, s, m, h, d), e.g. 30m or 2h`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "ms" | "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
