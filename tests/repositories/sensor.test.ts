import { ForeignKeyError, ValidationError } from "../../src/index.ts";
import { PackRepository } from "../../src/repositories/pack.ts";
import { RuntimeRepository } from "../../src/repositories/runtime.ts";
import { SensorRepository, type CreateSensorInput } from "../../src/repositories/sensor.ts";
import { TriggerRepository } from "../../src/repositories/trigger.ts";
import { testPrisma } from "../../src/testing/index.ts";

const sensors = () => new SensorRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newPack = () => new PackRepository(testPrisma()).create({ ref: unique("pk"), label: "Pack", version: "1.0.0" });
const newRuntime = () =>
  new RuntimeRepository(testPrisma()).create({ ref: `${unique("rt")}.sensor.python`, runtimeType: "sensor", name: "python", distributions: {} });
const newTrigger = () => new TriggerRepository(testPrisma()).create({ ref: `${unique("tp")}.t`, label: "T" });

/** A sensor on a fresh runtime and trigger (or the given ones). */
const newSensor = async (over: Partial<CreateSensorInput> = {}) => {
  const runtime = over.runtimeId === undefined ? await newRuntime() : undefined;
  const trigger = over.triggerId === undefined ? await newTrigger() : undefined;
  return sensors().create({
    ref: `${unique("sp")}.sensor`,
    label: "Sensor",
    description: "watches",
    entrypoint: "sensor.py",
    runtimeId: runtime?.id,
    runtimeRef: runtime?.ref ?? "given.sensor.rt",
    triggerId: trigger?.id,
    triggerRef: trigger?.ref ?? "given.t",
    enabled: true,
    ...over,
  } as CreateSensorInput);
};

