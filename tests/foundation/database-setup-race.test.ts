/** @attune-schema none */
import { customAlphabet } from "nanoid";
import { withPgClient } from "../../src/client/connect-pg-client.ts";
import { withoutSchema } from "../../src/config/datasource-url.ts";
import { migrate } from "../../src/migrations/migrate.ts";
import { createTenant } from "../../src/tenants/create-tenant.ts";

const serverUrl = () => withoutSchema(process.env.DATABASE_URL!);
const suffix = customAlphabet("abcdefghijklmnopqrstuvwxyz", 8);

/** A new, empty database on the test server for `work`, dropped afterwards. */
async function inNewDatabase(work: (url: string) => Promise<void>): Promise<void> {
  const name = `attune_setup_race_${suffix()}`;
  await withPgClient(serverUrl(), "public", (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  try {
    await work(url.toString());
  } finally {
    await withPgClient(serverUrl(), "public", (c) => c.query(`DROP DATABASE ${name} WITH (FORCE)`));
  }
}

describe("database-wide setup on a new database", () => {
  it("many first migrations and tenant creates at once all succeed (shared extensions, registries)", async () => {
    // The race needs an unlucky interleaving: several fresh databases make one likely.
    for (let round = 0; round < 3; round++) {
      await inNewDatabase(async (url) => {
        const results = await Promise.allSettled([
          ...Array.from({ length: 4 }, (_, i) => migrate({ url, schema: `race_schema_${i}` })),
          ...Array.from({ length: 4 }, (_, i) => createTenant(`race_tenant_${i}`, { url })),
        ]);
        expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      });
    }
  }, 300_000); // CREATE DATABASE and DROP DATABASE are slow on a server busy with another run
});
