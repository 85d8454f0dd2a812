import { createRepositories } from "../../../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../../../src/testing/index.ts";

/** Identities, permissions and owned keys. */
export function scenario(): void {
  const repos = () => createRepositories(testPrisma());

  it("assigns permission sets to identities", async () => {
    const identity = await repos().identities.create({ login: "alice" });
    const set = await repos().permissionSets.create({ ref: "core.admins", label: "Admins", grants: [{ action: "*" }] });
    await repos().permissionAssignments.create({ identityId: identity.id, permissionSetId: set.id });
    expect(await repos().permissionAssignments.findByIdentity(identity.id)).toHaveLength(1);
  });

  it("stores system and identity keys; the trigger fills owner", async () => {
    const identity = await repos().identities.create({ login: "bob" });
    const system = await repos().keys.create({ ref: "api_token", ownerType: "system", name: "api_token", encrypted: false, value: "t" });
    const own = await repos().keys.create({ ref: "bob.token", ownerType: "identity", ownerIdentityId: identity.id, name: "token", encrypted: true, value: "c" });
    expect([system.owner, own.owner]).toEqual(["system", String(identity.id)]);
  });

  it("updates an identity", async () => {
    const identity = await repos().identities.create({ login: "carol" });
    await repos().identities.update(identity.id, { displayName: "Carol" });
    expect((await repos().identities.findByLogin("carol"))?.displayName).toBe("Carol");
  });
}
