import { CheckViolationError, ConflictError, ForeignKeyError, ValidationError } from "../../src/index.ts";
import { mapDatabaseError } from "../../src/errors/map-database-error.ts";
import { KeyRepository, type CreateKeyInput } from "../../src/repositories/key.ts";
import { testPrisma } from "../../src/testing/index.ts";

const keys = () => new KeyRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;

const newPack = () => testPrisma().pack.create({ data: { ref: unique("pk"), label: "Pack", version: "1.0.0" } });
const newIdentity = () => testPrisma().identity.create({ data: { login: unique("user") } });
const newAction = async () => {
  const pack = await newPack();
  return testPrisma().action.create({
    data: { ref: `${pack.ref}.a`, packId: pack.id, packRef: pack.ref, label: "a", description: "d", entrypoint: "a.py" },
  });
};
const newSensor = async () => {
  const prisma = testPrisma();
  const pack = await newPack();
  const runtime = await prisma.runtime.create({
    data: { ref: `${pack.ref}.sensor.py`, packId: pack.id, packRef: pack.ref, runtimeType: "sensor", name: "py", distributions: {} },
  });
  const trigger = await prisma.trigger.create({ data: { ref: `${pack.ref}.t`, packId: pack.id, packRef: pack.ref, label: "t" } });
  return prisma.sensor.create({
    data: {
      ref: `${pack.ref}.s`, packId: pack.id, packRef: pack.ref, label: "s", description: "d", entrypoint: "s.py",
      runtimeId: runtime.id, runtimeRef: runtime.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true,
    },
  });
};
const systemKey = (over: Partial<CreateKeyInput> = {}) =>
  keys().create({ ref: unique("sys"), ownerType: "system", name: unique("name"), encrypted: false, value: "v", ...over } as CreateKeyInput);

