import { CheckViolationError, ForeignKeyError, ValidationError } from "../../src/index.ts";
import { mapDatabaseError } from "../../src/errors/map-database-error.ts";
import { PolicyRepository } from "../../src/repositories/policy.ts";
import { testPrisma } from "../../src/testing/index.ts";

const policies = () => new PolicyRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;

const newPack = () => testPrisma().pack.create({ data: { ref: unique("pk"), label: "Pack", version: "1.0.0" } });
const newAction = async () => {
  const pack = await newPack();
  return testPrisma().action.create({
    data: { ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, label: "a", description: "d", entrypoint: "a.py" },
  });
};
const newPolicy = async (over: Record<string, unknown> = {}) => {
  const action = await newAction();
  return policies().create({
    ref: `${action.packRef}.${unique("pol")}`,
    packId: action.packId,
    packRef: action.packRef,
    actionId: action.id,
    actionRef: action.ref,
    method: "enqueue",
    threshold: 3,
    name: "concurrency",
    ...over,
  });
};

describe("PolicyRepository", () => {
  it("creates a policy with the database defaults and finds it by id and ref", async () => {
    const policy = await newPolicy();
    expect(policy).toMatchObject({ method: "enqueue", threshold: 3, name: "concurrency", description: null, parameters: [], tags: [] });
    expect(typeof policy.id).toBe("bigint");
    expect(await policies().findById(policy.id)).toEqual(policy);
    expect(await policies().findByRef(policy.ref)).toEqual(policy);
    expect(await policies().getById(policy.id)).toEqual(policy);
    expect(await policies().getByRef(policy.ref)).toEqual(policy);
  });

  it("writes to the table `policy` (not the Rust code's `policies`)", async () => {
    const policy = await newPolicy();
    const rows = await testPrisma().$queryRaw<{ ref: string }[]>`SELECT ref FROM policy WHERE id = ${policy.id}`;
    expect(rows).toEqual([{ ref: policy.ref }]);
  });

  it("creates a policy without pack or action", async () => {
    const policy = await policies().create({ ref: unique("free.p"), method: "cancel", threshold: 1, name: "n", tags: ["t"], parameters: ["a"] });
    expect(policy).toMatchObject({ packId: null, actionId: null, packRef: null, actionRef: null, tags: ["t"], parameters: ["a"] });
  });

  it("validates ref, method and threshold before the database, naming the field", async () => {
    const base = { method: "cancel" as const, threshold: 1, name: "n" };
    await expect(policies().create({ ...base, ref: "nodot" })).rejects.toThrow(/Invalid policy: ref: must be "pack.name"/);
    const threshold = await policies().create({ ...base, ref: unique("x.p"), threshold: 0 }).catch((e) => e);
    expect(threshold).toBeInstanceOf(ValidationError);
    expect(threshold.issues).toEqual([{ field: "threshold", message: "must be greater than 0" }]);
    await expect(policies().create({ ...base, ref: unique("x.p"), threshold: 1.5 })).rejects.toThrow(/threshold/);
    const method = await policies()
      .create({ ...base, ref: unique("x.p"), method: "throttle" as never })
      .catch((e) => e);
    expect(method).toBeInstanceOf(ValidationError);
    expect(method.issues.map((i: { field: string }) => i.field)).toEqual(["method"]);
    await expect(policies().update(1n, { threshold: -1 })).rejects.toThrow(/threshold: must be greater than 0/);
  });

  it("keeps the database's CHECK on threshold as the last line", async () => {
    const error = await testPrisma()
      .policy.create({ data: { ref: unique("x.p"), method: "cancel", threshold: 0, name: "n" } })
      .catch((e) => e);
    const mapped = mapDatabaseError("policy", error);
    expect(mapped).toBeInstanceOf(CheckViolationError);
    expect(mapped).toMatchObject({ constraint: "policy_threshold_positive", rule: "policy threshold must be greater than 0" });
  });

  it("reports a missing action or pack as ForeignKeyError naming the relation", async () => {
    const base = { method: "cancel" as const, threshold: 1, name: "n" };
    const noAction = await policies().create({ ...base, ref: unique("x.p"), actionId: 987654n }).catch((e) => e);
    expect(noAction).toBeInstanceOf(ForeignKeyError);
    expect(noAction).toMatchObject({ kind: "missing", relation: "policy.action -> action", constraint: "policy_action_fkey" });
    await expect(policies().create({ ...base, ref: unique("x.p"), packId: 987654n })).rejects.toMatchObject({
      relation: "policy.pack -> pack",
    });
  });

  it("updates only the given fields; the database trigger moves `updated`", async () => {
    const policy = await newPolicy({ description: "before", tags: ["keep"] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await policies().update(policy.id, { threshold: 10, method: "cancel", parameters: ["user"] });
    expect(updated).toMatchObject({ threshold: 10, method: "cancel", parameters: ["user"], description: "before", tags: ["keep"], name: "concurrency" });
    expect(updated.updated.getTime()).toBeGreaterThan(policy.updated.getTime());
    expect(updated.created).toEqual(policy.created);
    const again = await policies().update(policy.id, { name: "renamed", description: null, tags: [] });
    expect(again).toMatchObject({ name: "renamed", description: null, tags: [], threshold: 10 });
  });

  it("finds by action and by tag, by ref", async () => {
    const action = await newAction();
    const tag = unique("tag");
    const base = { actionId: action.id, actionRef: action.ref, method: "cancel" as const, threshold: 1, name: "n" };
    const b = await policies().create({ ...base, ref: `${action.packRef}.b`, tags: [tag] });
    const a = await policies().create({ ...base, ref: `${action.packRef}.a` });
    await newPolicy({ tags: ["other", tag] });
    expect((await policies().findByAction(action.id)).map((p) => p.id)).toEqual([a.id, b.id]);
    const tagged = await policies().findByTag(tag);
    expect(tagged).toHaveLength(2);
    expect(tagged.map((p) => p.id)).toContain(b.id);
    expect(tagged.map((p) => p.ref)).toEqual(tagged.map((p) => p.ref).sort());
    expect(await policies().findByTag(unique("none"))).toEqual([]);
  });

  it("deletes a policy; deleting its action cascades to it", async () => {
    const policy = await newPolicy();
    expect(await policies().delete(policy.id)).toBe(true);
    expect(await policies().findById(policy.id)).toBeNull();
    expect(await policies().delete(policy.id)).toBe(false);

    const other = await newPolicy();
    await testPrisma().action.delete({ where: { id: other.actionId! } });
    expect(await policies().findById(other.id)).toBeNull();
  });
});
