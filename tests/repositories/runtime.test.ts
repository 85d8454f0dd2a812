import { ForeignKeyError, ValidationError } from "../../src/index.ts";
import { PackRepository } from "../../src/repositories/pack.ts";
import { RuntimeRepository, type CreateRuntimeInput } from "../../src/repositories/runtime.ts";
import { testPrisma } from "../../src/testing/index.ts";

const runtimes = () => new RuntimeRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newPack = () => new PackRepository(testPrisma()).create({ ref: unique("pk"), label: "Pack", version: "1.0.0" });
const newRuntime = (over: Partial<CreateRuntimeInput> = {}) =>
  runtimes().create({ ref: `${unique("rt")}.action.python`, runtimeType: "action", name: "python", distributions: { linux: true }, ...over });

describe("RuntimeRepository", () => {
  it("creates a runtime of a pack and finds it by id and ref", async () => {
    const pack = await newPack();
    const runtime = await newRuntime({ ref: `${pack.ref}.sensor.py`, packId: pack.id, packRef: pack.ref, runtimeType: "sensor", description: "d" });
    expect(runtime).toMatchObject({
      packId: pack.id,
      packRef: pack.ref,
      runtimeType: "sensor",
      name: "python",
      description: "d",
      distributions: { linux: true },
      installation: null,
    });
    expect(typeof runtime.id).toBe("bigint");
    expect(await runtimes().findById(runtime.id)).toEqual(runtime);
    expect(await runtimes().findById(Number(runtime.id))).toEqual(runtime);
    expect(await runtimes().findByRef(runtime.ref)).toEqual(runtime);
    expect(await runtimes().getById(runtime.id)).toEqual(runtime);
    expect(await runtimes().getByRef(runtime.ref)).toEqual(runtime);
  });

  it("validates ref, runtime type and required fields before the database, naming the field", async () => {
    const badRef = await newRuntime({ ref: "core.python" }).catch((e) => e);
    expect(badRef).toBeInstanceOf(ValidationError);
    expect(badRef.issues).toEqual([{ field: "ref", message: expect.stringMatching(/pack.action.name/) }]);
    await expect(newRuntime({ ref: "Core.action.py" })).rejects.toThrow(/ref: must be lower-case/);
    await expect(newRuntime({ runtimeType: "worker" as never })).rejects.toMatchObject({ issues: [{ field: "runtimeType" }] });
    await expect(newRuntime({ distributions: undefined as never })).rejects.toMatchObject({ issues: [{ field: "distributions" }] });
    await expect(newRuntime({ name: "" })).rejects.toMatchObject({ issues: [{ field: "name" }] });
    await expect(runtimes().update(1n, { distributions: null as never })).rejects.toMatchObject({ issues: [{ field: "distributions" }] });
  });

  it("reports an unknown pack as ForeignKeyError (missing) naming the relation", async () => {
    const error = await newRuntime({ packId: 987654n }).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "missing", relation: "runtime.pack -> pack", constraint: "runtime_pack_fkey" });
  });

  it("updates only the given fields; installation null stores SQL NULL; the trigger moves `updated`", async () => {
    const runtime = await newRuntime({ description: "before", installation: { pip: ["x"] } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await runtimes().update(runtime.id, { name: "python3", distributions: { linux: false } });
    expect(updated).toMatchObject({ name: "python3", description: "before", distributions: { linux: false }, installation: { pip: ["x"] } });
    expect(updated.ref).toBe(runtime.ref);
    expect(updated.updated.getTime()).toBeGreaterThan(runtime.updated.getTime());
    expect(updated.created).toEqual(runtime.created);

    const cleared = await runtimes().update(runtime.id, { installation: null, description: null });
    expect(cleared).toMatchObject({ installation: null, description: null, name: "python3" });
    const rows = await testPrisma().$queryRaw<Array<{ isnull: boolean }>>`SELECT installation IS NULL AS isnull FROM runtime WHERE id = ${runtime.id}`;
    expect(rows[0]?.isnull).toBe(true);
  });

  it("update ignores fields outside description, name, distributions, installation", async () => {
    const runtime = await newRuntime();
    const updated = await runtimes().update(runtime.id, { ref: "x.action.y", runtimeType: "sensor" } as never);
    expect(updated).toMatchObject({ ref: runtime.ref, runtimeType: "action" });
  });

  it("finds the runtimes of a pack by ref", async () => {
    const pack = await newPack();
    const b = await newRuntime({ ref: `${pack.ref}.sensor.b`, packId: pack.id, packRef: pack.ref });
    const a = await newRuntime({ ref: `${pack.ref}.action.a`, packId: pack.id, packRef: pack.ref });
    await newRuntime();
    expect((await runtimes().findByPack(pack.id)).map((r) => r.id)).toEqual([a.id, b.id]);
    expect(await runtimes().findByPack(987654n)).toEqual([]);
  });

  it("delete cascades to sensors", async () => {
    const prisma = testPrisma();
    const runtime = await newRuntime();
    const trigger = await prisma.trigger.create({ data: { ref: `${unique("tp")}.t`, label: "t" } });
    const sensor = await prisma.sensor.create({
      data: {
        ref: `${unique("sp")}.s`, label: "s", description: "d", entrypoint: "s.py",
        runtimeId: runtime.id, runtimeRef: runtime.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true,
      },
    });
    expect(await runtimes().delete(runtime.id)).toBe(true);
    expect(await runtimes().findById(runtime.id)).toBeNull();
    expect(await prisma.sensor.findUnique({ where: { id: sensor.id } })).toBeNull();
  });

  it("refuses to delete a runtime used by a worker or an action, naming the relation", async () => {
    const prisma = testPrisma();
    const withWorker = await newRuntime();
    await prisma.worker.create({ data: { name: "w", workerType: "local", runtimeId: withWorker.id } });
    const error = await runtimes().delete(withWorker.id).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ entity: "runtime", kind: "referenced", relation: "worker.runtime -> runtime", constraint: "worker_runtime_fkey" });
    expect(await runtimes().findById(withWorker.id)).not.toBeNull();

    const pack = await newPack();
    const withAction = await newRuntime();
    await prisma.action.create({
      data: { ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, label: "a", description: "d", entrypoint: "a.py", runtimeId: withAction.id },
    });
    await expect(runtimes().delete(withAction.id)).rejects.toMatchObject({ kind: "referenced", relation: "action.runtime -> runtime" });
  });

  it("is deleted with its pack (runtime.pack is ON DELETE CASCADE)", async () => {
    const pack = await newPack();
    const runtime = await newRuntime({ ref: `${pack.ref}.action.x`, packId: pack.id, packRef: pack.ref });
    expect(await new PackRepository(testPrisma()).delete(pack.id)).toBe(true);
    expect(await runtimes().findById(runtime.id)).toBeNull();
  });
});
