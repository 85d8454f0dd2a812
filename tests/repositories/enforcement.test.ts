import { ForeignKeyError, Prisma, ValidationError } from "../../src/index.ts";
import { EnforcementRepository } from "../../src/repositories/enforcement.ts";
import { testPrisma } from "../../src/testing/index.ts";
import { newEvent, newIdentity, newRule, newTrigger } from "./fixtures/run-time-fixtures.ts";

const enforcements = () => new EnforcementRepository(testPrisma());
const newEnforcement = (over: Record<string, unknown> = {}) =>
  enforcements().create({ ruleRef: "core.r", triggerRef: "core.t", payload: { p: 1 }, ...over });

describe("EnforcementRepository", () => {
  it("creates an enforcement with the database defaults and finds it by id", async () => {
    const { rule, trigger } = await newRule();
    const event = await newEvent({ triggerId: trigger.id, triggerRef: trigger.ref });
    const enforcement = await enforcements().create({
      ruleId: rule.id, ruleRef: rule.ref, triggerRef: trigger.ref, eventId: event.id, payload: { x: 1 },
    });
    expect(enforcement).toMatchObject({
      ruleId: rule.id, eventId: event.id, status: "created", condition: "all", conditions: [], config: null, payload: { x: 1 },
    });
    expect(await enforcements().findById(enforcement.id)).toEqual(enforcement);
    expect(await enforcements().getById(enforcement.id)).toEqual(enforcement);
  });

  it("validates input before the database, naming the field", async () => {
    const error = await enforcements()
      .create({ ruleRef: "core.r", triggerRef: "core.t", payload: null as never, status: "done" as never, condition: "some" as never })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["condition", "payload", "status"]);
    await expect(enforcements().findByStatus("nope" as never)).rejects.toThrow(/Invalid enforcement: status/);
    await expect(enforcements().update(1n, { status: "bogus" as never })).rejects.toBeInstanceOf(ValidationError);
  });

  it("reports a missing rule or event as ForeignKeyError naming the relation", async () => {
    await expect(newEnforcement({ ruleId: 987654n })).rejects.toMatchObject({
      constructor: ForeignKeyError, kind: "missing", relation: "enforcement.rule -> rule",
    });
    await expect(newEnforcement({ eventId: 987654n })).rejects.toMatchObject({ kind: "missing", relation: "enforcement.event -> event" });
  });

  it("updates only status and payload; the database trigger moves `updated`", async () => {
    const enforcement = await newEnforcement({ config: { c: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await enforcements().update(enforcement.id, { status: "processed" });
    expect(updated).toMatchObject({ status: "processed", payload: { p: 1 }, config: { c: 1 } });
    expect(updated.updated.getTime()).toBeGreaterThan(enforcement.updated.getTime());
    expect((await enforcements().update(enforcement.id, { payload: [1, 2] })).payload).toEqual([1, 2]);
  });

  it("finds by rule, status and event, newest first", async () => {
    const { rule, trigger } = await newRule();
    const event = await newEvent({ triggerId: trigger.id, triggerRef: trigger.ref });
    const first = await newEnforcement({ ruleId: rule.id, eventId: event.id, status: "disabled" });
    const second = await newEnforcement({ ruleId: rule.id, eventId: event.id });
    await newEnforcement();
    expect((await enforcements().findByRule(rule.id)).map((e) => e.id)).toEqual([second.id, first.id]);
    expect((await enforcements().findByEvent(event.id)).map((e) => e.id)).toEqual([second.id, first.id]);
    const disabled = await enforcements().findByStatus("disabled");
    expect(disabled.map((e) => e.id)).toContain(first.id);
    expect(disabled.every((e) => e.status === "disabled")).toBe(true);
  });

  it("delete is refused while executions point at the enforcement; deleting rule or event sets NULL", async () => {
    const { rule, trigger } = await newRule();
    const event = await newEvent({ triggerId: trigger.id, triggerRef: trigger.ref });
    const enforcement = await newEnforcement({ ruleId: rule.id, ruleRef: rule.ref, eventId: event.id });
    const execution = await testPrisma().execution.create({ data: { actionRef: "core.a", enforcementId: enforcement.id } });
    const error = await enforcements().delete(enforcement.id).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "referenced", relation: "execution.enforcement -> enforcement" });

    await testPrisma().event.delete({ where: { id: event.id } });
    await testPrisma().rule.delete({ where: { id: rule.id } });
    expect(await enforcements().getById(enforcement.id)).toMatchObject({ ruleId: null, eventId: null, ruleRef: rule.ref });

    await testPrisma().execution.delete({ where: { id: execution.id } });
    expect(await enforcements().delete(enforcement.id)).toBe(true);
    expect(await enforcements().findById(enforcement.id)).toBeNull();
  });

  describe("createForEvent", () => {
    it("creates the enforcement and the execution of the rule's action together", async () => {
      const { rule, action, trigger } = await newRule({ actionParams: { msg: "hi" }, conditions: [{ pattern: "x" }] });
      const event = await newEvent({ triggerId: trigger.id, triggerRef: trigger.ref, payload: { from: "event" } });
      const { enforcement, execution } = await enforcements().createForEvent({ eventId: event.id, ruleId: rule.id, payload: { p: 2 } });
      expect(enforcement).toMatchObject({
        ruleId: rule.id, ruleRef: rule.ref, triggerRef: trigger.ref, eventId: event.id, payload: { p: 2 },
        conditions: [{ pattern: "x" }], status: "created",
      });
      expect(execution).toMatchObject({
        actionId: action.id, actionRef: action.ref, enforcementId: enforcement.id, status: "requested", config: { msg: "hi" },
        parentId: null, executorId: null,
      });
      expect(await testPrisma().execution.findUnique({ where: { id: execution.id } })).toEqual(execution);
    });

    it("defaults the payload to the event's, stores SQL NULL config for a rule without action params, and takes an executor", async () => {
      const { rule, trigger } = await newRule({ actionParams: Prisma.DbNull });
      const event = await newEvent({ triggerId: trigger.id, triggerRef: trigger.ref, payload: { from: "event" } });
      const identity = await newIdentity();
      const { enforcement, execution } = await enforcements().createForEvent({
        eventId: Number(event.id), ruleId: rule.id, executorId: identity.id, status: "processed", condition: "any",
      });
      expect(enforcement).toMatchObject({ payload: { from: "event" }, status: "processed", condition: "any" });
      expect(execution).toMatchObject({ config: null, executorId: identity.id });
    });

    it("works inside the caller's transaction, and is rolled back with it", async () => {
      const { rule, trigger } = await newRule();
      const event = await newEvent({ triggerId: trigger.id, triggerRef: trigger.ref });
      const error = await testPrisma()
        .$transaction(async (tx) => {
          await new EnforcementRepository(tx).createForEvent({ eventId: event.id, ruleId: rule.id });
          throw new Error("caller aborts");
        })
        .catch((e) => e);
      expect(error.message).toBe("caller aborts");
      expect(await testPrisma().enforcement.count({ where: { eventId: event.id } })).toBe(0);
    });

    it("a missing event is a ForeignKeyError and nothing is written", async () => {
      const { rule } = await newRule();
      const before = await testPrisma().execution.count();
      const error = await enforcements().createForEvent({ eventId: 987654n, ruleId: rule.id }).catch((e) => e);
      expect(error).toBeInstanceOf(ForeignKeyError);
      expect(error).toMatchObject({ entity: "enforcement", kind: "missing", relation: "enforcement.event -> event" });
      expect(await enforcements().findByRule(rule.id)).toEqual([]);
      expect(await testPrisma().execution.count()).toBe(before);
    });

    it("a missing rule is a ForeignKeyError", async () => {
      const trigger = await newTrigger();
      const event = await newEvent({ triggerId: trigger.id, triggerRef: trigger.ref });
      await expect(enforcements().createForEvent({ eventId: event.id, ruleId: 987654n })).rejects.toMatchObject({
        kind: "missing", relation: "enforcement.rule -> rule",
      });
      expect(await enforcements().findByEvent(event.id)).toEqual([]);
    });

    it("when the execution cannot be written, the enforcement already inserted is rolled back", async () => {
      const { rule, trigger } = await newRule();
      const event = await newEvent({ triggerId: trigger.id, triggerRef: trigger.ref });
      const error = await enforcements().createForEvent({ eventId: event.id, ruleId: rule.id, executorId: 987654n }).catch((e) => e);
      expect(error).toBeInstanceOf(ForeignKeyError);
      expect(error).toMatchObject({ entity: "execution", kind: "missing", relation: "execution.executor -> identity" });
      expect(await enforcements().findByEvent(event.id)).toEqual([]);
      expect(await enforcements().findByRule(rule.id)).toEqual([]);
    });

    it("validates its input", async () => {
      const error = await enforcements().createForEvent({ eventId: "x" as never, ruleId: 0 }).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["eventId", "ruleId"]);
    });
  });
});
