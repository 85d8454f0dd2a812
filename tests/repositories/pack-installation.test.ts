import { CheckViolationError, ConflictError, ForeignKeyError, NotFoundError, ValidationError } from "../../src/index.ts";
import { mapDatabaseError } from "../../src/errors/map-database-error.ts";
import { PackInstallationRepository } from "../../src/repositories/pack-installation.ts";
import { testPrisma } from "../../src/testing/index.ts";

const installations = () => new PackInstallationRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newPack = () => testPrisma().pack.create({ data: { ref: unique("pk"), label: "P", version: "1.0.0" } });
const CHECKSUM = "ab".repeat(32);
async function newInstallation(over: Record<string, unknown> = {}) {
  const pack = await newPack();
  return installations().create({ packId: pack.id, sourceType: "git", storagePath: `/packs/${pack.ref}`, ...over });
}
const ids = (rows: { id: bigint }[]) => rows.map((r) => r.id);

describe("PackInstallationRepository", () => {
  it("records an installation with the database defaults and finds it by id and pack", async () => {
    const installation = await newInstallation({ sourceUrl: "https://example.com/p.git", sourceRef: "v1.0.0" });
    expect(installation).toMatchObject({
      sourceType: "git", sourceUrl: "https://example.com/p.git", sourceRef: "v1.0.0", checksum: null,
      checksumVerified: false, installationMethod: "manual", installedById: null, meta: {},
    });
    expect(installation.installedAt).not.toBeNull();
    expect(installation.created).not.toBeNull();
    expect(installation.updated).not.toBeNull();
    expect(await installations().findById(installation.id)).toEqual(installation);
    expect(await installations().getById(installation.id)).toEqual(installation);
    expect(await installations().findByPackId(installation.packId)).toEqual(installation);
    expect(await installations().getByPackId(installation.packId)).toEqual(installation);
    expect(await installations().existsForPack(installation.packId)).toBe(true);
  });

  it("records every field, including the installing identity and a NULL installation method", async () => {
    const identity = await testPrisma().identity.create({ data: { login: unique("user") } });
    const installation = await newInstallation({
      sourceType: "registry", checksum: CHECKSUM, checksumVerified: true, installedById: identity.id, installationMethod: "cli", meta: { deps: ["core"] },
    });
    expect(installation).toMatchObject({ sourceType: "registry", checksum: CHECKSUM, checksumVerified: true, installedById: identity.id, installationMethod: "cli", meta: { deps: ["core"] } });
    const bare = await newInstallation({ installationMethod: null, meta: null, checksumVerified: null });
    expect(bare).toMatchObject({ installationMethod: null, meta: null, checksumVerified: null });
  });

  it("answers false for a missing pack, and NotFoundError from the updates of a missing id", async () => {
    expect(await installations().existsForPack(987654n)).toBe(false);
    await expect(installations().updateChecksum(987654n, CHECKSUM, true)).rejects.toBeInstanceOf(NotFoundError);
    await expect(installations().updateMeta(987654n, {})).rejects.toMatchObject({ entity: "pack_installation", key: { id: 987654n } });
    expect(await installations().deleteByPackId(987654n)).toBe(false);
  });

  it("validates source type, installation method, checksum and storage path before the database, naming the field", async () => {
    const pack = await newPack();
    const error = await installations()
      .create({ packId: pack.id, sourceType: "svn" as never, installationMethod: "ftp" as never, checksum: "xyz", storagePath: "" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["checksum", "installationMethod", "sourceType", "storagePath"]);
    await expect(newInstallation({ checksum: "g".repeat(64) })).rejects.toThrow(/checksum: must be a SHA-256 digest/);
    await expect(newInstallation({ checksum: "a".repeat(63) })).rejects.toThrow(/checksum/);
    await expect(newInstallation({ installedById: 0 })).rejects.toThrow(/installedById/);
    await expect(installations().listBySourceType("svn" as never)).rejects.toThrow(/Invalid pack_installation: sourceType/);
  });

  it("keeps the database's CHECKs as the last line, as CheckViolationError naming the rule", async () => {
    const pack = await newPack();
    const badSource = await testPrisma().packInstallation.create({ data: { packId: pack.id, sourceType: "svn", storagePath: "/p" } }).catch((e) => e);
    const source = mapDatabaseError("pack_installation", badSource);
    expect(source).toBeInstanceOf(CheckViolationError);
    expect(source).toMatchObject({ constraint: "pack_installation_source_type_check" });
    expect((source as Error).message).toMatch(/source type must be one of git, archive, local_directory, local_archive, registry/);
    const badMethod = await testPrisma()
      .packInstallation.create({ data: { packId: pack.id, sourceType: "git", storagePath: "/p", installationMethod: "ftp" } })
      .catch((e) => e);
    expect(mapDatabaseError("pack_installation", badMethod)).toMatchObject({
      constraint: "pack_installation_installation_method_check",
      rule: "installation method must be one of manual, api, cli, auto",
    });
  });

  it("allows one installation per pack: a second is ConflictError on packId", async () => {
    const installation = await newInstallation();
    const error = await installations().create({ packId: installation.packId, sourceType: "archive", storagePath: "/other" }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ entity: "pack_installation", fields: ["packId"], constraint: "pack_installation_unique_pack" });
    expect(error.message).toBe("pack_installation already exists with the same packId (constraint pack_installation_unique_pack)");
  });

  it("reports a missing pack or identity as ForeignKeyError naming the relation", async () => {
    const noPack = await installations().create({ packId: 987654n, sourceType: "git", storagePath: "/p" }).catch((e) => e);
    expect(noPack).toBeInstanceOf(ForeignKeyError);
    expect(noPack).toMatchObject({ kind: "missing", relation: "pack_installation.pack_id -> pack", constraint: "pack_installation_pack_id_fkey" });
    const noIdentity = await newInstallation({ installedById: 987654n }).catch((e) => e);
    expect(noIdentity).toMatchObject({ kind: "missing", relation: "pack_installation.installed_by -> identity" });
  });

  it("lists by installed_at, newest first, with pagination and a total; and by source type", async () => {
    const prisma = testPrisma();
    const base = Date.UTC(2030, 0, 1);
    const made = [];
    for (const [i, sourceType] of (["local_archive", "local_archive", "local_directory"] as const).entries()) {
      const row = await newInstallation({ sourceType });
      made.push(await prisma.packInstallation.update({ where: { id: row.id }, data: { installedAt: new Date(base + i * 60_000) } }));
    }
    const all = await installations().list({ perPage: 1000 });
    expect(all.total).toBe(await prisma.packInstallation.count());
    expect(ids(all.items.slice(0, 3))).toEqual(ids(made).reverse());
    const times = all.items.map((r) => r.installedAt?.getTime() ?? -Infinity);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const page0 = await installations().list({ page: 0, perPage: 2 });
    const page1 = await installations().list({ page: 1, perPage: 2 });
    expect(page0).toMatchObject({ page: 0, perPage: 2, total: all.total });
    expect(ids([...page0.items, ...page1.items])).toEqual(ids(all.items.slice(0, 4)));

    const archives = await installations().listBySourceType("local_archive", { perPage: 1000 });
    expect(archives.items.every((r) => r.sourceType === "local_archive")).toBe(true);
    expect(ids(archives.items)).toEqual(ids(made.slice(0, 2)).reverse());
    expect(archives.total).toBe(2);
    const firstArchive = await installations().listBySourceType("local_archive", { perPage: 1 });
    expect(firstArchive).toMatchObject({ total: 2, perPage: 1 });
    expect(ids(firstArchive.items)).toEqual([made[1]!.id]);
  });

  it("updates the checksum and its verification; the database trigger moves `updated`", async () => {
    const installation = await newInstallation({ meta: { keep: true } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await installations().updateChecksum(installation.id, CHECKSUM, true);
    expect(updated).toMatchObject({ checksum: CHECKSUM, checksumVerified: true, meta: { keep: true }, sourceType: "git" });
    expect(updated.updated!.getTime()).toBeGreaterThan(installation.updated!.getTime());
    const upper = "AB".repeat(32);
    expect(await installations().updateChecksum(installation.id, upper, false)).toMatchObject({ checksum: upper, checksumVerified: false });
    await expect(installations().updateChecksum(installation.id, "nothex", true)).rejects.toThrow(/checksum/);
    await expect(installations().updateChecksum(installation.id, CHECKSUM, "yes" as never)).rejects.toThrow(/checksumVerified/);
  });

  it("replaces the meta document; null stores SQL NULL", async () => {
    const installation = await newInstallation({ checksum: CHECKSUM });
    expect(await installations().updateMeta(installation.id, { warnings: ["w"] })).toMatchObject({ meta: { warnings: ["w"] }, checksum: CHECKSUM });
    expect(await installations().updateMeta(installation.id, null)).toMatchObject({ meta: null });
    const [row] = await testPrisma().$queryRaw<{ isNull: boolean }[]>`SELECT meta IS NULL AS "isNull" FROM pack_installation WHERE id = ${installation.id}`;
    expect(row?.isNull).toBe(true);
    await expect(installations().updateMeta(installation.id, undefined)).rejects.toThrow(/Invalid pack_installation: meta/);
  });

  it("deletes by id and by pack id, keeping the pack", async () => {
    const first = await newInstallation();
    expect(await installations().delete(first.id)).toBe(true);
    expect(await installations().findById(first.id)).toBeNull();
    expect(await installations().existsForPack(first.packId)).toBe(false);
    const second = await newInstallation();
    expect(await installations().deleteByPackId(second.packId)).toBe(true);
    expect(await installations().existsForPack(second.packId)).toBe(false);
    expect(await testPrisma().pack.count({ where: { id: second.packId } })).toBe(1);
    // the pack can be installed again
    await expect(installations().create({ packId: second.packId, sourceType: "local_directory", storagePath: "/p" })).resolves.toMatchObject({ packId: second.packId });
  });

  it("goes with its pack (CASCADE) and keeps the row with installed_by NULL when the identity is deleted", async () => {
    const prisma = testPrisma();
    const identity = await prisma.identity.create({ data: { login: unique("user") } });
    const installation = await newInstallation({ installedById: identity.id });
    await prisma.identity.delete({ where: { id: identity.id } });
    expect(await installations().getById(installation.id)).toMatchObject({ installedById: null });
    await prisma.pack.delete({ where: { id: installation.packId } });
    expect(await installations().findById(installation.id)).toBeNull();
  });
});
