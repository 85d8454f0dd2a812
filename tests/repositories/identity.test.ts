import { ForeignKeyError, ValidationError } from "../../src/index.ts";
import { IdentityRepository } from "../../src/repositories/identity.ts";
import { testPrisma } from "../../src/testing/index.ts";

const identities = () => new IdentityRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newIdentity = (over: Record<string, unknown> = {}) => identities().create({ login: unique("user"), ...over });

describe("IdentityRepository", () => {
  it("creates an identity with the database defaults and finds it by id and login", async () => {
    const identity = await newIdentity({ displayName: "Ada", passwordHash: "$argon2id$v=19$abc" });
    expect(identity).toMatchObject({ displayName: "Ada", passwordHash: "$argon2id$v=19$abc", attributes: {} });
    expect(typeof identity.id).toBe("bigint");
    expect(Object.prototype.toString.call(identity.created)).toBe("[object Date]"); // another realm: no instanceof
    expect(await identities().findById(identity.id)).toEqual(identity);
    expect(await identities().findById(Number(identity.id))).toEqual(identity);
    expect(await identities().getById(identity.id)).toEqual(identity);
    expect(await identities().findByLogin(identity.login)).toEqual(identity);
  });

  it("creates a service account without password hash or display name", async () => {
    const identity = await newIdentity({ attributes: { kind: "service", scopes: ["a"] } });
    expect(identity).toMatchObject({ displayName: null, passwordHash: null, attributes: { kind: "service", scopes: ["a"] } });
  });

  it("validates the input before the database, naming the field", async () => {
    const error = await identities().create({ login: "" }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: "login", message: "must not be empty" }]);
    await expect(identities().create({ login: unique("u"), attributes: null as never })).rejects.toThrow(/attributes/);
    await expect(identities().create({ login: unique("u"), passwordHash: "" })).rejects.toThrow(/passwordHash: must not be empty/);
    const identity = await newIdentity();
    await expect(identities().update(identity.id, { displayName: 42 as never })).rejects.toThrow(/Invalid identity: displayName/);
  });

  it("updates only the given fields (never the login); the database trigger moves `updated`", async () => {
    const identity = await newIdentity({ displayName: "Before", passwordHash: "h1", attributes: { a: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await identities().update(identity.id, { passwordHash: "h2", login: "ignored" } as never);
    expect(updated).toMatchObject({ login: identity.login, displayName: "Before", passwordHash: "h2", attributes: { a: 1 } });
    expect(updated.updated.getTime()).toBeGreaterThan(identity.updated.getTime());
    expect(updated.created).toEqual(identity.created);
    const cleared = await identities().update(identity.id, { displayName: null, passwordHash: null, attributes: { b: 2 } });
    expect(cleared).toMatchObject({ displayName: null, passwordHash: null, attributes: { b: 2 } });
  });

  it("delete cascades the permission assignments and sets executor, assigned_to and installed_by to NULL", async () => {
    const prisma = testPrisma();
    const identity = await newIdentity();
    const permset = await prisma.permissionSet.create({ data: { ref: `${unique("ps")}.admin` } });
    await prisma.permissionAssignment.create({ data: { identityId: identity.id, permissionSetId: permset.id } });
    const execution = await prisma.execution.create({ data: { actionRef: "core.echo", executorId: identity.id } });
    const inquiry = await prisma.inquiry.create({ data: { executionId: execution.id, prompt: "ok?", assignedToId: identity.id } });
    const pack = await prisma.pack.create({ data: { ref: unique("pk"), label: "P", version: "1.0.0" } });
    const installation = await prisma.packInstallation.create({
      data: { packId: pack.id, sourceType: "git", storagePath: "/packs/p", installedById: identity.id },
    });

    expect(await identities().delete(identity.id)).toBe(true);
    expect(await identities().findById(identity.id)).toBeNull();
    expect(await prisma.permissionAssignment.count({ where: { identityId: identity.id } })).toBe(0);
    expect(await prisma.permissionSet.findUnique({ where: { id: permset.id } })).not.toBeNull();
    expect(await prisma.execution.findUnique({ where: { id: execution.id } })).toMatchObject({ executorId: null });
    expect(await prisma.inquiry.findUnique({ where: { id: inquiry.id } })).toMatchObject({ assignedToId: null });
    expect(await prisma.packInstallation.findUnique({ where: { id: installation.id } })).toMatchObject({ installedById: null });
  });

  it("refuses to delete an identity that owns keys (key.owner_identity has no ON DELETE action)", async () => {
    const identity = await newIdentity();
    await testPrisma().key.create({
      data: { ref: unique("k"), ownerType: "identity", ownerIdentityId: identity.id, name: "k", encrypted: false, value: "v" },
    });
    const error = await identities().delete(identity.id).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ entity: "identity", kind: "referenced", relation: "key.owner_identity -> identity", constraint: "key_owner_identity_fkey" });
    expect(await identities().findById(identity.id)).not.toBeNull();
  });
});
