import { parseTestFileOptions } from "../../src/testing/test-file-options.ts";
import { TestFileSession } from "../../src/testing/test-file-session.ts";
import { workerProvisioner } from "../../src/testing/worker-provisioner.ts";
import type { AttuneDbTestContext } from "../../src/testing/test-context.ts";
import { freshSchema, testPrisma, testSchema } from "../../src/testing/index.ts";
import { withClient } from "../support/pg.ts";

describe("freshSchema()", () => {
  it("gives the test a migrated schema and client of its own", async () => {
    const { schema, url, prisma } = await freshSchema();
    expect(schema).not.toBe(testSchema().schema);
    expect(new URL(url).searchParams.get("schema")).toBe(schema);
    await prisma.identity.create({ data: { login: "per-test" } });
    expect(await prisma.identity.count()).toBe(1);
    expect(await testPrisma().identity.count()).toBe(0);
  });

  it("is released when its test ends: dropped, or recycled into the pool with no rows", async () => {
    // The integration's own logic, driven the way the Jest environment and the Vitest setup drive it.
    const options = parseTestFileOptions({ schema: "none" });
    const session = new TestFileSession(options, __filename);
    const global = { process: { env: {} } } as unknown as typeof globalThis & { __attuneDb: AttuneDbTestContext };
    await session.start(global);
    const { schema } = await global.__attuneDb.freshSchema();
    await withClient((c) => c.query(`INSERT INTO "${schema}".identity (login) VALUES ('left behind')`));

    const provisioner = await workerProvisioner(options);
    const before = { ...provisioner.releaseStats };
    await session.endTest(false);
    await provisioner.idle();
    const stats = provisioner.releaseStats;
    const recycled = stats.recycled - before.recycled;
    // Its release was handled: recycled (verified empty) or dropped; nothing else of this worker was released meanwhile.
    expect({ recycled, dropped: stats.dropped - before.dropped, blocked: stats.blocked - before.blocked }).toEqual(
      recycled === 1 ? { recycled: 1, dropped: 0, blocked: 0 } : { recycled: 0, dropped: 1, blocked: 0 },
    );
    // One statement, one snapshot: the registry state and the rows as they were together.
    const fate = await withClient(async (c) => {
      const { rows } = await c.query(
        `SELECT CASE WHEN to_regnamespace($1) IS NULL THEN 'dropped'
                     ELSE (SELECT state FROM attune_test_registry.test_schema WHERE name = $1) || ' with ' ||
                          (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.identity', $1::text), false, true, '')))[1]::text
                          || ' row(s)' END AS fate`,
        [schema],
      );
      return rows[0].fate as string;
    });
    // Dropped, its row gone with it; or recycled, and then possibly handed to another worker's file
    // since (in use, or released again with that file's rows): the recycler verified it empty first.
    expect(fate).toMatch(recycled === 1 ? /^(dropped|ready with 0 row\(s\)|(in_use|released) with \d+ row\(s\))$/ : /^dropped$/);
    await session.end();
  });
});
