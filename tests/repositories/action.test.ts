import { ForeignKeyError, ValidationError } from "../../src/index.ts";
import { mapDatabaseError } from "../../src/errors/map-database-error.ts";
import { ActionRepository } from "../../src/repositories/action.ts";
import { PackRepository } from "../../src/repositories/pack.ts";
import { testPrisma } from "../../src/testing/index.ts";

const actions = () => new ActionRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;

const newPack = () => new PackRepository(testPrisma()).create({ ref: unique("pk"), label: "Pack", version: "1.0.0" });
const newRuntime = (pack: { id: bigint; ref: string }) =>
  testPrisma().runtime.create({
    data: { ref: `${pack.ref}.action.${unique("py")}`, packId: pack.id, packRef: pack.ref, runtimeType: "action", name: "py", distributions: {} },
  });
const newWorkflowDef = (pack: { id: bigint; ref: string }) =>
  testPrisma().workflowDefinition.create({
    data: { ref: `${pack.ref}.${unique("wf")}`, packId: pack.id, packRef: pack.ref, label: "wf", version: "1.0.0", definition: { tasks: [] } },
  });
const newAction = async (over: Record<string, unknown> = {}) => {
  const pack = await newPack();
  return actions().create({
    ref: `${pack.ref}.${unique("a")}`,
    packId: pack.id,
    packRef: pack.ref,
    label: "Action",
    description: "does things",
    entrypoint: "main.py",
    ...over,
  });
};

