import { ForeignKeyError, ValidationError } from "../../src/index.ts";
import { TriggerRepository } from "../../src/repositories/trigger.ts";
import { WebhookEventLogRepository, type CreateWebhookEventLogInput } from "../../src/repositories/webhook-event-log.ts";
import { testPrisma } from "../../src/testing/index.ts";

const logs = () => new WebhookEventLogRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newTrigger = () => new TriggerRepository(testPrisma()).create({ ref: `${unique("pk")}.hook`, label: "Hook" });
const newLog = async (over: Partial<CreateWebhookEventLogInput> = {}) => {
  const trigger = over.triggerId === undefined ? await newTrigger() : undefined;
  return logs().create({ triggerId: trigger?.id, triggerRef: trigger?.ref ?? "x.y", webhookKey: unique("wh_k"), statusCode: 200, ...over } as CreateWebhookEventLogInput);
};

describe("WebhookEventLogRepository", () => {
  it("logs a request with every field and reads it back (inet as a string, defaults applied)", async () => {
    const trigger = await newTrigger();
    const log = await logs().create({
      triggerId: trigger.id, triggerRef: trigger.ref, webhookKey: "wh_abc", sourceIp: "192.168.1.10",
      userAgent: "curl/8", payloadSizeBytes: 123, headers: { "content-type": "application/json" }, statusCode: 202,
      processingTimeMs: 7, hmacVerified: true, ipAllowed: true,
    });
    expect(log).toMatchObject({
      triggerId: trigger.id, triggerRef: trigger.ref, webhookKey: "wh_abc", eventId: null, sourceIp: "192.168.1.10",
      userAgent: "curl/8", payloadSizeBytes: 123, headers: { "content-type": "application/json" }, statusCode: 202,
      errorMessage: null, processingTimeMs: 7, hmacVerified: true, rateLimited: false, ipAllowed: true,
    });
    expect(typeof log.id).toBe("bigint");
    expect(await logs().findById(log.id)).toEqual(log);
    expect(await logs().getById(log.id)).toEqual(log);
  });

  it("stores IPv6 source addresses and no address at all", async () => {
    expect((await newLog({ sourceIp: "2001:db8::1" })).sourceIp).toBe("2001:db8::1");
    expect((await newLog({ sourceIp: "::ffff:10.1.2.3" })).sourceIp).toBe("::ffff:10.1.2.3");
    const none = await newLog({ sourceIp: null, headers: null, statusCode: 429, rateLimited: true, errorMessage: "slow down" });
    expect(none).toMatchObject({ sourceIp: null, headers: null, statusCode: 429, rateLimited: true, errorMessage: "slow down" });
  });

  it("validates inputs before the database, naming the field", async () => {
    const error = await newLog({ sourceIp: "999.1.1.1" }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: "sourceIp", message: "must be an IPv4 or IPv6 address" }]);
    await expect(newLog({ sourceIp: "10.0.0.0/8" })).rejects.toMatchObject({ issues: [{ field: "sourceIp" }] });
    await expect(newLog({ statusCode: 42 })).rejects.toMatchObject({ issues: [{ field: "statusCode" }] });
    await expect(newLog({ webhookKey: "k".repeat(65) })).rejects.toMatchObject({ issues: [{ field: "webhookKey" }] });
    await expect(newLog({ payloadSizeBytes: -1 })).rejects.toMatchObject({ issues: [{ field: "payloadSizeBytes" }] });
    await expect(logs().create({ triggerRef: "a.b", webhookKey: "k", statusCode: 200 } as never)).rejects.toMatchObject({
      issues: [{ field: "triggerId" }],
    });
  });

  it("reports an unknown trigger or event as ForeignKeyError (missing) naming the relation", async () => {
    const noTrigger = await newLog({ triggerId: 987654n }).catch((e) => e);
    expect(noTrigger).toBeInstanceOf(ForeignKeyError);
    expect(noTrigger).toMatchObject({ entity: "webhook_event_log", kind: "missing", relation: "webhook_event_log.trigger_id -> trigger" });
    await expect(newLog({ eventId: 987654n })).rejects.toMatchObject({ kind: "missing", relation: "webhook_event_log.event_id -> event" });
  });

  it("lists a trigger's log newest first, with pagination and a total", async () => {
    const trigger = await newTrigger();
    const ids: bigint[] = [];
    for (let i = 0; i < 3; i++) ids.push((await newLog({ triggerId: trigger.id, triggerRef: trigger.ref })).id);
    await newLog();
    const page = await logs().listByTrigger(trigger.id);
    expect(page).toMatchObject({ page: 0, perPage: 50, total: 3 });
    expect(page.items.map((l) => l.id)).toEqual([...ids].reverse());
    const second = await logs().listByTrigger(trigger.id, { page: 1, perPage: 2 });
    expect(second.items.map((l) => l.id)).toEqual([ids[0]]);
    expect(second.total).toBe(3);
    await expect(logs().listByTrigger(trigger.id, { perPage: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it("orders rows created in the same instant by id, newest first", async () => {
    const trigger = await newTrigger();
    const created = new Date("2030-01-01T00:00:00Z");
    const rows = [];
    for (let i = 0; i < 3; i++) {
      rows.push(await testPrisma().webhookEventLog.create({ data: { triggerId: trigger.id, triggerRef: trigger.ref, webhookKey: "k", statusCode: 200, created } }));
    }
    expect((await logs().listByTrigger(trigger.id)).items.map((l) => l.id)).toEqual(rows.map((r) => r.id).reverse());
  });

  it("lists by webhook key newest first", async () => {
    const key = unique("wh_list");
    const a = await newLog({ webhookKey: key });
    const b = await newLog({ webhookKey: key });
    await newLog();
    const page = await logs().listByWebhookKey(key);
    expect(page.items.map((l) => l.id)).toEqual([b.id, a.id]);
    expect(page.total).toBe(2);
    expect((await logs().listByWebhookKey("nope")).items).toEqual([]);
  });

  it("deletes rows older than N days by the database clock", async () => {
    const trigger = await newTrigger();
    const old = await testPrisma().webhookEventLog.create({
      data: { triggerId: trigger.id, triggerRef: trigger.ref, webhookKey: "k", statusCode: 200, created: new Date(Date.now() - 10 * 86_400_000) },
    });
    const fresh = await newLog({ triggerId: trigger.id, triggerRef: trigger.ref });
    expect(await logs().deleteOlderThan(30)).toBe(0);
    expect(await logs().deleteOlderThan(5)).toBe(1);
    expect(await logs().findById(old.id)).toBeNull();
    expect(await logs().findById(fresh.id)).not.toBeNull();
    await expect(logs().deleteOlderThan(-1)).rejects.toMatchObject({ issues: [{ field: "days" }] });
    await expect(logs().deleteOlderThan(1.5)).rejects.toBeInstanceOf(ValidationError);
  });

  it("goes with its trigger (CASCADE) and loses its event (SET NULL)", async () => {
    const prisma = testPrisma();
    const trigger = await newTrigger();
    const event = await prisma.event.create({ data: { triggerId: trigger.id, triggerRef: trigger.ref } });
    const log = await newLog({ triggerId: trigger.id, triggerRef: trigger.ref, eventId: event.id });
    expect(log.eventId).toBe(event.id);
    await prisma.event.delete({ where: { id: event.id } });
    expect((await logs().getById(log.id)).eventId).toBeNull();
    await new TriggerRepository(prisma).delete(trigger.id);
    expect(await logs().findById(log.id)).toBeNull();
  });
});
