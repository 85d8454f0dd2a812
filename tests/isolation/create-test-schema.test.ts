import { migrationStatus, withSchema } from "../../src/index.ts";
import { createTestSchema } from "../../src/testing/index.ts";
import { withClient } from "../support/pg.ts";

import { testSchema } from "../../src/testing/index.ts";

// The server of this file's schema, without its ?schema=.
const serverUrl = () => {
  const url = new URL(testSchema().url);
  url.searchParams.delete("schema");
  return url.toString();
};

describe("createTestSchema", () => {
  it("makes a uniquely named, migrated schema with a ?schema= URL, and drop() removes it", async () => {
    const [a, b] = [await createTestSchema({ url: serverUrl() }), await createTestSchema({ url: serverUrl() })];
    try {
      expect(a.schema).toMatch(/^test_[a-z0-9]{10}$/);
      expect(a.schema).not.toBe(b.schema);
      expect(a.url).toBe(withSchema(serverUrl(), a.schema));
      expect((await migrationStatus({ url: a.url })).upToDate).toBe(true);
    } finally {
      await a.drop();
      await b.drop();
    }
    await withClient(async (client) => {
      const left = await client.query("SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)", [[a.schema, b.schema]]);
      expect(left.rows).toEqual([]);
    });
  });
});

describe("await using", () => {
  it("drops a test schema at the end of the block", async () => {
    const exists = (name: string) =>
      withClient(async (client) => (await client.query("SELECT to_regnamespace($1) IS NOT NULL AS ok", [name])).rows[0].ok as boolean);
    let name = "";
    {
      await using created = await createTestSchema({ url: serverUrl() });
      name = created.schema;
      expect(await exists(name)).toBe(true);
    }
    expect(await exists(name)).toBe(false);
  });
});
