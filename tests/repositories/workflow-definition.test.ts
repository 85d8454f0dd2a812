import { ForeignKeyError, ValidationError } from "../../src/index.ts";
import { WorkflowDefinitionRepository } from "../../src/repositories/workflow-definition.ts";
import { testPrisma } from "../../src/testing/index.ts";

const workflows = () => new WorkflowDefinitionRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newPack = () => testPrisma().pack.create({ data: { ref: unique("pk"), label: "P", version: "1.0.0" } });
const definition = { tasks: [{ name: "t1", action: "core.echo" }] };
async function newWorkflow(over: Record<string, unknown> = {}) {
  const pack = await newPack();
  return workflows().create({ ref: `${pack.ref}.${unique("wf")}`, packId: pack.id, packRef: pack.ref, label: "W", version: "1.0.0", definition, ...over });
}
const ids = (rows: { id: bigint }[]) => rows.map((r) => r.id);

describe("WorkflowDefinitionRepository", () => {
  it("creates a workflow definition with the database defaults and finds it by id and ref", async () => {
    const wf = await newWorkflow({ description: "demo" });
    expect(wf).toMatchObject({ label: "W", description: "demo", version: "1.0.0", definition, tags: [], enabled: true, paramSchema: null, outSchema: null });
    expect(typeof wf.id).toBe("bigint");
    expect(await workflows().findById(wf.id)).toEqual(wf);
    expect(await workflows().getById(wf.id)).toEqual(wf);
    expect(await workflows().findByRef(wf.ref)).toEqual(wf);
    expect(await workflows().getByRef(wf.ref)).toEqual(wf);
  });

  it("validates lengths and the definition before the database, naming the field", async () => {
    const pack = await newPack();
    const error = await workflows()
      .create({ ref: "x".repeat(256), packId: pack.id, packRef: pack.ref, label: "", version: "1".repeat(51) } as never)
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["definition", "label", "ref", "version"]);
    // 255 and 50 characters are fine (varchar(255), varchar(50)); the database does not check the ref format
    const long = await workflows().create({ ref: "R".repeat(255), packId: pack.id, packRef: pack.ref, label: "L", version: "v".repeat(50), definition });
    expect(long.ref).toHaveLength(255);
    await expect(newWorkflow({ tags: "a" })).rejects.toThrow(/tags/);
    await expect(newWorkflow({ packId: -1 })).rejects.toThrow(/packId/);
    await expect(workflows().update(long.id, { version: "" })).rejects.toThrow(/Invalid workflow_definition: version/);
  });

  it("reports a missing pack as ForeignKeyError naming the relation", async () => {
    const error = await newWorkflow({ packId: 987654n }).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "missing", relation: "workflow_definition.pack -> pack", constraint: "workflow_definition_pack_fkey" });
  });

  it("updates only the given fields; null schemas store SQL NULL; the database trigger moves `updated`", async () => {
    const wf = await newWorkflow({ description: "keep", paramSchema: { type: "object" }, outSchema: { type: "object" }, tags: ["a"] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await workflows().update(wf.id, { label: "After", version: "2.0.0", tags: ["b", "c"], enabled: false, paramSchema: null });
    expect(updated).toMatchObject({ ref: wf.ref, label: "After", description: "keep", version: "2.0.0", tags: ["b", "c"], enabled: false, paramSchema: null, outSchema: { type: "object" }, definition });
    expect(updated.updated.getTime()).toBeGreaterThan(wf.updated.getTime());
    const [row] = await testPrisma().$queryRaw<{ isNull: boolean }[]>`SELECT param_schema IS NULL AS "isNull" FROM workflow_definition WHERE id = ${wf.id}`;
    expect(row?.isNull).toBe(true);
    const redefined = await workflows().update(wf.id, { definition: { tasks: [] }, description: null, outSchema: null });
    expect(redefined).toMatchObject({ definition: { tasks: [] }, description: null, outSchema: null, label: "After" });
  });

  it("finds by pack, by pack ref, enabled and by tag, and counts by pack ref", async () => {
    const pack = await newPack();
    const make = (name: string, over: Record<string, unknown> = {}) =>
      workflows().create({ ref: `${pack.ref}.${name}`, packId: pack.id, packRef: pack.ref, label: name, version: "1", definition, ...over });
    const tag = unique("tag");
    const b = await make("b", { tags: [tag, "x"] });
    const a = await make("a", { enabled: false });
    const other = await newWorkflow({ tags: [tag] });
    expect(ids(await workflows().findByPack(pack.id))).toEqual([a.id, b.id]);
    expect(ids(await workflows().findByPackRef(pack.ref))).toEqual([a.id, b.id]);
    expect(await workflows().findByPack(987654n)).toEqual([]);
    expect(await workflows().countByPack(pack.ref)).toBe(2);
    expect(await workflows().countByPack("no-such-pack")).toBe(0);
    const enabled = ids(await workflows().findEnabled());
    expect(enabled).toEqual(expect.arrayContaining([b.id, other.id]));
    expect(enabled).not.toContain(a.id);
    expect(new Set(ids(await workflows().findByTag(tag)))).toEqual(new Set([b.id, other.id]));
    const tagged = await workflows().findByTag(tag);
    expect(tagged.map((w) => w.ref)).toEqual([...tagged.map((w) => w.ref)].sort((x, y) => (x < y ? -1 : 1)));
  });

  it("reads a NULL tags array (written by other code) back as [], which findByTag does not match", async () => {
    const wf = await newWorkflow({ tags: ["t"] });
    await testPrisma().$executeRaw`UPDATE workflow_definition SET tags = NULL WHERE id = ${wf.id}`;
    expect((await workflows().getById(wf.id)).tags).toEqual([]);
    expect(ids(await workflows().findByTag("t"))).not.toContain(wf.id);
  });

  it("refuses to delete a definition that workflow executions reference, naming the relation", async () => {
    const prisma = testPrisma();
    const wf = await newWorkflow();
    const execution = await prisma.execution.create({ data: { actionRef: "core.wf" } });
    const run = await prisma.workflowExecution.create({ data: { executionId: execution.id, workflowDefId: wf.id, taskGraph: {} } });
    const error = await workflows().delete(wf.id).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({
      entity: "workflow_definition",
      kind: "referenced",
      relation: "workflow_execution.workflow_def -> workflow_definition",
      constraint: "workflow_execution_workflow_def_fkey",
    });
    expect(await workflows().findById(wf.id)).not.toBeNull();
    await prisma.workflowExecution.delete({ where: { id: run.id } });
    expect(await workflows().delete(wf.id)).toBe(true);
  });

  it("delete cascades to the actions linked to the definition", async () => {
    const prisma = testPrisma();
    const wf = await newWorkflow();
    const action = await prisma.action.create({
      data: { ref: `${wf.packRef}.run`, packId: wf.packId, packRef: wf.packRef, label: "a", description: "d", entrypoint: "wf.yaml", isWorkflow: true, workflowDefId: wf.id },
    });
    expect(await workflows().delete(wf.id)).toBe(true);
    expect(await workflows().findById(wf.id)).toBeNull();
    expect(await prisma.action.findUnique({ where: { id: action.id } })).toBeNull();
    expect(await workflows().delete(wf.id)).toBe(false);
  });
});
