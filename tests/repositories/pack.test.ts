import { CheckViolationError, ForeignKeyError, ValidationError } from "../../src/index.ts";
import { createRepositories } from "../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../src/testing/index.ts";

const repos = () => createRepositories(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newPack = (over: Record<string, unknown> = {}) =>
  repos().packs.create({ ref: unique("pk"), label: "Pack", version: "1.0.0", ...over });

describe("PackRepository", () => {
  it("creates a pack with the database defaults and finds it by id and ref", async () => {
    const pack = await newPack({ description: "demo", tags: ["a", "b"] });
    expect(pack).toMatchObject({ label: "Pack", description: "demo", tags: ["a", "b"], runtimeDeps: [], isStandard: false, config: {} });
    expect(typeof pack.id).toBe("bigint");
    expect(await repos().packs.findById(pack.id)).toEqual(pack);
    expect(await repos().packs.findByRef(pack.ref)).toEqual(pack);
    expect(await repos().packs.getByRef(pack.ref)).toEqual(pack);
    expect(await repos().packs.existsByRef(pack.ref)).toBe(true);
  });

  it("existsByRef answers false for a missing ref", async () => {
    expect(await repos().packs.existsByRef("nope")).toBe(false);
  });

  it("validates refs and versions before the database, naming the field", async () => {
    await expect(repos().packs.create({ ref: "Bad.Ref", label: "x", version: "1.0.0" })).rejects.toThrow(
      /Invalid pack: ref: must start with a lower-case letter/,
    );
    const error = await repos().packs.create({ ref: "okref", label: "x", version: "1.0" }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: "version", message: expect.stringMatching(/semantic version/) }]);
  });

  it("keeps the database's CHECKs as the last line, as CheckViolationError naming the rule", async () => {
    const error = await testPrisma()
      .pack.create({ data: { ref: "x.y", label: "x", version: "1.0.0" } })
      .catch((e) => e);
    const { mapDatabaseError } = await import("../../src/errors/map-database-error.ts");
    const mapped = mapDatabaseError("pack", error);
    expect(mapped).toBeInstanceOf(CheckViolationError);
    expect(mapped).toMatchObject({ constraint: "pack_ref_format" });
    expect((mapped as Error).message).toMatch(/pack ref must start with a letter/);
  });

  it("updates only the given fields; the database trigger moves `updated`", async () => {
    const pack = await newPack({ description: "before", tags: ["keep"] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await repos().packs.update(pack.id, { label: "After", config: { a: 1 } });
    expect(updated).toMatchObject({ label: "After", description: "before", tags: ["keep"], config: { a: 1 } });
    expect(updated.updated.getTime()).toBeGreaterThan(pack.updated.getTime());
    expect(updated.created).toEqual(pack.created);
  });

  it("finds by tag, standard packs, and searches ref/label/description case-insensitively", async () => {
    const tag = unique("tag");
    const needle = unique("needle");
    const tagged = await newPack({ tags: [tag, "other"], isStandard: true, description: `Has ${needle.toUpperCase()} inside` });
    await newPack({ tags: ["other"] });
    expect((await repos().packs.findByTag(tag)).map((p) => p.id)).toEqual([tagged.id]);
    expect((await repos().packs.findStandard()).map((p) => p.id)).toContain(tagged.id);
    const found = await repos().packs.search(needle);
    expect(found.items.map((p) => p.id)).toEqual([tagged.id]);
    expect(found.total).toBe(1);
  });

  it("delete cascades to everything the foreign keys cascade", async () => {
    const prisma = testPrisma();
    const pack = await newPack();
    const runtime = await prisma.runtime.create({
      data: { ref: `${pack.ref}.action.py`, packId: pack.id, packRef: pack.ref, runtimeType: "action", name: "py", distributions: {} },
    });
    const trigger = await prisma.trigger.create({ data: { ref: `${pack.ref}.t`, packId: pack.id, packRef: pack.ref, label: "t" } });
    const action = await prisma.action.create({
      data: { ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, label: "a", description: "d", entrypoint: "a.py", runtimeId: runtime.id },
    });
    await prisma.sensor.create({
      data: {
        ref: `${pack.ref}.s`, packId: pack.id, packRef: pack.ref, label: "s", description: "d", entrypoint: "s.py",
        runtimeId: runtime.id, runtimeRef: runtime.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true,
      },
    });
    await prisma.policy.create({
      data: { ref: `${pack.ref}.p`, packId: pack.id, packRef: pack.ref, actionId: action.id, method: "cancel", threshold: 1, name: "p" },
    });
    await prisma.queueStats.create({ data: { actionId: action.id } });
    await prisma.packInstallation.create({ data: { packId: pack.id, sourceType: "git", storagePath: "/packs/x" } });

    expect(await repos().packs.delete(pack.id)).toBe(true);
    for (const model of ["runtime", "trigger", "action", "sensor", "policy", "packInstallation"] as const) {
      expect(await (prisma[model] as { count(a: object): Promise<number> }).count({ where: { packId: pack.id } })).toBe(0);
    }
    expect(await prisma.queueStats.count({ where: { actionId: action.id } })).toBe(0);
  });

  it("refuses to delete a pack whose action has executions, naming the relation, and deletes nothing", async () => {
    const prisma = testPrisma();
    const pack = await newPack();
    const action = await prisma.action.create({
      data: { ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, label: "a", description: "d", entrypoint: "a.py" },
    });
    await prisma.execution.create({ data: { actionId: action.id, actionRef: action.ref } });
    const error = await repos().packs.delete(pack.id).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "referenced", relation: "execution.action -> action", constraint: "execution_action_fkey" });
    expect(error.message).toBe("pack is still referenced by other rows (execution.action -> action) and cannot be deleted");
    expect(await repos().packs.findById(pack.id)).not.toBeNull();
    expect(await prisma.action.count({ where: { packId: pack.id } })).toBe(1);
  });

  it("refuses to delete a pack that owns keys (key.owner_pack has no ON DELETE action)", async () => {
    const pack = await newPack();
    await testPrisma().key.create({ data: { ref: unique("k"), ownerType: "pack", ownerPackId: pack.id, name: "k", encrypted: false, value: "v" } });
    await expect(repos().packs.delete(pack.id)).rejects.toMatchObject({ relation: "key.owner_pack -> pack" });
  });
});
