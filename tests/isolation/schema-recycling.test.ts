/** @attune-schema none */
import { childrenFirst } from "../../src/provisioner/schema-recycler.ts";
import { BENIGN, CHANGES, RecyclingBench } from "../support/recycling-bench.ts";

const bench = new RecyclingBench(process.env.DATABASE_URL!);
beforeAll(() => bench.open());
afterAll(() => bench.close());

describe("recycling fails closed", () => {
  it("reuses a schema after benign work, empty and equal to a fresh one", async () => {
    const p = await bench.provisioner({ poolSize: BENIGN.length });
    for (const { kind, sql } of BENIGN) {
      expect({ kind, fate: await bench.releaseAfter(p, sql) }).toEqual({ kind, fate: { dropped: false, state: "ready", differences: [] } });
    }
    expect(p.releaseStats.recycled).toBe(BENIGN.length);
  });

  // Rows run a few at a time (each builds a schema: on a server with fsync on, that waits on the disk).
  it.concurrent.each(CHANGES)("drops a schema after $kind", async ({ sql }) => {
    expect(await bench.withProvisioner({}, (p) => bench.releaseAfter(p, sql))).toEqual({ dropped: true });
  });

  it("puts an unchanged schema back into the pool with no rows and restarted sequences, and hands it out again", async () => {
    const p = await bench.provisioner();
    const used = await p.create();
    const s = `"${used.schema}"`;
    await bench.query(`INSERT INTO ${s}.pack (ref, label, version) VALUES ('one', 'One', '1.0.0'), ('two', 'Two', '1.0.0')`);
    await bench.query(`INSERT INTO ${s}.action (ref, pack, pack_ref, label, description, entrypoint) VALUES ('one.a', 1, 'one', 'a', '', 'x')`);
    await bench.query(`INSERT INTO ${s}.execution (action, action_ref) VALUES (1, 'one.a')`);
    await bench.query(`INSERT INTO ${s}.execution (action, action_ref, parent) VALUES (1, 'one.a', 1)`);
    await used.drop();
    expect(await bench.fate(used.schema)).toEqual({ dropped: false, state: "ready", differences: [] });

    const next = await p.acquire();
    expect(next).toMatchObject({ schema: used.schema, pooled: true });
    const again = await bench.query(`INSERT INTO ${s}.pack (ref, label, version) VALUES ('three', 'T', '1.0.0') RETURNING id`);
    expect(again.rows[0].id).toBe("1"); // the sequence was restarted
    await next.drop();
  });

  it("orders tables children first", () => {
    const order = childrenFirst(
      ["pack", "action", "execution", "rule", "trigger"],
      [
        { child: "action", parent: "pack" },
        { child: "execution", parent: "action" },
        { child: "rule", parent: "action" },
        { child: "rule", parent: "trigger" },
        { child: "trigger", parent: "pack" },
      ],
    );
    const before = (a: string, b: string) => order.indexOf(a) < order.indexOf(b);
    expect(before("execution", "action") && before("rule", "action") && before("action", "pack") && before("rule", "trigger")).toBe(true);
  });
});
