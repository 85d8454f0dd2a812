import { CatalogVersionReader, IGNORED_CATALOGS, listCatalogTables, uncoveredCatalogs } from "../../src/provisioner/catalog-versions.ts";
import { testSchema } from "../../src/testing/index.ts";
import { withClient } from "../support/pg.ts";

describe("catalog versions", () => {
  it("cover every catalog of this server, or say why not", async () => {
    const catalogs = await withClient((client) => listCatalogTables(client));
    expect(catalogs.length).toBeGreaterThan(50);
    expect(uncoveredCatalogs(catalogs)).toEqual([]);
    // Every deliberately ignored catalog exists (a renamed one would be silently uncovered).
    const names = new Set(catalogs.map((c) => c.name));
    expect(Object.keys(IGNORED_CATALOGS).filter((name) => !names.has(name))).toEqual([]);
  });

  it("are unchanged by rows, and changed by any DDL", async () => {
    const reader = new CatalogVersionReader();
    const { schema } = testSchema();
    await withClient(async (client) => {
      const built = await reader.read(client, schema);
      expect(built.rows).toBeGreaterThan(1000);
      await client.query("INSERT INTO pack (ref, label, version) VALUES ('cv', 'C', '1.0.0'); DELETE FROM pack; ANALYZE pack");
      expect(await reader.read(client, schema)).toEqual(built);
      await client.query("ALTER TABLE pack ALTER COLUMN label SET STATISTICS 200");
      expect((await reader.read(client, schema)).digest).not.toBe(built.digest);
    });
  });
});
