import { ConflictError, ForeignKeyError, ValidationError } from "../../src/index.ts";
import { PermissionAssignmentRepository } from "../../src/repositories/permission-assignment.ts";
import { testPrisma } from "../../src/testing/index.ts";

const assignments = () => new PermissionAssignmentRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newIdentity = () => testPrisma().identity.create({ data: { login: unique("user") } });
const newSet = () => testPrisma().permissionSet.create({ data: { ref: `${unique("pk")}.role` } });

describe("PermissionAssignmentRepository", () => {
  it("assigns a permission set to an identity and finds the assignment by id", async () => {
    const identity = await newIdentity();
    const set = await newSet();
    const assignment = await assignments().create({ identityId: identity.id, permissionSetId: Number(set.id) });
    expect(assignment).toMatchObject({ identityId: identity.id, permissionSetId: set.id });
    expect(typeof assignment.id).toBe("bigint");
    expect(await assignments().findById(assignment.id)).toEqual(assignment);
  });

  it("validates ids before the database, naming the field", async () => {
    const error = await assignments().create({ identityId: 0, permissionSetId: "x" as never }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field)).toEqual(["identityId", "permissionSetId"]);
    await expect(assignments().create({ identityId: 1 } as never)).rejects.toThrow(/permissionSetId/);
  });

  it("reports a second assignment of the same pair as ConflictError on identityId, permissionSetId", async () => {
    const identity = await newIdentity();
    const set = await newSet();
    await assignments().create({ identityId: identity.id, permissionSetId: set.id });
    const error = await assignments().create({ identityId: identity.id, permissionSetId: set.id }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ entity: "permission_assignment", fields: ["identityId", "permissionSetId"], constraint: "unique_identity_permset" });
    expect(error.message).toBe("permission_assignment already exists with the same identityId, permissionSetId (constraint unique_identity_permset)");
  });

  it("reports a missing identity or permission set as ForeignKeyError naming the relation", async () => {
    const identity = await newIdentity();
    const set = await newSet();
    const noIdentity = await assignments().create({ identityId: 987654n, permissionSetId: set.id }).catch((e) => e);
    expect(noIdentity).toBeInstanceOf(ForeignKeyError);
    expect(noIdentity).toMatchObject({ kind: "missing", relation: "permission_assignment.identity -> identity" });
    const noSet = await assignments().create({ identityId: identity.id, permissionSetId: 987654n }).catch((e) => e);
    expect(noSet).toMatchObject({ kind: "missing", relation: "permission_assignment.permset -> permission_set", constraint: "permission_assignment_permset_fkey" });
  });

  it("finds an identity's assignments newest first", async () => {
    const identity = await newIdentity();
    const other = await newIdentity();
    const [a, b, c] = [await newSet(), await newSet(), await newSet()];
    const first = await assignments().create({ identityId: identity.id, permissionSetId: a.id });
    const second = await assignments().create({ identityId: identity.id, permissionSetId: b.id });
    await assignments().create({ identityId: other.id, permissionSetId: c.id });
    expect((await assignments().findByIdentity(identity.id)).map((x) => x.id)).toEqual([second.id, first.id]);
    expect(await assignments().findByIdentity(987654n)).toEqual([]);
  });

  it("deletes an assignment without touching the identity or the set", async () => {
    const identity = await newIdentity();
    const set = await newSet();
    const assignment = await assignments().create({ identityId: identity.id, permissionSetId: set.id });
    expect(await assignments().delete(assignment.id)).toBe(true);
    expect(await assignments().findById(assignment.id)).toBeNull();
    expect(await testPrisma().identity.count({ where: { id: identity.id } })).toBe(1);
    expect(await testPrisma().permissionSet.count({ where: { id: set.id } })).toBe(1);
    // the pair can be assigned again
    await expect(assignments().create({ identityId: identity.id, permissionSetId: set.id })).resolves.toMatchObject({ identityId: identity.id });
  });
});
