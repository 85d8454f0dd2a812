import pg from "pg";
import { connectionConfig } from "../../src/client/create-pg-pool.ts";
import { readMigrationFiles } from "../../src/migrations/migration-files.ts";
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";
import { quoteSchema } from "../../src/schema/schema-name.ts";
import { generateTestSchemaName } from "../../src/provisioner/test-schema-name.ts";
import { summarize, timed, type Summary } from "./stats.ts";

export const BENCH_PREFIX = "bench_";

export interface ProvisioningResults {
  /** Taking a ready schema from the pool. */
  readonly handOut: Summary;
  /** Create + migrate + register one schema with the project's runner. */
  readonly cold: Summary;
  /** The same migration SQL replayed by hand in one round trip (the physical limit). */
  readonly replay: Summary;
  /** DROP SCHEMA ... CASCADE of one migrated schema. */
  readonly drop: Summary;
}

export async function measureProvisioning(url: string, rounds: number, log: (line: string) => void): Promise<ProvisioningResults> {
  const handOut: number[] = [];
  const pooled = await SchemaProvisioner.open({ url, poolSize: rounds, prefix: BENCH_PREFIX });
  try {
    log(`hand-out: filling a pool of ${rounds}...`);
    await pooled.fill(rounds);
    const held = [];
    for (let i = 0; i < rounds; i++) {
      let schema;
      handOut.push(await timed(async () => (schema = await pooled.acquire())));
      held.push(schema!);
    }
    for (const schema of held) await schema.release();
    await pooled.idle();
  } finally {
    await pooled.close();
  }

  // Cold and replay alternate, so that both see the same machine load.
  const cold: number[] = [];
  const replay: number[] = [];
  const drop: number[] = [];
  const onDemand = await SchemaProvisioner.open({ url, poolSize: 0, prefix: BENCH_PREFIX });
  const client = new pg.Client(connectionConfig(url, "public"));
  await client.connect();
  try {
    const sql = readMigrationFiles().map((m) => m.sql).join("\n;\n");
    log(`cold vs replay: ${rounds} rounds...`);
    for (let i = 0; i < rounds; i++) {
      let created;
      cold.push(await timed(async () => (created = await onDemand.create())));
      await created!.drop();

      const name = generateTestSchemaName(BENCH_PREFIX);
      const schema = quoteSchema(name);
      replay.push(
        await timed(() =>
          client.query(`BEGIN; CREATE SCHEMA ${schema}; SET LOCAL search_path TO ${schema}, extensions, public;\n${sql}\n; COMMIT;`),
        ),
      );
      drop.push(await timed(() => client.query(`DROP SCHEMA ${schema} CASCADE`)));
    }
  } finally {
    await client.end();
    await onDemand.close();
  }
  return { handOut: summarize(handOut), cold: summarize(cold), replay: summarize(replay), drop: summarize(drop) };
}
