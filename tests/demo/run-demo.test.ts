import { runDemo } from "../../src/demo/run-demo.ts";
import { testPrisma, testSchema } from "../../src/testing/index.ts";

describe("the demo (npm start)", () => {
  it("runs event -> enforcement -> execution with its NOTIFYs in the configured schema, then removes its rows", async () => {
    const lines: string[] = [];
    await runDemo({ log: (line) => lines.push(line) }); // DATABASE_URL and ATTUNE_DB_SCHEMA point at this file's schema
    const output = lines.join("\n");
    expect(output).toContain(`Schema "${testSchema().schema}"`);
    expect(output).toMatch(/NOTIFY attune_notifications x5: requested -> scheduling -> scheduled -> running -> completed/);
    expect(output).toMatch(/execution +#\d+ completed, result \{"stdout":"hello from the demo","exitCode":0\}/);
    expect(output).toMatch(/Removed the demo's rows/);
    const prisma = testPrisma();
    const left = await Promise.all([prisma.pack.count(), prisma.event.count(), prisma.execution.count(), prisma.notification.count()]);
    expect(left).toEqual([0, 0, 0, 0]);
  });

  it("keeps its rows with keep: true", async () => {
    await runDemo({ keep: true, log: () => {} });
    expect(await testPrisma().execution.findMany({ select: { status: true } })).toEqual([{ status: "completed" }]);
  });
});
