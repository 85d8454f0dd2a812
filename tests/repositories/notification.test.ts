import { ValidationError } from "../../src/index.ts";
import { NotificationRepository } from "../../src/repositories/notification.ts";
import { testPrisma, testSchema } from "../../src/testing/index.ts";
import { collectNotifications, unique } from "./fixtures/run-time-fixtures.ts";

const notifications = () => new NotificationRepository(testPrisma());
const newNotification = (over: Record<string, unknown> = {}) =>
  notifications().create({ channel: "test_channel", entityType: "execution", entity: "1", activity: "created", ...over });

describe("NotificationRepository", () => {
  it("creates a notification with the database defaults and finds it by id", async () => {
    const notification = await newNotification({ content: { a: 1 } });
    expect(notification).toMatchObject({ channel: "test_channel", entityType: "execution", entity: "1", activity: "created", state: "created", content: { a: 1 } });
    expect(await notifications().findById(notification.id)).toEqual(notification);
    expect(await notifications().getById(notification.id)).toEqual(notification);
    expect((await newNotification()).content).toBeNull();
  });

  it("every insert is NOTIFY'd on the row's channel with {schema, id, entity_type, entity, activity}, at commit", async () => {
    const channel = unique("chan_");
    const listener = await collectNotifications([channel]);
    try {
      const notification = await newNotification({ channel, entity: "42", activity: "done", content: { big: "not in the payload" } });
      const { payload, channel: received } = await listener.next((n) => n.payload.id === Number(notification.id));
      expect(received).toBe(channel);
      expect(payload).toEqual({ schema: testSchema().schema, id: Number(notification.id), entity_type: "execution", entity: "42", activity: "done" });

      // Inside a rolled-back transaction, nothing is delivered; a committed one is.
      await testPrisma()
        .$transaction(async (tx) => {
          await new NotificationRepository(tx).create({ channel, entityType: "x", entity: "rolled-back", activity: "a" });
          throw new Error("abort");
        })
        .catch(() => {});
      const committed = await testPrisma().$transaction((tx) =>
        new NotificationRepository(tx).create({ channel, entityType: "x", entity: "committed", activity: "a" }),
      );
      await listener.next((n) => n.payload.id === Number(committed.id));
      expect(listener.received.map((n) => n.payload.entity)).not.toContain("rolled-back");
    } finally {
      await listener.close();
    }
  });

  it("validates input before the database, naming the field (channel names are 1 to 63 bytes)", async () => {
    const error = await notifications()
      .create({ channel: "", entityType: "", entity: "1", activity: "a", state: "sent" as never })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["channel", "entityType", "state"]);
    await expect(newNotification({ channel: "é".repeat(32) })).rejects.toThrow(/channel: must be at most 63 bytes/);
    expect((await newNotification({ channel: "c".repeat(63) })).channel).toHaveLength(63);
    await expect(notifications().findByState("sent" as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it("updates only state and content; `updated` moves on update", async () => {
    const notification = await newNotification({ content: { v: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await notifications().update(notification.id, { state: "processing" });
    expect(updated).toMatchObject({ state: "processing", content: { v: 1 }, channel: "test_channel", activity: "created" });
    expect(updated.updated.getTime()).toBeGreaterThan(notification.updated.getTime());
    expect((await notifications().update(notification.id, { content: null })).content).toBeNull();
    expect((await notifications().update(notification.id, { channel: "elsewhere" } as never)).channel).toBe("test_channel");
  });

  it("finds by state, channel and entity, newest first", async () => {
    const channel = unique("find_");
    const entity = unique("e");
    const first = await newNotification({ channel, entityType: "inquiry", entity, state: "error" });
    const second = await newNotification({ channel, entityType: "inquiry", entity });
    await newNotification({ channel, entityType: "execution", entity });
    expect((await notifications().findByEntity("inquiry", entity)).map((n) => n.id)).toEqual([second.id, first.id]);
    expect(await notifications().findByChannel(channel)).toHaveLength(3);
    expect((await notifications().findByChannel(channel))[2]!.id).toBe(first.id);
    const errors = await notifications().findByState("error");
    expect(errors.map((n) => n.id)).toContain(first.id);
    expect(errors.every((n) => n.state === "error")).toBe(true);
  });

  it("deletes a notification", async () => {
    const notification = await newNotification();
    expect(await notifications().delete(notification.id)).toBe(true);
    expect(await notifications().findById(notification.id)).toBeNull();
  });
});
