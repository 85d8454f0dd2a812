import { createRepositories } from "../../../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../../../src/testing/index.ts";

/** Pack installation records and test results with their SQL-side stats. */
export function scenario(): void {
  const repos = () => createRepositories(testPrisma());

  const run = (packId: bigint, failed: number) =>
    repos().packTests.create({
      packId, packVersion: "1.0.0", triggerReason: "manual", totalTests: 10, passed: 10 - failed, failed, skipped: 0,
      passRate: (10 - failed) / 10, durationMs: 1200n, result: { suites: [] },
    });

  it("records installations", async () => {
    const pack = await repos().packs.create({ ref: "insta", label: "i", version: "1.0.0" });
    await repos().packInstallations.create({ packId: pack.id, sourceType: "git", sourceUrl: "https://example.com/p.git", storagePath: "/packs/insta" });
    expect(await repos().packInstallations.existsForPack(pack.id)).toBe(true);
  });

  it("computes test stats", async () => {
    const pack = await repos().packs.create({ ref: "testa", label: "t", version: "1.0.0" });
    await run(pack.id, 0);
    await run(pack.id, 2);
    const stats = await repos().packTests.getStats(pack.id);
    expect(stats.totalExecutions).toBe(2n);
    expect(await repos().packTests.hasPassingTests(pack.id)).toBe(true);
  });

  it("reads the latest run per pack", async () => {
    const pack = await repos().packs.create({ ref: "testb", label: "t", version: "1.0.0" });
    await run(pack.id, 1);
    expect((await repos().packTests.getAllLatest()).map((l) => l.packRef)).toContain("testb");
  });
}