describe("SensorRepository", () => {
  it("creates a sensor and finds it by id and ref", async () => {
    const pack = await newPack();
    const runtime = await newRuntime();
    const trigger = await newTrigger();
    const sensor = await newSensor({
      ref: `${pack.ref}.watch`, packId: pack.id, packRef: pack.ref, runtimeId: runtime.id, runtimeRef: runtime.ref,
      triggerId: trigger.id, triggerRef: trigger.ref, paramSchema: { type: "object" }, config: { interval: 5 },
    });
    expect(sensor).toMatchObject({
      packId: pack.id, packRef: pack.ref, label: "Sensor", description: "watches", entrypoint: "sensor.py",
      runtimeId: runtime.id, runtimeRef: runtime.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true,
      paramSchema: { type: "object" }, config: { interval: 5 },
    });
    expect(typeof sensor.id).toBe("bigint");
    expect(await sensors().findById(sensor.id)).toEqual(sensor);
    expect(await sensors().findByRef(sensor.ref)).toEqual(sensor);
    expect(await sensors().getById(sensor.id)).toEqual(sensor);
    expect(await sensors().getByRef(sensor.ref)).toEqual(sensor);
  });

  it("validates ref and required fields before the database, naming the field", async () => {
    const error = await newSensor({ ref: "nodot" }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: "ref", message: expect.stringMatching(/pack.name/) }]);
    await expect(newSensor({ ref: "Pk.S" })).rejects.toThrow(/ref: must be lower-case/);
    await expect(newSensor({ enabled: undefined })).rejects.toMatchObject({ issues: [{ field: "enabled" }] });
    await expect(newSensor({ description: undefined as never })).rejects.toMatchObject({ issues: [{ field: "description" }] });
    await expect(newSensor({ entrypoint: "" })).rejects.toMatchObject({ issues: [{ field: "entrypoint" }] });
    await expect(newSensor({ runtimeRef: "" })).rejects.toMatchObject({ issues: [{ field: "runtimeRef" }] });
    await expect(newSensor({ triggerId: 0 })).rejects.toMatchObject({ issues: [{ field: "triggerId" }] });
    const sensor = await newSensor();
    await expect(sensors().update(sensor.id, { enabled: null as never })).rejects.toMatchObject({ issues: [{ field: "enabled" }] });
  });

  it("reports an unknown runtime, trigger or pack as ForeignKeyError (missing) naming the relation", async () => {
    const runtime = await newRuntime();
    const trigger = await newTrigger();
    const noRuntime = await newSensor({ runtimeId: 987654n, triggerId: trigger.id }).catch((e) => e);
    expect(noRuntime).toBeInstanceOf(ForeignKeyError);
    expect(noRuntime).toMatchObject({ entity: "sensor", kind: "missing", relation: "sensor.runtime -> runtime", constraint: "sensor_runtime_fkey" });
    await expect(newSensor({ runtimeId: runtime.id, triggerId: 987654n })).rejects.toMatchObject({ kind: "missing", relation: "sensor.trigger -> trigger" });
    await expect(newSensor({ packId: 987654n })).rejects.toMatchObject({ kind: "missing", relation: "sensor.pack -> pack" });
  });

  it("updates only the given fields; null stores SQL NULL; the trigger moves `updated`", async () => {
    const sensor = await newSensor({ paramSchema: { a: 1 }, config: { b: 2 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await sensors().update(sensor.id, { label: "After", enabled: false, entrypoint: "new.py" });
    expect(updated).toMatchObject({ label: "After", enabled: false, entrypoint: "new.py", description: "watches", paramSchema: { a: 1 }, config: { b: 2 } });
    expect(updated.updated.getTime()).toBeGreaterThan(sensor.updated.getTime());
    expect(updated.created).toEqual(sensor.created);
    const cleared = await sensors().update(sensor.id, { paramSchema: null, config: null, description: "" });
    expect(cleared).toMatchObject({ paramSchema: null, config: null, description: "" });
    const [row] = await testPrisma().$queryRaw<Array<{ p: boolean; c: boolean }>>`
      SELECT param_schema IS NULL AS p, config IS NULL AS c FROM sensor WHERE id = ${sensor.id}`;
    expect(row).toEqual({ p: true, c: true });
    const ignored = await sensors().update(sensor.id, { ref: "x.y", triggerId: 1n, runtimeRef: "z" } as never);
    expect(ignored).toMatchObject({ ref: sensor.ref, triggerId: sensor.triggerId, runtimeRef: sensor.runtimeRef });
  });

  it("finds by trigger, by pack and enabled sensors, by ref", async () => {
    const pack = await newPack();
    const runtime = await newRuntime();
    const trigger = await newTrigger();
    const common = { runtimeId: runtime.id, runtimeRef: runtime.ref, triggerId: trigger.id, triggerRef: trigger.ref };
    const b = await newSensor({ ref: `${pack.ref}.b`, packId: pack.id, packRef: pack.ref, ...common });
    const a = await newSensor({ ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, ...common, enabled: false });
    const elsewhere = await newSensor({ runtimeId: runtime.id, runtimeRef: runtime.ref });
    expect((await sensors().findByTrigger(trigger.id)).map((s) => s.id)).toEqual([a.id, b.id]);
    expect((await sensors().findByPack(pack.id)).map((s) => s.id)).toEqual([a.id, b.id]);
    const enabled = await sensors().findEnabled();
    expect(enabled.map((s) => s.id)).toEqual(expect.arrayContaining([b.id, elsewhere.id]));
    expect(enabled.map((s) => s.id)).not.toContain(a.id);
    expect(enabled.every((s) => s.enabled)).toBe(true);
    expect(await sensors().findByTrigger(987654n)).toEqual([]);
  });

  it("delete cascades to the keys the sensor owns", async () => {
    const sensor = await newSensor();
    const key = await testPrisma().key.create({
      data: { ref: unique("k"), ownerType: "sensor", ownerSensorId: sensor.id, name: "k", encrypted: false, value: "v" },
    });
    expect(await sensors().delete(sensor.id)).toBe(true);
    expect(await sensors().findById(sensor.id)).toBeNull();
    expect(await testPrisma().key.findUnique({ where: { id: key.id } })).toBeNull();
  });

  it("refuses to delete a sensor whose events point at it, naming the relation", async () => {
    const sensor = await newSensor();
    await testPrisma().event.create({ data: { triggerId: sensor.triggerId, triggerRef: sensor.triggerRef, sourceId: sensor.id, sourceRef: sensor.ref } });
    const error = await sensors().delete(sensor.id).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ entity: "sensor", kind: "referenced", relation: "event.source -> sensor", constraint: "event_source_fkey" });
    expect(await sensors().findById(sensor.id)).not.toBeNull();
  });

  it("goes with its trigger or runtime (ON DELETE CASCADE)", async () => {
    const byTrigger = await newSensor();
    await new TriggerRepository(testPrisma()).delete(byTrigger.triggerId);
    expect(await sensors().findById(byTrigger.id)).toBeNull();
    const byRuntime = await newSensor();
    await new RuntimeRepository(testPrisma()).delete(byRuntime.runtimeId);
    expect(await sensors().findById(byRuntime.id)).toBeNull();
  });
});
