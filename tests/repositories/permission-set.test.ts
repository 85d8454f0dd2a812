import { CheckViolationError, ForeignKeyError, ValidationError } from "../../src/index.ts";
import { mapDatabaseError } from "../../src/errors/map-database-error.ts";
import { PermissionSetRepository } from "../../src/repositories/permission-set.ts";
import { testPrisma } from "../../src/testing/index.ts";

const sets = () => new PermissionSetRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newSet = (over: Record<string, unknown> = {}) => sets().create({ ref: `${unique("pk")}.role`, ...over });

describe("PermissionSetRepository", () => {
  it("creates a permission set with the database defaults and finds it by id and ref", async () => {
    const set = await newSet({ label: "Role", description: "d" });
    expect(set).toMatchObject({ label: "Role", description: "d", grants: [], packId: null, packRef: null });
    expect(typeof set.id).toBe("bigint");
    expect(await sets().findById(set.id)).toEqual(set);
    expect(await sets().getById(set.id)).toEqual(set);
    expect(await sets().findByRef(set.ref)).toEqual(set);
  });

  it("belongs to a pack when given one, and goes when the pack is deleted", async () => {
    const prisma = testPrisma();
    const pack = await prisma.pack.create({ data: { ref: unique("pk"), label: "P", version: "1.0.0" } });
    const set = await sets().create({ ref: `${pack.ref}.admin`, packId: pack.id, packRef: pack.ref, grants: [{ action: "*" }] });
    expect(set).toMatchObject({ packId: pack.id, packRef: pack.ref, grants: [{ action: "*" }] });
    await prisma.pack.delete({ where: { id: pack.id } });
    expect(await sets().findById(set.id)).toBeNull();
  });

  it("validates refs, ids and grants before the database, naming the field", async () => {
    for (const ref of ["nodot", "a.b.c", "Pack.Role", ".x"]) {
      const error = await sets().create({ ref }).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues.map((i: { field: string }) => i.field)).toEqual(["ref"]);
    }
    await expect(sets().create({ ref: "a.b", packId: 0 })).rejects.toThrow(/packId: must be a positive id/);
    await expect(sets().create({ ref: "a.b", grants: null as never })).rejects.toThrow(/grants/);
  });

  it("keeps the database's CHECKs as the last line, as CheckViolationError naming the rule", async () => {
    const format = await testPrisma().permissionSet.create({ data: { ref: "nodot" } }).catch((e) => e);
    const mapped = mapDatabaseError("permission_set", format);
    expect(mapped).toBeInstanceOf(CheckViolationError);
    expect(mapped).toMatchObject({ constraint: "permission_set_ref_format" });
    expect((mapped as Error).message).toMatch(/permission set ref must be "pack.name"/);
    const lower = mapDatabaseError("permission_set", await testPrisma().permissionSet.create({ data: { ref: "A.b" } }).catch((e) => e));
    expect(lower).toMatchObject({ constraint: "permission_set_ref_lowercase", rule: "permission set ref must be lower-case" });
  });

  it("reports a missing pack as ForeignKeyError naming the relation", async () => {
    const error = await newSet({ packId: 987654n }).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "missing", relation: "permission_set.pack -> pack", constraint: "permission_set_pack_fkey" });
  });

  it("updates only label, description and grants; the database trigger moves `updated`", async () => {
    const set = await newSet({ label: "Before", description: "keep", grants: [1] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await sets().update(set.id, { grants: [{ resource: "pack" }], ref: "other.ref" } as never);
    expect(updated).toMatchObject({ ref: set.ref, label: "Before", description: "keep", grants: [{ resource: "pack" }] });
    expect(updated.updated.getTime()).toBeGreaterThan(set.updated.getTime());
    expect(await sets().update(set.id, { label: null, description: "new" })).toMatchObject({ label: null, description: "new" });
  });

  it("delete removes the set and cascades its assignments", async () => {
    const prisma = testPrisma();
    const set = await newSet();
    const identity = await prisma.identity.create({ data: { login: unique("user") } });
    await prisma.permissionAssignment.create({ data: { identityId: identity.id, permissionSetId: set.id } });
    expect(await sets().delete(set.id)).toBe(true);
    expect(await sets().findById(set.id)).toBeNull();
    expect(await prisma.permissionAssignment.count({ where: { permissionSetId: set.id } })).toBe(0);
    expect(await prisma.identity.findUnique({ where: { id: identity.id } })).not.toBeNull();
    expect(await sets().delete(set.id)).toBe(false);
  });
});
