import path from "node:path";
import { migrationStatus } from "../../src/index.ts";
import { listenNotifications, type SchemaNotification } from "../../src/notifications/listen-notifications.ts";
import { testPrisma, testSchema } from "../../src/testing/index.ts";

/**
 * The checks every isolation file runs at the same time as the others: its own
 * migrated schema, no rows of any other file, and only its own notifications,
 * while the other files write and notify on the same channels.
 */
export function checkIsolation(file: string): void {
  const marker = path.basename(file, ".test.ts").replace(/[^a-z0-9]/g, "");

  it("runs in its own, fully migrated test schema", async () => {
    const { schema, url } = testSchema();
    expect(schema).toMatch(/^test_[a-z0-9]{10}$/);
    expect(process.env.DATABASE_URL).toBe(url);
    expect(new URL(process.env.DATABASE_URL!).searchParams.get("schema")).toBe(schema);
    expect((await migrationStatus({ url })).upToDate).toBe(true);
  });

  it("sees only its own rows and notifications while other files write concurrently", async () => {
    const prisma = testPrisma();
    const received: SchemaNotification[] = [];
    const listener = await listenNotifications({ onNotification: (n) => received.push(n) });
    try {
      const pack = await prisma.pack.create({ data: { ref: `iso${marker}`, label: marker, version: "1.0.0" } });
      const action = await prisma.action.create({
        data: { ref: `iso${marker}.run`, label: "run", description: "d", entrypoint: "run.sh", packId: pack.id, packRef: pack.ref },
      });
      for (let i = 0; i < 5; i++) {
        await prisma.execution.create({ data: { actionId: action.id, actionRef: action.ref } });
        await new Promise((resolve) => setTimeout(resolve, 20)); // interleave with the other files
      }
      expect(await prisma.pack.findMany({ select: { ref: true } })).toEqual([{ ref: `iso${marker}` }]);
      expect(await prisma.execution.count()).toBe(5);

      const deadline = Date.now() + 20_000;
      while (received.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 100)); // anything foreign would arrive by now
      expect(received).toHaveLength(5);
      for (const n of received) {
        expect(n.payload).toMatchObject({ schema: testSchema().schema, entity_type: "execution", data: { action_ref: action.ref } });
      }
    } finally {
      await listener.close();
    }
  });
}
