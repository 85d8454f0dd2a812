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

  it("released that schema when the previous test ended: dropped, or recycled empty into the pool", async () => {
    // Released in the background, behind whatever pool work this worker has queued:
    // on a loaded 2-core machine that has taken over 5 s.
    const deadline = Date.now() + 90_000;
    let fate: string | undefined;
    while (!fate && Date.now() < deadline) {
      fate = await withClient(async (c) => {
        const { rows } = await c.query(
          `SELECT to_regnamespace($1) IS NULL AS gone,
                  (SELECT state FROM attune_test_registry.test_schema WHERE name = $1) AS state`,
          [previous],
        );
        if (rows[0].gone) return "dropped";
        if (rows[0].state === "in_use") return "recycled"; // back in the pool and handed out again already
        if (rows[0].state === "ready") {
          return (await c.query(`SELECT count(*)::int AS n FROM "${previous}".identity`)).rows[0].n === 0 ? "recycled" : "dirty";
        }
        return undefined; // still being released
      });
      if (!fate) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(["dropped", "recycled"]).toContain(fate);
  });
});
