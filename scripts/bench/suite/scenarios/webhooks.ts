import { createRepositories } from "../../../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../../../src/testing/index.ts";

/** Webhook-enabled triggers: enable, regenerate, disable, log, rate limit. */
export function scenario(): void {
  const repos = () => createRepositories(testPrisma());

  async function newTrigger(ref: string) {
    const pack = await repos().packs.create({ ref, label: ref, version: "1.0.0" });
    return repos().triggers.create({ ref: `${ref}.hook`, packId: pack.id, packRef: ref, label: "hook" });
  }

  it("enables a webhook and finds the trigger by key", async () => {
    const trigger = await newTrigger("hooka");
    const enabled = await repos().triggers.enableWebhook(trigger.id);
    expect((await repos().triggers.findByWebhookKey(enabled.webhookKey))?.id).toBe(trigger.id);
  });

  it("regenerates and disables", async () => {
    const trigger = await newTrigger("hookb");
    const { webhookKey } = await repos().triggers.enableWebhook(trigger.id);
    const regenerated = await repos().triggers.regenerateWebhookKey(trigger.id);
    expect(regenerated.webhookKey).not.toBe(webhookKey);
    await repos().triggers.disableWebhook(trigger.id);
    expect((await repos().triggers.getById(trigger.id)).webhookEnabled).toBe(false);
  });

  it("logs webhook calls", async () => {
    const trigger = await newTrigger("hookc");
    const { webhookKey } = await repos().triggers.enableWebhook(trigger.id);
    for (let i = 0; i < 3; i++) {
      await repos().triggers.logWebhookEvent({ triggerId: trigger.id, triggerRef: trigger.ref, webhookKey, statusCode: 200, sourceIp: "10.0.0.1" });
    }
    expect((await repos().webhookEventLogs.listByTrigger(trigger.id)).total).toBe(3);
  });

  it("rate-limits a key", async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await repos().webhookRateLimits.check("wh_benchkey", 3, 60));
    expect(results).toEqual([true, true, true, false]);
  });
}
