import pg from "pg";
import { connectionConfig } from "../../src/client/create-pg-pool.ts";
import { CatalogVersionReader, catalogVersionsSql, listCatalogTables } from "../../src/provisioner/catalog-versions.ts";
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";
import { prismaMigrationsMigrator } from "../../src/provisioner/schema-migrator.ts";
import { SchemaRecycler } from "../../src/provisioner/schema-recycler.ts";
import { quoteSchema } from "../../src/schema/schema-name.ts";
import { BENCH_PREFIX } from "./measure-provisioning.ts";
import { summarize, timed, type Summary } from "./stats.ts";

export interface RecyclingResults {
  /** Reading the versions (xmin) of every catalog row of a schema: what recycling compares. */
  readonly catalogVersions: Summary;
  /** The alternative: a digest of the contents of the same catalog rows (minus statistics columns). */
  readonly catalogContents: Summary;
  /** The whole recycle transaction: compare, delete every row, restart sequences, verify. */
  readonly recycle: Summary;
  /** What recycling saves: DROP SCHEMA ... CASCADE, then create + migrate + register a new one. */
  readonly dropAndBuild: Summary;
}

/** Columns VACUUM and ANALYZE rewrite in place: a content digest must leave them out (versions differ by server). */
const STATISTICS_COLUMNS = ["relpages", "reltuples", "relallvisible", "relallfrozen", "relfrozenxid", "relminmxid"];

export async function measureRecycling(url: string, rounds: number, log: (line: string) => void): Promise<RecyclingResults> {
  const migrator = { ...prismaMigrationsMigrator(), hash: () => `bench_recycle_${Date.now()}` };
  const provisioner = await SchemaProvisioner.open({ url, poolSize: 0, prefix: BENCH_PREFIX, migrator });
  const client = new pg.Client(connectionConfig(url, "public"));
  await client.connect();
  const reader = new CatalogVersionReader();
  const recycler = new SchemaRecycler();
  const contentsSql = catalogVersionsSql(await listCatalogTables(client)).replaceAll(
    "t.xmin",
    `md5((to_jsonb(t) - '{${STATISTICS_COLUMNS.join(",")}}'::text[])::text)`,
  );
  const [versions, contents, recycle, dropAndBuild]: [number[], number[], number[], number[]] = [[], [], [], []];
  try {
    log(`recycling: ${rounds} rounds...`);
    let schema = await provisioner.create();
    for (let i = 0; i < rounds; i++) {
      const q = quoteSchema(schema.schema);
      const record = await client.query("BEGIN").then(() => recycler.record(client, schema.schema));
      await client.query("COMMIT");
      await client.query(
        `INSERT INTO ${q}.pack (ref, label, version) VALUES ('bench', 'Bench', '1.0.0');
         INSERT INTO ${q}.identity (login) VALUES ('bench')`,
      );
      versions.push(await timed(() => reader.read(client, schema.schema)));
      contents.push(await timed(() => client.query({ name: "bench_catalog_contents", text: contentsSql, values: [schema.schema] })));
      recycle.push(
        await timed(async () => {
          await client.query("BEGIN");
          const reason = await recycler.reset(client, schema.schema, record);
          if (reason) throw new Error(`the bench schema could not be recycled: ${reason}`);
          await client.query("COMMIT");
        }),
      );
      dropAndBuild.push(
        await timed(async () => {
          await schema.drop();
          schema = await provisioner.create();
        }),
      );
    }
    await schema.drop();
  } finally {
    await client.end();
    await provisioner.close();
  }
  return {
    catalogVersions: summarize(versions),
    catalogContents: summarize(contents),
    recycle: summarize(recycle),
    dropAndBuild: summarize(dropAndBuild),
  };
}