describe("ActionRepository", () => {
  it("creates an action with the database defaults and finds it by id and ref", async () => {
    const action = await newAction({ paramSchema: { type: "object" } });
    expect(action).toMatchObject({
      label: "Action",
      description: "does things",
      entrypoint: "main.py",
      runtimeId: null,
      paramSchema: { type: "object" },
      outSchema: null,
      isWorkflow: false,
      workflowDefId: null,
    });
    expect(typeof action.id).toBe("bigint");
    expect(await actions().findById(action.id)).toEqual(action);
    expect(await actions().findByRef(action.ref)).toEqual(action);
    expect(await actions().getById(Number(action.id))).toEqual(action);
    expect(await actions().getByRef(action.ref)).toEqual(action);
  });

  it("stores a null JSON schema as SQL NULL", async () => {
    const action = await newAction({ paramSchema: null, outSchema: { type: "string" } });
    const rows = await testPrisma().$queryRaw<{ nulls: bigint }[]>`
      SELECT count(*) AS nulls FROM action WHERE id = ${action.id} AND param_schema IS NULL`;
    expect(rows[0]!.nulls).toBe(1n);
  });

  it("a missing action is a NotFoundError from linkWorkflowDef", async () => {
    const def = await newWorkflowDef(await newPack());
    await expect(actions().linkWorkflowDef(987654n, def.id)).rejects.toMatchObject({ entity: "action", key: { id: 987654n } });
  });

  it("validates the ref as pack.name and the other fields before the database, naming the field", async () => {
    const pack = await newPack();
    const base = { packId: pack.id, packRef: pack.ref, label: "L", description: "", entrypoint: "x.py" };
    await expect(actions().create({ ...base, ref: "nodot" })).rejects.toThrow(/Invalid action: ref: must be "pack.name"/);
    await expect(actions().create({ ...base, ref: "a.b.c" })).rejects.toThrow(/ref: must be "pack.name"/);
    const upper = await actions().create({ ...base, ref: "Pk.Name" }).catch((e) => e);
    expect(upper).toBeInstanceOf(ValidationError);
    expect(upper.issues).toEqual([{ field: "ref", message: "must be lower-case" }]);
    const error = await actions().create({ ...base, ref: `${pack.ref}.ok`, label: "", packId: -1 }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["label", "packId"]);
    await expect(actions().update(1n, { entrypoint: "" })).rejects.toThrow(/entrypoint/);
  });

  it("keeps the database's CHECKs as the last line (action_ref_format)", async () => {
    const pack = await newPack();
    const error = await testPrisma()
      .action.create({ data: { ref: "nodot", packId: pack.id, packRef: pack.ref, label: "l", description: "d", entrypoint: "e" } })
      .catch((e) => e);
    expect(mapDatabaseError("action", error)).toMatchObject({ constraint: "action_ref_format", rule: expect.stringMatching(/pack\.name/) });
  });

  it("reports a missing pack or runtime as ForeignKeyError naming the relation", async () => {
    const pack = await newPack();
    const base = { label: "L", description: "", entrypoint: "x.py" };
    const noPack = await actions().create({ ...base, ref: unique("np.a"), packId: 987654n, packRef: "np" }).catch((e) => e);
    expect(noPack).toBeInstanceOf(ForeignKeyError);
    expect(noPack).toMatchObject({ kind: "missing", relation: "action.pack -> pack", constraint: "action_pack_fkey" });
    const noRuntime = await actions()
      .create({ ...base, ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, runtimeId: 987654n })
      .catch((e) => e);
    expect(noRuntime).toMatchObject({ kind: "missing", relation: "action.runtime -> runtime" });
  });

  it("updates only the given fields; the database trigger moves `updated`", async () => {
    const action = await newAction({ paramSchema: { type: "object" } });
    const pack = await testPrisma().pack.findUniqueOrThrow({ where: { id: action.packId } });
    const runtime = await newRuntime(pack);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await actions().update(action.id, { label: "After", runtimeId: runtime.id, outSchema: { type: "array" } });
    expect(updated).toMatchObject({
      label: "After",
      description: "does things",
      entrypoint: "main.py",
      runtimeId: runtime.id,
      paramSchema: { type: "object" },
      outSchema: { type: "array" },
      ref: action.ref,
    });
    expect(updated.updated.getTime()).toBeGreaterThan(action.updated.getTime());
    expect(updated.created).toEqual(action.created);
    const cleared = await actions().update(action.id, { runtimeId: null, paramSchema: null, description: "new", entrypoint: "b.py" });
    expect(cleared).toMatchObject({ runtimeId: null, paramSchema: null, description: "new", entrypoint: "b.py", outSchema: { type: "array" } });
  });

  it("finds by pack and by runtime, by ref", async () => {
    const pack = await newPack();
    const runtime = await newRuntime(pack);
    const base = { packId: pack.id, packRef: pack.ref, label: "L", description: "", entrypoint: "e" };
    const b = await actions().create({ ...base, ref: `${pack.ref}.b`, runtimeId: runtime.id });
    const a = await actions().create({ ...base, ref: `${pack.ref}.a`, runtimeId: runtime.id });
    const c = await actions().create({ ...base, ref: `${pack.ref}.c` });
    await newAction();
    expect((await actions().findByPack(pack.id)).map((x) => x.id)).toEqual([a.id, b.id, c.id]);
    expect((await actions().findByRuntime(runtime.id)).map((x) => x.id)).toEqual([a.id, b.id]);
    expect(await actions().findByPack(987654n)).toEqual([]);
  });

  it("searches ref, label and description case-insensitively, paginated", async () => {
    const needle = unique("needle");
    const byLabel = await newAction({ label: `A ${needle.toUpperCase()} label` });
    const byDescription = await newAction({ description: `mentions ${needle} here` });
    await newAction({ label: "unrelated" });
    const found = await actions().search(needle);
    expect(found.items.map((a) => a.id).sort()).toEqual([byLabel.id, byDescription.id].sort());
    expect(found.total).toBe(2);
    const byRef = await actions().search(byLabel.ref.toUpperCase());
    expect(byRef.items.map((a) => a.id)).toEqual([byLabel.id]);
    const paged = await actions().search(needle, { perPage: 1, page: 1 });
    expect(paged).toMatchObject({ total: 2, page: 1, perPage: 1 });
    expect(paged.items).toHaveLength(1);
  });

  it("links an action to a workflow definition and finds workflows and actions by definition", async () => {
    const action = await newAction();
    const pack = await testPrisma().pack.findUniqueOrThrow({ where: { id: action.packId } });
    const def = await newWorkflowDef(pack);
    expect(await actions().findByWorkflowDef(def.id)).toEqual([]);
    const linked = await actions().linkWorkflowDef(action.id, def.id);
    expect(linked).toMatchObject({ id: action.id, isWorkflow: true, workflowDefId: def.id, label: action.label });
    expect((await actions().findByWorkflowDef(def.id)).map((a) => a.id)).toEqual([action.id]);
    const workflows = await actions().findWorkflows();
    expect(workflows.map((a) => a.id)).toContain(action.id);
    expect(workflows.every((a) => a.isWorkflow)).toBe(true);
    const refs = workflows.map((a) => a.ref);
    expect(refs).toEqual([...refs].sort());
  });

  it("refuses to link to a missing workflow definition, naming the relation", async () => {
    const action = await newAction();
    const error = await actions().linkWorkflowDef(action.id, 987654n).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "missing", relation: "action.workflow_def -> workflow_definition" });
    expect((await actions().getById(action.id)).isWorkflow).toBe(false);
    await expect(actions().linkWorkflowDef(action.id, 0)).rejects.toThrow(/workflowDefId: must be a positive id/);
  });

  it("delete cascades to policies, queue stats and owned keys", async () => {
    const prisma = testPrisma();
    const action = await newAction();
    await prisma.policy.create({ data: { ref: unique("p.p"), actionId: action.id, method: "cancel", threshold: 1, name: "p" } });
    await prisma.queueStats.create({ data: { actionId: action.id } });
    await prisma.key.create({
      data: { ref: unique("k"), ownerType: "action", ownerActionId: action.id, name: "k", encrypted: false, value: "v" },
    });
    expect(await actions().delete(action.id)).toBe(true);
    expect(await actions().findById(action.id)).toBeNull();
    expect(await prisma.policy.count({ where: { actionId: action.id } })).toBe(0);
    expect(await prisma.queueStats.count({ where: { actionId: action.id } })).toBe(0);
    expect(await prisma.key.count({ where: { ownerActionId: action.id } })).toBe(0);
  });

  it("refuses to delete an action that has executions or rules, naming the relation", async () => {
    const prisma = testPrisma();
    const withExecution = await newAction();
    await prisma.execution.create({ data: { actionId: withExecution.id, actionRef: withExecution.ref } });
    const error = await actions().delete(withExecution.id).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ entity: "action", kind: "referenced", relation: "execution.action -> action" });
    expect(await actions().findById(withExecution.id)).not.toBeNull();

    const withRule = await newAction();
    const trigger = await prisma.trigger.create({ data: { ref: unique("t.t"), label: "t" } });
    await prisma.rule.create({
      data: {
        ref: unique("r.r"), packId: withRule.packId, packRef: withRule.packRef, label: "r", description: "",
        actionId: withRule.id, actionRef: withRule.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true,
      },
    });
    await expect(actions().delete(withRule.id)).rejects.toMatchObject({ kind: "referenced", relation: "rule.action -> action" });
  });
});
