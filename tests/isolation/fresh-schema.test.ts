import { freshSchema, testPrisma, testSchema } from "../../src/testing/index.ts";
import { withClient } from "../support/pg.ts";

let previous: string | undefined;

describe("freshSchema()", () => {
  it("gives the test a migrated schema and client of its own", async () => {
    const { schema, url, prisma } = await freshSchema();
    previous = schema;
    expect(schema).not.toBe(testSchema().schema);
    expect(new URL(url).searchParams.get("schema")).toBe(schema);
    await prisma.identity.create({ data: { login: "per-test" } });
    expect(await prisma.identity.count()).toBe(1);
    expect(await testPrisma().identity.count()).toBe(0);
  });

  it("released that schema when the previous test ended", async () => {
    let exists = true;
    for (let i = 0; i < 100 && exists; i++) {
      exists = await withClient(async (c) => (await c.query("SELECT to_regnamespace($1) IS NOT NULL AS ok", [previous])).rows[0].ok);
      if (exists) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(exists).toBe(false);
  });
});
