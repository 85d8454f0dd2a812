import pg from "pg";
import { connectionConfig } from "../../src/client/create-pg-pool.ts";
import { readMigrationFiles } from "../../src/migrations/migration-files.ts";
import { cleanupTestSchemas } from "../../src/provisioner/cleanup-test-schemas.ts";
import { REGISTRY_TABLE, ensureRegistry } from "../../src/provisioner/test-schema-registry.ts";
import { quoteSchema } from "../../src/schema/schema-name.ts";
import { now } from "./stats.ts";

const ORPHAN_PREFIX = "orphan_";

export type OrphanKind = "migrated" | "light";

export interface CleanupResults {
  /** `migrated`: complete attune schemas; `light`: one small table each (the seed's test orphans were often near-empty). */
  readonly kind: OrphanKind;
  readonly orphans: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly errors: number;
  readonly remaining: number;
  /** Objects (tables, indexes, types, functions...) per orphan schema. */
  readonly objectsPerSchema: number;
}

/**
 * Leaves `count` orphans (as crashed test workers would: registered, with no
 * living owner), then times `cleanupTestSchemas` dropping them all.
 */
export async function measureCleanup(
  url: string,
  count: number,
  kind: OrphanKind,
  log: (line: string) => void,
): Promise<CleanupResults> {
  const sql =
    kind === "migrated"
      ? readMigrationFiles().map((m) => m.sql).join("\n;\n")
      : "CREATE TABLE item (id bigserial PRIMARY KEY, body jsonb NOT NULL DEFAULT '{}')";
  const clients = await Promise.all([0, 1].map(async () => {
    const client = new pg.Client(connectionConfig(url, "public"));
    await client.connect();
    return client;
  }));
  try {
    await ensureRegistry(clients[0]!);
    log(`cleanup: creating ${count} ${kind} orphan schemas...`);
    let next = 0;
    await Promise.all(
      clients.map(async (client) => {
        while (next < count) {
          const name = `${ORPHAN_PREFIX}${String(next++).padStart(5, "0")}`;
          const schema = quoteSchema(name);
          await client.query("BEGIN");
          await client.query(
            `INSERT INTO ${REGISTRY_TABLE} (name, fingerprint, state, run_id, host, pid) VALUES ($1, 'bench', 'in_use', 'crashed', 'bench', 0)`,
            [name],
          );
          await client.query(`CREATE SCHEMA ${schema}; SET LOCAL search_path TO ${schema}, extensions, public;\n${sql}\n; COMMIT;`);
        }
      }),
    );
    const objects = await clients[0]!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_depend d JOIN pg_namespace n ON d.refobjid = n.oid
        WHERE d.refclassid = 'pg_namespace'::regclass AND n.nspname = $1`,
      [`${ORPHAN_PREFIX}00000`],
    );
    log(`cleanup: dropping ${count} orphans...`);
    const start = now();
    const report = await cleanupTestSchemas({ url, prefix: ORPHAN_PREFIX });
    const seconds = (now() - start) / 1000;
    return {
      kind,
      orphans: count,
      seconds,
      perSecond: report.dropped.length / seconds,
      errors: report.errors.length,
      remaining: report.remaining,
      objectsPerSchema: objects.rows[0]!.n,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
