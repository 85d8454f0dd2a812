import fs from "node:fs";
import { testPrisma } from "../../../src/testing/index.ts";
import { testContext } from "../../../src/testing/test-context.ts";

/**
 * Per-file overhead: from the moment the environment began setting the file
 * up until the file's first query has returned. Appended to
 * ATTUNE_BENCH_OVERHEAD_FILE (one number per line).
 */
export function recordOverhead(): void {
  beforeAll(async () => {
    await testPrisma().$queryRaw`SELECT 1`;
    const ms = performance.timeOrigin + performance.now() - testContext().startedAt;
    const file = process.env.ATTUNE_BENCH_OVERHEAD_FILE;
    if (file) fs.appendFileSync(file, `${ms}\n`);
  });
}
