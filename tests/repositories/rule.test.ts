import { ForeignKeyError, ValidationError } from "../../src/index.ts";
import { mapDatabaseError } from "../../src/errors/map-database-error.ts";
import { RuleRepository } from "../../src/repositories/rule.ts";
import { testPrisma } from "../../src/testing/index.ts";

const rules = () => new RuleRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;

/** A pack with one action and one trigger. */
const newParents = async () => {
  const prisma = testPrisma();
  const pack = await prisma.pack.create({ data: { ref: unique("pk"), label: "Pack", version: "1.0.0" } });
  const action = await prisma.action.create({
    data: { ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, label: "a", description: "d", entrypoint: "a.py" },
  });
  const trigger = await prisma.trigger.create({ data: { ref: `${pack.ref}.t`, packId: pack.id, packRef: pack.ref, label: "t" } });
  return { pack, action, trigger };
};
type Parents = Awaited<ReturnType<typeof newParents>>;
const ruleInput = ({ pack, action, trigger }: Parents, over: Record<string, unknown> = {}) => ({
  ref: `${pack.ref}.${unique("r")}`,
  packId: pack.id,
  packRef: pack.ref,
  label: "Rule",
  description: "when t then a",
  actionId: action.id,
  actionRef: action.ref,
  triggerId: trigger.id,
  triggerRef: trigger.ref,
  enabled: true,
  ...over,
});
const newRule = async (over: Record<string, unknown> = {}) => rules().create(ruleInput(await newParents(), over));

describe("RuleRepository", () => {
  it("creates a rule with the database defaults and finds it by id and ref", async () => {
    const rule = await newRule();
    expect(rule).toMatchObject({ label: "Rule", enabled: true, conditions: [], actionParams: {}, triggerParams: {} });
    expect(typeof rule.id).toBe("bigint");
    expect(await rules().findById(rule.id)).toEqual(rule);
    expect(await rules().findByRef(rule.ref)).toEqual(rule);
    expect(await rules().getById(rule.id)).toEqual(rule);
    expect(await rules().getByRef(rule.ref)).toEqual(rule);
  });

  it("stores given JSON, and null params as SQL NULL", async () => {
    const conditions = [{ operator: "equals", field: "payload.x", value: 1 }];
    const rule = await newRule({ conditions, actionParams: { msg: "{{ payload.x }}" }, triggerParams: null, enabled: false });
    expect(rule).toMatchObject({ conditions, actionParams: { msg: "{{ payload.x }}" }, triggerParams: null, enabled: false });
    const rows = await testPrisma().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM rule WHERE id = ${rule.id} AND trigger_params IS NULL`;
    expect(rows[0]!.n).toBe(1n);
  });

  it("requires `enabled` (no database default) and validates the ref, naming the fields", async () => {
    const parents = await newParents();
    const { enabled: _omit, ...withoutEnabled } = ruleInput(parents);
    const error = await rules().create(withoutEnabled as never).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field)).toEqual(["enabled"]);
    await expect(rules().create(ruleInput(parents, { ref: "a.b.c" }))).rejects.toThrow(/Invalid rule: ref: must be "pack.name"/);
    await expect(rules().create(ruleInput(parents, { conditions: null }))).rejects.toThrow(/conditions/);
    await expect(rules().update(1n, { enabled: "yes" as never })).rejects.toThrow(/enabled/);
  });

  it("keeps the database's CHECKs and NOT NULL as the last line", async () => {
    const parents = await newParents();
    const error = await testPrisma()
      .rule.create({ data: { ...ruleInput(parents), ref: "UP.per" } })
      .catch((e) => e);
    expect(mapDatabaseError("rule", error)).toMatchObject({ constraint: "rule_ref_lowercase" });
  });

  it("reports a missing action, trigger or pack as ForeignKeyError naming the relation", async () => {
    const parents = await newParents();
    const noAction = await rules().create(ruleInput(parents, { actionId: 987654n })).catch((e) => e);
    expect(noAction).toBeInstanceOf(ForeignKeyError);
    expect(noAction).toMatchObject({ kind: "missing", relation: "rule.action -> action", constraint: "rule_action_fkey" });
    await expect(rules().create(ruleInput(parents, { triggerId: 987654n }))).rejects.toMatchObject({ relation: "rule.trigger -> trigger" });
    await expect(rules().create(ruleInput(parents, { packId: 987654n }))).rejects.toMatchObject({ relation: "rule.pack -> pack" });
  });

  it("updates only the given fields; the database trigger moves `updated`", async () => {
    const rule = await newRule({ actionParams: { a: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await rules().update(rule.id, { enabled: false, conditions: [{ x: 1 }], label: "After" });
    expect(updated).toMatchObject({ enabled: false, conditions: [{ x: 1 }], label: "After", description: rule.description, actionParams: { a: 1 } });
    expect(updated.updated.getTime()).toBeGreaterThan(rule.updated.getTime());
    expect(updated.created).toEqual(rule.created);
    const again = await rules().update(rule.id, { description: "new", actionParams: null, triggerParams: { t: true } });
    expect(again).toMatchObject({ description: "new", actionParams: null, triggerParams: { t: true }, enabled: false, label: "After" });
  });

  it("finds by pack, action and trigger, and enabled rules, by ref", async () => {
    const parents = await newParents();
    const other = await newParents();
    const prefix = parents.pack.ref;
    const b = await rules().create(ruleInput(parents, { ref: `${prefix}.b` }));
    const a = await rules().create(ruleInput(parents, { ref: `${prefix}.a`, enabled: false }));
    const crossed = await rules().create(ruleInput(other, { ref: `${prefix}.c`, packId: parents.pack.id, triggerId: parents.trigger.id }));
    expect((await rules().findByPack(parents.pack.id)).map((r) => r.id)).toEqual([a.id, b.id, crossed.id]);
    expect((await rules().findByAction(parents.action.id)).map((r) => r.id)).toEqual([a.id, b.id]);
    expect((await rules().findByAction(other.action.id)).map((r) => r.id)).toEqual([crossed.id]);
    expect((await rules().findByTrigger(parents.trigger.id)).map((r) => r.id)).toEqual([a.id, b.id, crossed.id]);
    const enabled = await rules().findEnabled();
    expect(enabled.map((r) => r.id)).toEqual(expect.arrayContaining([b.id, crossed.id]));
    expect(enabled.map((r) => r.id)).not.toContain(a.id);
    expect(enabled.every((r) => r.enabled)).toBe(true);
    expect(enabled.map((r) => r.ref)).toEqual(enabled.map((r) => r.ref).sort());
  });

  it("deletes a rule; its enforcements keep their row with rule set to NULL", async () => {
    const rule = await newRule();
    const enforcement = await testPrisma().enforcement.create({
      data: { ruleId: rule.id, ruleRef: rule.ref, triggerRef: rule.triggerRef, payload: {} },
    });
    expect(await rules().delete(rule.id)).toBe(true);
    expect(await rules().findById(rule.id)).toBeNull();
    expect(await testPrisma().enforcement.findUniqueOrThrow({ where: { id: enforcement.id } })).toMatchObject({ ruleId: null, ruleRef: rule.ref });
  });

  it("makes the rule's action and trigger undeletable while it exists", async () => {
    const rule = await newRule();
    const error = await testPrisma().action.delete({ where: { id: rule.actionId } }).catch((e) => e);
    expect(mapDatabaseError("action", error)).toMatchObject({ kind: "referenced", relation: "rule.action -> action" });
  });
});