describe("KeyRepository", () => {
  it("creates a system key; the trigger sets owner to \"system\"; finds it by id and ref", async () => {
    const key = await systemKey({ value: "secret", encrypted: true, encryptionKeyHash: "abc" });
    expect(key).toMatchObject({
      ownerType: "system",
      owner: "system",
      ownerIdentityId: null,
      ownerPackId: null,
      ownerActionId: null,
      ownerSensorId: null,
      encrypted: true,
      encryptionKeyHash: "abc",
      value: "secret",
    });
    expect(typeof key.id).toBe("bigint");
    expect(await keys().findById(key.id)).toEqual(key);
    expect(await keys().findByRef(key.ref)).toEqual(key);
    expect(await keys().getById(key.id)).toEqual(key);
    expect(await keys().getByRef(key.ref)).toEqual(key);
  });

  it("sets owner to the owning id as text for identity, pack, action and sensor keys", async () => {
    const identity = await newIdentity();
    const pack = await newPack();
    const action = await newAction();
    const sensor = await newSensor();
    const base = { name: "token", encrypted: false, value: "v" };
    const byIdentity = await keys().create({ ...base, ref: unique("i.k"), ownerType: "identity", ownerIdentityId: identity.id });
    const byPack = await keys().create({ ...base, ref: unique("p.k"), ownerType: "pack", ownerPackId: pack.id, ownerPackRef: pack.ref });
    const byAction = await keys().create({ ...base, ref: unique("a.k"), ownerType: "action", ownerActionId: action.id, ownerActionRef: action.ref });
    const bySensor = await keys().create({ ...base, ref: unique("s.k"), ownerType: "sensor", ownerSensorId: sensor.id });
    expect(byIdentity.owner).toBe(String(identity.id));
    expect(byPack).toMatchObject({ owner: String(pack.id), ownerPackId: pack.id, ownerPackRef: pack.ref });
    expect(byAction).toMatchObject({ owner: String(action.id), ownerActionRef: action.ref });
    expect(bySensor.owner).toBe(String(sensor.id));
  });

  it("does not accept `owner` as input: the trigger computes it", async () => {
    const key = await systemKey({ owner: "forged" } as never);
    expect(key.owner).toBe("system");
  });

  it("validates the owner combination before the database, naming the field", async () => {
    const pack = await newPack();
    const action = await newAction();
    const base = { ref: unique("k"), name: "n", encrypted: false, value: "v" };

    const systemWithOwner = await keys().create({ ...base, ownerType: "system", ownerPackId: pack.id }).catch((e) => e);
    expect(systemWithOwner).toBeInstanceOf(ValidationError);
    expect(systemWithOwner.issues).toEqual([{ field: "ownerPackId", message: 'must not be set when ownerType is "system"' }]);

    const missing = await keys().create({ ...base, ownerType: "pack" }).catch((e) => e);
    expect(missing).toBeInstanceOf(ValidationError);
    expect(missing.issues).toEqual([{ field: "ownerPackId", message: 'is required when ownerType is "pack"' }]);

    const wrong = await keys().create({ ...base, ownerType: "pack", ownerActionId: action.id }).catch((e) => e);
    expect(wrong.issues).toEqual([
      { field: "ownerPackId", message: 'is required when ownerType is "pack"' },
      { field: "ownerActionId", message: 'must not be set when ownerType is "pack" (only ownerPackId may be)' },
    ]);

    const two = await keys().create({ ...base, ownerType: "action", ownerActionId: action.id, ownerPackId: pack.id }).catch((e) => e);
    expect(two.message).toBe('Invalid key: ownerPackId: must not be set when ownerType is "action" (only ownerActionId may be)');

    await expect(keys().create({ ...base, ownerType: "robot" as never })).rejects.toThrow(/ownerType/);
    await expect(keys().create({ ...base, ownerType: "system", encrypted: undefined as never })).rejects.toThrow(/encrypted/);
    expect(await testPrisma().key.count({ where: { ref: base.ref } })).toBe(0);
  });

  it("validates the ref as name or owner.name, lower case", async () => {
    await expect(systemKey({ ref: "a.b.c" })).rejects.toThrow(/Invalid key: ref: must be "name" or "owner.name"/);
    await expect(systemKey({ ref: "Upper" })).rejects.toThrow(/ref: must be lower-case/);
    expect((await systemKey({ ref: unique("owner.name") })).ref).toMatch(/^owner\.name\d+$/);
  });

  it("keeps the validate_key_owner trigger as the last line: P0001 becomes CheckViolationError", async () => {
    const pack = await newPack();
    const prisma = testPrisma();
    const systemWithPack = await prisma.key
      .create({ data: { ref: unique("k"), ownerType: "system", ownerPackId: pack.id, name: "n", encrypted: false, value: "v" } })
      .catch((e) => e);
    const mapped = mapDatabaseError("key", systemWithPack);
    expect(mapped).toBeInstanceOf(CheckViolationError);
    expect(mapped).toMatchObject({ entity: "key", rule: "System owner cannot have specific owner fields set" });

    const packWithout = await prisma.key
      .create({ data: { ref: unique("k"), ownerType: "pack", name: "n", encrypted: false, value: "v" } })
      .catch((e) => e);
    expect(mapDatabaseError("key", packWithout)).toMatchObject({ rule: "Exactly one owner field must be set for owner_type pack" });

    const mismatched = await prisma.key
      .create({ data: { ref: unique("k"), ownerType: "identity", ownerPackId: pack.id, name: "n", encrypted: false, value: "v" } })
      .catch((e) => e);
    expect(mapDatabaseError("key", mismatched)).toMatchObject({ rule: "owner_identity must be set for owner_type identity" });

    // The trigger runs on UPDATE too.
    const key = await systemKey();
    const update = await prisma.key.update({ where: { id: key.id }, data: { ownerPackId: pack.id } }).catch((e) => e);
    expect(mapDatabaseError("key", update)).toBeInstanceOf(CheckViolationError);
  });

  it("reports a second key with the same name for the same owner as ConflictError on (ownerType, owner, name)", async () => {
    const pack = await newPack();
    const base = { ownerType: "pack" as const, ownerPackId: pack.id, name: "api_token", encrypted: false, value: "v" };
    await keys().create({ ...base, ref: unique("k") });
    const error = await keys().create({ ...base, ref: unique("k") }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ entity: "key", fields: ["ownerType", "owner", "name"], constraint: "idx_key_unique" });
    expect(error.message).toBe("key already exists with the same ownerType, owner, name (constraint idx_key_unique)");

    // Same name for another owner, or for the system scope, is fine.
    const other = await newPack();
    await keys().create({ ...base, ref: unique("k"), ownerPackId: other.id });
    const systemName = unique("shared");
    await systemKey({ name: systemName });
    await expect(systemKey({ name: systemName })).rejects.toMatchObject({ fields: ["ownerType", "owner", "name"] });
  });

  it("reports a missing owner as ForeignKeyError naming the relation", async () => {
    const base = { ref: unique("k"), name: "n", encrypted: false, value: "v" };
    const error = await keys().create({ ...base, ownerType: "pack", ownerPackId: 987654n }).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ kind: "missing", relation: "key.owner_pack -> pack", constraint: "key_owner_pack_fkey" });
    await expect(keys().create({ ...base, ownerType: "identity", ownerIdentityId: 987654n })).rejects.toMatchObject({
      relation: "key.owner_identity -> identity",
    });
  });

  it("updates only the given fields; the database trigger moves `updated` and keeps owner", async () => {
    const pack = await newPack();
    const key = await keys().create({ ref: unique("k"), ownerType: "pack", ownerPackId: pack.id, name: "n", encrypted: false, value: "v1" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await keys().update(key.id, { value: "cipher", encrypted: true, encryptionKeyHash: "h1" });
    expect(updated).toMatchObject({ value: "cipher", encrypted: true, encryptionKeyHash: "h1", name: "n", owner: String(pack.id), ref: key.ref });
    expect(updated.updated.getTime()).toBeGreaterThan(key.updated.getTime());
    expect(updated.created).toEqual(key.created);
    const renamed = await keys().update(key.id, { name: "m", encryptionKeyHash: null });
    expect(renamed).toMatchObject({ name: "m", encryptionKeyHash: null, value: "cipher" });
    await expect(keys().update(key.id, { name: "" })).rejects.toThrow(/name/);
  });

  it("refuses a rename onto another key of the same owner as ConflictError", async () => {
    const pack = await newPack();
    const base = { ownerType: "pack" as const, ownerPackId: pack.id, encrypted: false, value: "v" };
    await keys().create({ ...base, ref: unique("k"), name: "one" });
    const two = await keys().create({ ...base, ref: unique("k"), name: "two" });
    await expect(keys().update(two.id, { name: "one" })).rejects.toMatchObject({ fields: ["ownerType", "owner", "name"] });
  });

  it("finds by owner type and by owner", async () => {
    const pack = await newPack();
    const otherPack = await newPack();
    const identity = await newIdentity();
    const base = { encrypted: false, value: "v" };
    const p2 = await keys().create({ ...base, ref: unique("pb"), ownerType: "pack", ownerPackId: pack.id, name: "b" });
    const p1 = await keys().create({ ...base, ref: unique("pa"), ownerType: "pack", ownerPackId: pack.id, name: "a" });
    const other = await keys().create({ ...base, ref: unique("po"), ownerType: "pack", ownerPackId: otherPack.id, name: "a" });
    const mine = await keys().create({ ...base, ref: unique("id"), ownerType: "identity", ownerIdentityId: identity.id, name: "a" });
    const sys = await systemKey();

    const packKeys = await keys().findByOwnerType("pack");
    expect(packKeys.map((k) => k.id)).toEqual(expect.arrayContaining([p1.id, p2.id, other.id]));
    expect(packKeys.every((k) => k.ownerType === "pack")).toBe(true);
    expect(packKeys.map((k) => k.ref)).toEqual(packKeys.map((k) => k.ref).sort());

    expect((await keys().findByOwner("pack", pack.id)).map((k) => k.id)).toEqual([p1.id, p2.id]);
    expect((await keys().findByOwner("identity", identity.id)).map((k) => k.id)).toEqual([mine.id]);
    // An identity id equal to a pack id is a different owner.
    expect(await keys().findByOwner("identity", pack.id)).toEqual(
      await testPrisma().key.findMany({ where: { ownerIdentityId: pack.id }, orderBy: { ref: "asc" } }),
    );
    const system = await keys().findByOwner("system");
    expect(system.map((k) => k.id)).toContain(sys.id);
    expect(system.every((k) => k.owner === "system")).toBe(true);

    await expect(keys().findByOwner("pack")).rejects.toThrow(/ownerId: is required when ownerType is "pack"/);
    await expect(keys().findByOwner("system", 1n)).rejects.toBeInstanceOf(ValidationError);
    await expect(keys().findByOwnerType("robot" as never)).rejects.toThrow(/ownerType/);
  });

  it("deletes a key", async () => {
    const key = await systemKey();
    expect(await keys().delete(key.id)).toBe(true);
    expect(await keys().findById(key.id)).toBeNull();
    expect(await keys().delete(key.id)).toBe(false);
  });

  it("deleting an action or a sensor cascades to the keys it owns", async () => {
    const action = await newAction();
    const sensor = await newSensor();
    const base = { name: "n", encrypted: false, value: "v" };
    const actionKey = await keys().create({ ...base, ref: unique("k"), ownerType: "action", ownerActionId: action.id });
    const sensorKey = await keys().create({ ...base, ref: unique("k"), ownerType: "sensor", ownerSensorId: sensor.id });
    await testPrisma().action.delete({ where: { id: action.id } });
    await testPrisma().sensor.delete({ where: { id: sensor.id } });
    expect(await keys().findById(actionKey.id)).toBeNull();
    expect(await keys().findById(sensorKey.id)).toBeNull();
  });

  it("refuses to delete an identity that owns keys (key.owner_identity has no ON DELETE action)", async () => {
    const identity = await newIdentity();
    const key = await keys().create({ ref: unique("k"), ownerType: "identity", ownerIdentityId: identity.id, name: "n", encrypted: false, value: "v" });
    const error = await testPrisma().identity.delete({ where: { id: identity.id } }).catch((e) => e);
    const mapped = mapDatabaseError("identity", error);
    expect(mapped).toBeInstanceOf(ForeignKeyError);
    expect(mapped).toMatchObject({ kind: "referenced", relation: "key.owner_identity -> identity", constraint: "key_owner_identity_fkey" });
    expect(await keys().findById(key.id)).not.toBeNull();
    expect(await keys().delete(key.id)).toBe(true);
    await testPrisma().identity.delete({ where: { id: identity.id } });
  });
});
