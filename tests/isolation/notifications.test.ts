import { listenNotifications, type SchemaNotification } from "../../src/notifications/listen-notifications.ts";
import { freshSchema, testPrisma, testSchema } from "../../src/testing/index.ts";
import { waitFor, Wakeup } from "../support/wait-for.ts";

/** Waits until `done()`, woken by each arrival, then a little longer: anything foreign would arrive by then too. */
async function settle(what: string, done: () => boolean, arrivals: Wakeup, received: () => unknown): Promise<void> {
  await waitFor(what, done, { timeoutMs: 20_000, wakeup: arrivals, state: () => ({ received: received() }) });
  await new Promise((resolve) => setTimeout(resolve, 100));
}

describe("listenNotifications", () => {
  it("delivers only its own schema's notifications while four schemas notify on the same channels", async () => {
    const schemas = [{ prisma: testPrisma(), schema: testSchema().schema }, ...(await Promise.all([1, 2, 3].map(() => freshSchema())))];
    const inbox = new Map<string, SchemaNotification[]>(schemas.map((s) => [s.schema, []]));
    const arrivals = new Wakeup();
    const listeners = await Promise.all(
      schemas.map((s) =>
        listenNotifications({
          url: process.env.DATABASE_URL,
          schema: s.schema,
          channels: ["attune_notifications", "work_items"],
          onNotification: (n) => {
            inbox.get(s.schema)!.push(n);
            arrivals.wake();
          },
        }),
      ),
    );
    try {
      await Promise.all(
        schemas.map(async ({ prisma }, index) => {
          const pack = await prisma.pack.create({ data: { ref: `notify${index}`, label: "n", version: "1.0.0" } });
          const action = await prisma.action.create({
            data: { ref: `notify${index}.act`, label: "a", description: "d", entrypoint: "e", packId: pack.id, packRef: pack.ref },
          });
          for (let i = 0; i <= index; i++) {
            const execution = await prisma.execution.create({ data: { actionId: action.id, actionRef: action.ref } });
            await prisma.execution.update({ where: { id: execution.id }, data: { status: "running" } });
          }
          await prisma.notification.create({
            data: { channel: "work_items", entityType: "pack", entity: pack.ref, activity: "created" },
          });
        }),
      );
      const expected = (index: number) => 2 * (index + 1) + 1;
      const allIn = () => schemas.every((s, index) => inbox.get(s.schema)!.length === expected(index));
      await settle("each schema's notifications", allIn, arrivals, () => Object.fromEntries(inbox));
      schemas.forEach((s, index) => {
        const got = inbox.get(s.schema)!;
        expect(got).toHaveLength(expected(index));
        expect(got.every((n) => n.payload.schema === s.schema)).toBe(true);
        expect(got.filter((n) => n.channel === "work_items")).toEqual([
          { channel: "work_items", payload: expect.objectContaining({ entity: `notify${index}`, activity: "created" }) },
        ]);
      });
    } finally {
      await Promise.all(listeners.map((l) => l.close()));
    }
  });

  it("still notifies, without the result, when an execution's result is too large for NOTIFY", async () => {
    const prisma = testPrisma();
    const received: SchemaNotification[] = [];
    const arrivals = new Wakeup();
    const listener = await listenNotifications({
      onNotification: (n) => {
        received.push(n);
        arrivals.wake();
      },
    });
    try {
      const pack = await prisma.pack.create({ data: { ref: "bigresult", label: "b", version: "1.0.0" } });
      const action = await prisma.action.create({
        data: { ref: "bigresult.act", label: "a", description: "d", entrypoint: "e", packId: pack.id, packRef: pack.ref },
      });
      const result = { output: "x".repeat(100 * 1024) };
      const execution = await prisma.execution.create({ data: { actionId: action.id, actionRef: action.ref, result } });
      await settle("the execution's notification", () => received.length === 1, arrivals, () => received);
      expect(received).toHaveLength(1);
      expect(received[0]!.payload).toMatchObject({
        entity_id: Number(execution.id),
        result_omitted: true,
        data: { id: Number(execution.id), status: "requested", result: null },
      });
      const stored = await prisma.execution.findUniqueOrThrow({ where: { id: execution.id } });
      expect(stored.result).toEqual(result);
    } finally {
      await listener.close();
    }
  });
});
