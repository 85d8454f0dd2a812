/** @attune-schema none */
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { endWithin, unrefConnection } from "../../src/provisioner/provisioner-connections.ts";
import { reapTestSchemas } from "../../src/provisioner/reap-test-schemas.ts";
import { REGISTRY_SCHEMA } from "../../src/provisioner/test-schema-registry.ts";
import { startTsProcess } from "../support/child-process.ts";
import { waitFor } from "../support/wait-for.ts";

const url = () => process.env.DATABASE_URL!;

describe("provisioner connections", () => {
  // unrefConnection reaches into pg's client.connection.stream: this breaks if a pg release moves it.
  it("do not keep a process alive: it exits by itself with its provisioner open", async () => {
    const { child, firstLine } = await startTsProcess("tests/support/unref-provisioner-process.ts", { HOLD_URL: url() });
    const { schema } = JSON.parse(firstLine) as { schema: string };
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.once("exit", (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(0);
    // Its schema is an orphan now, reapable once the server has ended its session.
    const admin = await connectPgClient(url(), REGISTRY_SCHEMA);
    try {
      const dropped = await waitFor(
        "the exited process's schema to be reaped",
        async () => {
          const report = await reapTestSchemas(admin, { names: [schema] });
          return report.dropped.length > 0 && report.dropped;
        },
        { timeoutMs: 30_000, pollMs: 50 },
      );
      expect(dropped).toEqual([schema]);
    } finally {
      await admin.end();
    }
  });

  it("unref and bounded end work on a pg client", async () => {
    const client = await connectPgClient(url(), REGISTRY_SCHEMA);
    expect(() => unrefConnection(client)).not.toThrow();
    const started = Date.now();
    await endWithin(client, 1_000);
    expect(Date.now() - started).toBeLessThan(1_500);
    await expect(client.query("SELECT 1")).rejects.toThrow();
  });
});
