import { ForeignKeyError, Prisma, ValidationError } from "../../src/index.ts";
import { mapDatabaseError } from "../../src/errors/map-database-error.ts";
import { EventRepository } from "../../src/repositories/event.ts";
import { testPrisma } from "../../src/testing/index.ts";
import { newSensor, newTrigger, unique } from "./fixtures/run-time-fixtures.ts";

const events = () => new EventRepository(testPrisma());

describe("EventRepository", () => {
  it("creates an event and finds it by id", async () => {
    const trigger = await newTrigger();
    const sensor = await newSensor(trigger);
    const event = await events().create({
      triggerId: trigger.id, triggerRef: trigger.ref, payload: { temp: 21 }, config: { a: 1 }, sourceId: sensor.id, sourceRef: sensor.ref,
    });
    expect(event).toMatchObject({ triggerId: trigger.id, triggerRef: trigger.ref, payload: { temp: 21 }, config: { a: 1 }, sourceId: sensor.id });
    expect(typeof event.id).toBe("bigint");
    expect(await events().findById(event.id)).toEqual(event);
    expect(await events().getById(Number(event.id))).toEqual(event);
  });

  it("stores SQL NULL for omitted or null JSON", async () => {
    const event = await events().create({ triggerRef: "core.timer", config: null });
    expect(event).toMatchObject({ triggerId: null, config: null, payload: null, sourceId: null, sourceRef: null });
    // SQL NULL, not the JSON literal null: `IS NULL` (Prisma's DbNull filter) sees it.
    expect(await testPrisma().event.count({ where: { id: event.id, config: { equals: Prisma.DbNull }, payload: { equals: Prisma.DbNull } } })).toBe(1);
  });

  it("validates input before the database, naming the field", async () => {
    const error = await events().create({ triggerRef: "nodots", triggerId: -3 }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["triggerId", "triggerRef"]);
    await expect(events().create({ triggerRef: "core.t", payload: undefined, sourceRef: "Bad.Ref" })).rejects.toThrow(/sourceRef/);
  });

  it("reports a missing trigger or sensor as ForeignKeyError naming the relation", async () => {
    await expect(events().create({ triggerId: 987654n, triggerRef: "core.t" })).rejects.toMatchObject({
      constructor: ForeignKeyError, kind: "missing", relation: "event.trigger -> trigger", constraint: "event_trigger_fkey",
    });
    await expect(events().create({ sourceId: 987654n, triggerRef: "core.t" })).rejects.toMatchObject({
      kind: "missing", relation: "event.source -> sensor",
    });
  });

  it("updates only config and payload; the database trigger moves `updated`", async () => {
    const event = await events().create({ triggerRef: "core.t", config: { keep: true }, payload: { v: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await events().update(event.id, { payload: { v: 2 } });
    expect(updated).toMatchObject({ config: { keep: true }, payload: { v: 2 }, triggerRef: "core.t" });
    expect(updated.updated.getTime()).toBeGreaterThan(event.updated.getTime());
    expect(updated.created).toEqual(event.created);
    expect((await events().update(event.id, { config: null })).config).toBeNull();
    // Only config and payload are updatable.
    const ignored = await events().update(event.id, { triggerRef: "other.ref" } as never);
    expect(ignored.triggerRef).toBe("core.t");
  });

  it("finds by trigger and by trigger ref, newest first; the ref survives deleting the trigger", async () => {
    const trigger = await newTrigger();
    const other = await newTrigger();
    const older = await events().create({ triggerId: trigger.id, triggerRef: trigger.ref });
    const newer = await events().create({ triggerId: trigger.id, triggerRef: trigger.ref });
    await events().create({ triggerId: other.id, triggerRef: other.ref });
    expect((await events().findByTrigger(trigger.id)).map((e) => e.id)).toEqual([newer.id, older.id]);
    expect((await events().findByTriggerRef(trigger.ref)).map((e) => e.id)).toEqual([newer.id, older.id]);

    await testPrisma().trigger.delete({ where: { id: trigger.id } });
    expect(await events().findByTrigger(trigger.id)).toEqual([]);
    const byRef = await events().findByTriggerRef(trigger.ref);
    expect(byRef.map((e) => [e.id, e.triggerId])).toEqual([[newer.id, null], [older.id, null]]);
  });

  it("finds webhook events by config.source, optionally by webhook key", async () => {
    const key = unique("wh_key");
    const otherKey = unique("wh_key");
    const a = await events().create({ triggerRef: "core.hook", config: { source: "webhook", webhook_key: key } });
    const b = await events().create({ triggerRef: "core.hook", config: { source: "webhook", webhook_key: otherKey } });
    const sensorEvent = await events().create({ triggerRef: "core.hook", config: { source: "sensor", webhook_key: key } });
    await events().create({ triggerRef: "core.hook", config: null });

    const all = (await events().findWebhookEvents()).map((e) => e.id);
    expect(all).toEqual(expect.arrayContaining([b.id, a.id]));
    expect(all).not.toContain(sensorEvent.id);
    expect(all.indexOf(b.id)).toBeLessThan(all.indexOf(a.id));
    expect((await events().findWebhookEvents(key)).map((e) => e.id)).toEqual([a.id]);
    expect(await events().findWebhookEvents(unique("none"))).toEqual([]);
  });

  it("delete keeps enforcements (event set to NULL); a sensor with events cannot be deleted", async () => {
    const trigger = await newTrigger();
    const sensor = await newSensor(trigger);
    const event = await events().create({ triggerId: trigger.id, triggerRef: trigger.ref, sourceId: sensor.id, sourceRef: sensor.ref });
    const enforcement = await testPrisma().enforcement.create({
      data: { ruleRef: "core.r", triggerRef: trigger.ref, eventId: event.id, payload: {} },
    });
    const sensorDelete = await testPrisma().sensor.delete({ where: { id: sensor.id } }).catch((e) => e);
    expect(mapDatabaseError("sensor", sensorDelete)).toMatchObject({ kind: "referenced", relation: "event.source -> sensor" });

    expect(await events().delete(event.id)).toBe(true);
    expect(await events().findById(event.id)).toBeNull();
    expect((await testPrisma().enforcement.findUniqueOrThrow({ where: { id: enforcement.id } })).eventId).toBeNull();
  });
});
