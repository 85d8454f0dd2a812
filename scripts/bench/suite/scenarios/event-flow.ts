import { createRepositories } from "../../../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../../../src/testing/index.ts";

/** A trigger fires: event -> enforcement -> execution, through the repositories. */
export function scenario(): void {
  const repos = () => createRepositories(testPrisma());

  async function installPack(ref: string) {
    const r = repos();
    const pack = await r.packs.create({ ref, label: ref, version: "1.0.0" });
    const trigger = await r.triggers.create({ ref: `${ref}.push`, packId: pack.id, packRef: ref, label: "push" });
    const action = await r.actions.create({ ref: `${ref}.run`, packId: pack.id, packRef: ref, label: "run", description: "", entrypoint: "run.sh" });
    const rule = await r.rules.create({
      ref: `${ref}.on_push`, packId: pack.id, packRef: ref, label: "on push", description: "",
      actionId: action.id, actionRef: action.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true, actionParams: { n: 1 },
    });
    return { pack, trigger, action, rule };
  }

  it("creates an enforcement and its execution for an event", async () => {
    const { trigger, rule } = await installPack("flowa");
    const event = await repos().events.create({ triggerId: trigger.id, triggerRef: trigger.ref, payload: { x: 1 } });
    const { enforcement, execution } = await repos().enforcements.createForEvent({ eventId: event.id, ruleId: rule.id });
    expect(enforcement.eventId).toBe(event.id);
    expect(execution.status).toBe("requested");
    expect((await repos().executions.findByEnforcement(enforcement.id)).map((e) => e.id)).toEqual([execution.id]);
  });

  it("lists events by trigger, newest first", async () => {
    const { trigger } = await installPack("flowb");
    for (let i = 0; i < 5; i++) await repos().events.create({ triggerId: trigger.id, triggerRef: trigger.ref, payload: { i } });
    const events = await repos().events.findByTrigger(trigger.id);
    expect(events).toHaveLength(5);
  });

  it("marks enforcements processed", async () => {
    const { trigger, rule } = await installPack("flowc");
    const event = await repos().events.create({ triggerId: trigger.id, triggerRef: trigger.ref });
    const { enforcement } = await repos().enforcements.createForEvent({ eventId: event.id, ruleId: rule.id });
    await repos().enforcements.update(enforcement.id, { status: "processed" });
    expect((await repos().enforcements.findByStatus("processed")).map((e) => e.id)).toContain(enforcement.id);
  });

  it("refuses to delete an action that has executions", async () => {
    const { trigger, rule, action } = await installPack("flowd");
    const event = await repos().events.create({ triggerId: trigger.id, triggerRef: trigger.ref });
    await repos().enforcements.createForEvent({ eventId: event.id, ruleId: rule.id });
    await expect(repos().actions.delete(action.id)).rejects.toMatchObject({ name: "ForeignKeyError" });
  });
}
