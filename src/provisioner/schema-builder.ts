import os from "node:os";
import type pg from "pg";
import { searchPath } from "../client/create-pg-pool.ts";
import { quoteSchema } from "../schema/schema-name.ts";
import type { SchemaMigrator } from "./schema-migrator.ts";
import type { SchemaRecycler } from "./schema-recycler.ts";
import { withDdlSlot } from "./ddl-slots.ts";
import { dropSchemasInTransaction } from "./drop-schemas.ts";
import { REGISTRY_SCHEMA, REGISTRY_TABLE } from "./test-schema-registry.ts";

export interface SchemaBuilderOptions {
  readonly work: pg.Pool;
  readonly migrator: SchemaMigrator;
  readonly recycler: SchemaRecycler;
  readonly fingerprint: string;
  readonly runId: string;
}

/**
 * Creates and migrates test schemas. The schema is registered (`building`)
 * before it is created, and marked ready or in use in the transaction that
 * finishes its migration: a crashed build leaves a registered row whose owner
 * is gone, which any sweep drops. The caller holds the owner lock on the name
 * (BUILD or USE) for the whole build, and one of the database's slots for
 * builds and drops (ddl-slots.ts).
 */
export class SchemaBuilder {
  constructor(private readonly options: SchemaBuilderOptions) {}

  async build(schema: string, state: "ready" | "in_use"): Promise<void> {
    const { work, migrator, recycler, fingerprint, runId } = this.options;
    const client = await work.connect();
    try {
      await client.query(
        `INSERT INTO ${REGISTRY_TABLE} (name, fingerprint, state, run_id, host, pid) VALUES ($1, $2, 'building', $3, $4, $5)`,
        [schema, fingerprint, runId, os.hostname(), process.pid],
      );
      try {
        await client.query(`SET search_path TO ${searchPath(schema)}`);
        await withDdlSlot(client, () =>
          migrator.migrate(client, schema, async (tx) => {
            const label = JSON.stringify({ tool: "attune-db", run: runId, fingerprint, pid: process.pid });
            await tx.query(`COMMENT ON SCHEMA ${quoteSchema(schema)} IS ${tx.escapeLiteral(label)}`);
            const record = await recycler.record(tx, schema);
            await tx.query(
              `UPDATE ${REGISTRY_TABLE} SET state = $2, claimed_at = CASE WHEN $2 = 'in_use' THEN now() END,
                      catalog_digest = $3, migrations_digest = $4
                WHERE name = $1`,
              [schema, state, record.catalogDigest, record.migrationsDigest],
            );
          }),
        );
      } catch (error) {
        await forget(client, schema);
        throw error;
      }
    } finally {
      await client.query(`SET search_path TO ${searchPath(REGISTRY_SCHEMA)}`).catch(() => {});
      client.release();
    }
  }
}

/** After a failed build: drop what it left and its row; if even that fails, a later sweep will. */
async function forget(client: pg.PoolClient, schema: string): Promise<void> {
  try {
    await client.query("BEGIN");
    await dropSchemasInTransaction(client, [schema]);
    await client.query(`DELETE FROM ${REGISTRY_TABLE} WHERE name = $1`, [schema]);
    await client.query("COMMIT");
  } catch {
    await client.query("ROLLBACK").catch(() => {});
  }
}
