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
 * before it is created and marked ready or in use only after every migration
 * committed (migrations commit one by one, as Prisma applies them): a crashed
 * build leaves a registered `building` row whose owner is gone, which any
 * sweep drops, so crash safety comes from the registry, not from one big
 * transaction. The caller holds the owner lock on the name (BUILD or USE) for
 * the whole build, and one of the database's slots for builds and drops
 * (ddl-slots.ts).
 */
export class SchemaBuilder {
  constructor(private readonly options: SchemaBuilderOptions) {}

  async build(schema: string, state: "ready" | "in_use"): Promise<void> {
    const { work, migrator, fingerprint, runId } = this.options;
    const client = await work.connect();
    try {
      await client.query(
        `INSERT INTO ${REGISTRY_TABLE} (name, fingerprint, state, run_id, host, pid) VALUES ($1, $2, 'building', $3, $4, $5)`,
        [schema, fingerprint, runId, os.hostname(), process.pid],
      );
      try {
        await client.query(`SET search_path TO ${searchPath(schema)}`);
        await withDdlSlot(client, async () => {
          await migrator.migrate(client, schema);
          await markBuilt(client, schema, state, this.options);
        });
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

/** Labels the built schema, records what recycling compares with, and moves its row out of `building`, in one transaction. */
async function markBuilt(
  client: pg.PoolClient,
  schema: string,
  state: "ready" | "in_use",
  { recycler, fingerprint, runId }: SchemaBuilderOptions,
): Promise<void> {
  await client.query("BEGIN");
  try {
    const label = JSON.stringify({ tool: "attune-db", run: runId, fingerprint, pid: process.pid });
    await client.query(`COMMENT ON SCHEMA ${quoteSchema(schema)} IS ${client.escapeLiteral(label)}`);
    const record = await recycler.record(client, schema);
    await client.query(
      `UPDATE ${REGISTRY_TABLE} SET state = $2, claimed_at = CASE WHEN $2 = 'in_use' THEN now() END,
              catalog_digest = $3, migrations_digest = $4
        WHERE name = $1`,
      [schema, state, record.catalogDigest, record.migrationsDigest],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
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
