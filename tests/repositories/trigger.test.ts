import { ForeignKeyError, NotFoundError, ValidationError } from "../../src/index.ts";
import { PackRepository } from "../../src/repositories/pack.ts";
import { TriggerRepository, type CreateTriggerInput } from "../../src/repositories/trigger.ts";
import { WebhookEventLogRepository } from "../../src/repositories/webhook-event-log.ts";
import { testPrisma, testSchema } from "../../src/testing/index.ts";

const triggers = () => new TriggerRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newPack = () => new PackRepository(testPrisma()).create({ ref: unique("pk"), label: "Pack", version: "1.0.0" });
const newTrigger = (over: Partial<CreateTriggerInput> = {}) => triggers().create({ ref: `${unique("pk")}.t`, label: "Trigger", ...over });
const KEY_FORMAT = /^wh_[a-z0-9]{1,32}$/;
const DEFAULTS = {
  hmac: { enabled: false, algorithm: "sha256" },
  rate_limit: { enabled: false },
  ip_whitelist: { enabled: false, ips: [] },
};

describe("TriggerRepository", () => {
  it("creates a trigger with the database defaults and finds it by id and ref", async () => {
    const pack = await newPack();
    const trigger = await newTrigger({ ref: `${pack.ref}.hook`, packId: pack.id, packRef: pack.ref, description: "d", paramSchema: { type: "object" } });
    expect(trigger).toMatchObject({
      packId: pack.id, packRef: pack.ref, label: "Trigger", description: "d", enabled: true,
      paramSchema: { type: "object" }, outSchema: null, webhookEnabled: false, webhookKey: null, webhookConfig: {},
    });
    expect(typeof trigger.id).toBe("bigint");
    expect(await triggers().findById(trigger.id)).toEqual(trigger);
    expect(await triggers().findByRef(trigger.ref)).toEqual(trigger);
    expect(await triggers().getById(trigger.id)).toEqual(trigger);
    expect(await triggers().getByRef(trigger.ref)).toEqual(trigger);
  });

  it("validates refs and fields before the database, naming the field", async () => {
    const error = await newTrigger({ ref: "core.webhook.x" }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: "ref", message: expect.stringMatching(/pack.name/) }]);
    await expect(newTrigger({ ref: "Core.X" })).rejects.toThrow(/ref: must be lower-case/);
    await expect(newTrigger({ label: "" })).rejects.toMatchObject({ issues: [{ field: "label" }] });
    await expect(newTrigger({ enabled: "yes" as never })).rejects.toMatchObject({ issues: [{ field: "enabled" }] });
    await expect(newTrigger({ packId: -1 })).rejects.toMatchObject({ issues: [{ field: "packId" }] });
  });

  it("reports an unknown pack as ForeignKeyError (missing) naming the relation", async () => {
    const error = await newTrigger({ packId: 987654n }).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "missing", relation: "trigger.pack -> pack", constraint: "trigger_pack_fkey" });
  });

  it("updates only the given fields; null stores SQL NULL; the trigger moves `updated`", async () => {
    const trigger = await newTrigger({ description: "before", paramSchema: { a: 1 }, outSchema: { b: 2 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await triggers().update(trigger.id, { label: "After", enabled: false });
    expect(updated).toMatchObject({ label: "After", enabled: false, description: "before", paramSchema: { a: 1 }, outSchema: { b: 2 } });
    expect(updated.updated.getTime()).toBeGreaterThan(trigger.updated.getTime());
    expect(updated.created).toEqual(trigger.created);
    const cleared = await triggers().update(trigger.id, { description: null, paramSchema: null, outSchema: { c: 3 } });
    expect(cleared).toMatchObject({ description: null, paramSchema: null, outSchema: { c: 3 } });
    const [row] = await testPrisma().$queryRaw<Array<{ isnull: boolean }>>`SELECT param_schema IS NULL AS isnull FROM trigger WHERE id = ${trigger.id}`;
    expect(row?.isnull).toBe(true);
    const ignored = await triggers().update(trigger.id, { ref: "x.y", webhookEnabled: true, webhookKey: "wh_x" } as never);
    expect(ignored).toMatchObject({ ref: trigger.ref, webhookEnabled: false, webhookKey: null });
  });

  it("finds by pack and enabled triggers, by ref", async () => {
    const pack = await newPack();
    const b = await newTrigger({ ref: `${pack.ref}.b`, packId: pack.id, packRef: pack.ref });
    const a = await newTrigger({ ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, enabled: false });
    expect((await triggers().findByPack(pack.id)).map((t) => t.id)).toEqual([a.id, b.id]);
    const enabled = await triggers().findEnabled();
    expect(enabled.map((t) => t.id)).toContain(b.id);
    expect(enabled.map((t) => t.id)).not.toContain(a.id);
    expect(enabled.every((t) => t.enabled)).toBe(true);
    const byDb = await testPrisma().$queryRaw<Array<{ ref: string }>>`SELECT ref FROM trigger WHERE enabled ORDER BY ref`;
    expect(enabled.map((t) => t.ref)).toEqual(byDb.map((r) => r.ref));
  });

  it("delete cascades to sensors and the webhook log, and sets events' trigger to null", async () => {
    const prisma = testPrisma();
    const trigger = await newTrigger();
    const runtime = await prisma.runtime.create({ data: { ref: `${unique("p")}.sensor.py`, runtimeType: "sensor", name: "py", distributions: {} } });
    const sensor = await prisma.sensor.create({
      data: { ref: `${unique("p")}.s`, label: "s", description: "d", entrypoint: "s.py", runtimeId: runtime.id, runtimeRef: runtime.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true },
    });
    const event = await prisma.event.create({ data: { triggerId: trigger.id, triggerRef: trigger.ref } });
    const logId = await triggers().logWebhookEvent({ triggerId: trigger.id, triggerRef: trigger.ref, webhookKey: "wh_x", statusCode: 200 });
    expect(await triggers().delete(trigger.id)).toBe(true);
    expect(await prisma.sensor.findUnique({ where: { id: sensor.id } })).toBeNull();
    expect(await prisma.webhookEventLog.findUnique({ where: { id: logId } })).toBeNull();
    expect(await prisma.event.findUnique({ where: { id: event.id } })).toMatchObject({ triggerId: null, triggerRef: trigger.ref });
  });

  it("refuses to delete a trigger used by a rule, naming the relation", async () => {
    const prisma = testPrisma();
    const pack = await newPack();
    const trigger = await newTrigger({ ref: `${pack.ref}.t` });
    const action = await prisma.action.create({ data: { ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, label: "a", description: "d", entrypoint: "a.py" } });
    await prisma.rule.create({
      data: {
        ref: `${pack.ref}.r`, packId: pack.id, packRef: pack.ref, label: "r", description: "d",
        actionId: action.id, actionRef: action.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true,
      },
    });
    const error = await triggers().delete(trigger.id).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ entity: "trigger", kind: "referenced", relation: "rule.trigger -> trigger", constraint: "rule_trigger_fkey" });
    expect(await triggers().findById(trigger.id)).not.toBeNull();
  });

  describe("webhooks", () => {
    it("enable generates a key, fills the config defaults and returns the relative URL", async () => {
      const trigger = await newTrigger();
      const enabled = await triggers().enableWebhook(trigger.id);
      expect(enabled.webhookEnabled).toBe(true);
      expect(enabled.webhookKey).toMatch(KEY_FORMAT);
      expect(enabled.webhookUrl).toBe(`/api/v1/webhooks/${enabled.webhookKey}`);
      expect(enabled.webhookConfig).toEqual(DEFAULTS);
      const stored = await triggers().getById(trigger.id);
      expect(stored).toMatchObject({ webhookEnabled: true, webhookKey: enabled.webhookKey, webhookConfig: DEFAULTS });
      expect(stored.updated.getTime()).toBeGreaterThanOrEqual(trigger.updated.getTime());
    });

    it("enable keeps the key on a second call and merges defaults only into missing top-level keys", async () => {
      const trigger = await newTrigger();
      const first = await triggers().enableWebhook(trigger.id);
      const second = await triggers().enableWebhook(trigger.id, {
        rate_limit: { enabled: true, requests: 10, window_seconds: 60 },
        hmac: { enabled: true, secret: "s3cret" },
        payload_size_limit_kb: 512,
      });
      expect(second.webhookKey).toBe(first.webhookKey);
      expect(second.webhookConfig).toEqual({
        hmac: { enabled: true, secret: "s3cret", algorithm: "sha256" },
        rate_limit: { enabled: true, requests: 10, window_seconds: 60 },
        ip_whitelist: { enabled: false, ips: [] },
        payload_size_limit_kb: 512,
      });
      expect((await triggers().getById(trigger.id)).webhookConfig).toEqual(second.webhookConfig);
    });

    it("disable keeps the key and the config; enabling again reuses the key", async () => {
      const trigger = await newTrigger();
      const enabled = await triggers().enableWebhook(trigger.id, { ip_whitelist: { enabled: true, ips: ["10.0.0.0/8"] } });
      expect(await triggers().disableWebhook(trigger.id)).toBe(true);
      const disabled = await triggers().getById(trigger.id);
      expect(disabled).toMatchObject({ webhookEnabled: false, webhookKey: enabled.webhookKey, webhookConfig: enabled.webhookConfig });
      expect((await triggers().enableWebhook(trigger.id)).webhookKey).toBe(enabled.webhookKey);
    });

    it("regenerate changes the key and says whether there was one", async () => {
      const never = await newTrigger();
      const fresh = await triggers().regenerateWebhookKey(never.id);
      expect(fresh).toEqual({ webhookKey: expect.stringMatching(KEY_FORMAT), previousKeyRevoked: false });
      expect((await triggers().getById(never.id)).webhookEnabled).toBe(false);

      const trigger = await newTrigger();
      const { webhookKey: oldKey } = await triggers().enableWebhook(trigger.id);
      const regenerated = await triggers().regenerateWebhookKey(trigger.id);
      expect(regenerated.previousKeyRevoked).toBe(true);
      expect(regenerated.webhookKey).toMatch(KEY_FORMAT);
      expect(regenerated.webhookKey).not.toBe(oldKey);
      expect(await triggers().findByWebhookKey(oldKey)).toBeNull();
      expect((await triggers().findByWebhookKey(regenerated.webhookKey))?.id).toBe(trigger.id);
    });

    it("finds a trigger by webhook key, also while the webhook is disabled", async () => {
      const trigger = await newTrigger();
      const { webhookKey } = await triggers().enableWebhook(trigger.id);
      expect(await triggers().findByWebhookKey(webhookKey)).toMatchObject({ id: trigger.id, webhookEnabled: true });
      await triggers().disableWebhook(trigger.id);
      expect(await triggers().findByWebhookKey(webhookKey)).toMatchObject({ id: trigger.id, webhookEnabled: false });
      expect(await triggers().findByWebhookKey("wh_nosuchkey")).toBeNull();
    });

    it("updateWebhookConfig replaces the config as given, leaving key and flag alone", async () => {
      const trigger = await newTrigger();
      const enabled = await triggers().enableWebhook(trigger.id);
      const updated = await triggers().updateWebhookConfig(trigger.id, {
        hmac: { enabled: true, secret: "x", algorithm: "sha512" },
        ip_whitelist: { enabled: true, ips: ["192.168.0.1", "2001:db8::/32"] },
        secret: "top",
      });
      expect(updated).toMatchObject({
        webhookEnabled: true,
        webhookKey: enabled.webhookKey,
        webhookConfig: { hmac: { enabled: true, secret: "x", algorithm: "sha512" }, ip_whitelist: { enabled: true, ips: ["192.168.0.1", "2001:db8::/32"] }, secret: "top" },
      });
      expect(updated.updated.getTime()).toBeGreaterThanOrEqual(trigger.updated.getTime());
      expect((await triggers().updateWebhookConfig(trigger.id, { rate_limit: { enabled: false } })).webhookConfig).toEqual({ rate_limit: { enabled: false } });
    });

    it("validates the webhook config, naming the field", async () => {
      const trigger = await newTrigger();
      const bad = async (config: unknown) => (await triggers().updateWebhookConfig(trigger.id, config as never).catch((e) => e)) as ValidationError;
      const algorithm = await bad({ hmac: { enabled: true, algorithm: "md5" } });
      expect(algorithm).toBeInstanceOf(ValidationError);
      expect(algorithm.issues).toEqual([{ field: "config.hmac.algorithm", message: expect.any(String) }]);
      expect((await bad({ rate_limit: { enabled: true, requests: 0 } })).issues).toMatchObject([{ field: "config.rate_limit.requests" }]);
      expect((await bad({ rate_limit: { enabled: true, requests: 10001 } })).issues).toMatchObject([{ field: "config.rate_limit.requests" }]);
      expect((await bad({ rate_limit: { enabled: true, window_seconds: 3601 } })).issues).toMatchObject([{ field: "config.rate_limit.window_seconds" }]);
      expect((await bad({ rate_limit: {} })).issues).toMatchObject([{ field: "config.rate_limit.enabled" }]);
      expect((await bad({ ip_whitelist: { enabled: true, ips: ["10.0.0.1", "nope"] } })).issues).toMatchObject([{ field: "config.ip_whitelist.ips.1" }]);
      expect((await bad({ payload_size_limit_kb: 0 })).issues).toMatchObject([{ field: "config.payload_size_limit_kb" }]);
      expect((await bad({ rate_limt: { enabled: true } })).issues).toMatchObject([{ message: expect.stringMatching(/rate_limt/) }]);
      expect((await bad(null)).issues).toMatchObject([{ field: "config" }]);
      await expect(triggers().enableWebhook(trigger.id, { hmac: { enabled: "yes" } } as never)).rejects.toMatchObject({
        issues: [{ field: "config.hmac.enabled" }],
      });
      expect((await triggers().getById(trigger.id)).webhookEnabled).toBe(false);
    });

    it("raises NotFoundError with the id for an unknown trigger in every webhook function", async () => {
      const expected = new NotFoundError("trigger", { id: 987654n });
      await expect(triggers().enableWebhook(987654n)).rejects.toThrow(expected);
      await expect(triggers().enableWebhook(987654)).rejects.toMatchObject({ entity: "trigger", key: { id: 987654n } });
      await expect(triggers().disableWebhook(987654n)).rejects.toThrow(expected);
      await expect(triggers().regenerateWebhookKey(987654n)).rejects.toThrow(expected);
      await expect(triggers().updateWebhookConfig(987654n, {})).rejects.toThrow(expected);
    });

    it("calls the webhook functions of this test's own schema (unqualified names resolve through search_path)", async () => {
      const { schema } = testSchema();
      const rows = await testPrisma().$queryRaw<Array<{ fn: string; schema: string }>>`
        SELECT p.proname AS fn, n.nspname AS schema FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname IN ('enable_trigger_webhook', 'disable_trigger_webhook', 'regenerate_trigger_webhook_key', 'generate_webhook_key')
        ORDER BY 1, 2`;
      const inOurSchema = rows.filter((r) => r.schema === schema).map((r) => r.fn);
      expect(inOurSchema).toEqual(["disable_trigger_webhook", "enable_trigger_webhook", "generate_webhook_key", "regenerate_trigger_webhook_key"]);
      const [resolved] = await testPrisma().$queryRaw<Array<{ schema: string }>>`
        SELECT n.nspname AS schema FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.oid = 'enable_trigger_webhook(bigint, jsonb)'::regprocedure`;
      expect(resolved?.schema).toBe(schema);
      // The function wrote this schema's trigger row.
      const trigger = await newTrigger();
      const { webhookKey } = await triggers().enableWebhook(trigger.id);
      const [row] = await testPrisma().$queryRawUnsafe<Array<{ webhook_key: string }>>(
        `SELECT webhook_key FROM "${schema}".trigger WHERE id = $1`,
        trigger.id,
      );
      expect(row?.webhook_key).toBe(webhookKey);
    });

    it("logs a webhook event through the event log repository and returns its id", async () => {
      const trigger = await newTrigger();
      const { webhookKey } = await triggers().enableWebhook(trigger.id);
      const id = await triggers().logWebhookEvent({ triggerId: trigger.id, triggerRef: trigger.ref, webhookKey, statusCode: 200, sourceIp: "127.0.0.1" });
      expect(typeof id).toBe("bigint");
      expect(await new WebhookEventLogRepository(testPrisma()).getById(id)).toMatchObject({ triggerId: trigger.id, webhookKey, statusCode: 200, sourceIp: "127.0.0.1" });
      await expect(triggers().logWebhookEvent({ triggerId: trigger.id, triggerRef: trigger.ref, webhookKey, statusCode: 200, sourceIp: "localhost" })).rejects.toMatchObject({
        issues: [{ field: "sourceIp" }],
      });
      await expect(triggers().logWebhookEvent({ triggerId: 987654n, triggerRef: "x.y", webhookKey, statusCode: 404 })).rejects.toMatchObject({
        kind: "missing",
        relation: "webhook_event_log.trigger_id -> trigger",
      });
    });
  });
});
