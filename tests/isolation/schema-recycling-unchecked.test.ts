/** @attune-schema none */
import { CHANGES, RecyclingBench } from "../support/recycling-bench.ts";

// A test of schema-recycling.test.ts: with the catalog comparison off, that
// table would fail. Every change it lists then comes back into the pool, and
// the dump comparison sees it, except where the after-reset verification
// (rows, sequences, migration history) refuses the schema on its own.
const bench = new RecyclingBench(process.env.DATABASE_URL!);
beforeAll(() => bench.open());
afterAll(() => bench.close());

describe("recycling without the catalog check (a test of the recycling test)", () => {
  it.concurrent.each(CHANGES)("$kind: visible in the pool, unless the row check refuses it", async ({ sql, caughtByRowCheck, harmless }) => {
    const outcome = await bench.withProvisioner({ unsafeRecycleWithoutCatalogCheck: true }, (p) => bench.releaseAfter(p, sql));
    if (caughtByRowCheck) expect(outcome).toEqual({ dropped: true });
    else if (harmless) expect(outcome).toEqual({ dropped: false, state: "ready", differences: [] });
    else expect(outcome).toMatchObject({ dropped: false, state: "ready", differences: expect.arrayContaining([expect.any(String)]) });
  });
});
