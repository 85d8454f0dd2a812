import { ValidationError } from "../../src/index.ts";
import { ArtifactRepository } from "../../src/repositories/artifact.ts";
import { testPrisma } from "../../src/testing/index.ts";

const artifacts = () => new ArtifactRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newArtifact = (over: Record<string, unknown> = {}) =>
  artifacts().create({ ref: unique("core.art"), type: "file_text", ...over });
const ids = (rows: { id: bigint }[]) => rows.map((r) => r.id);

describe("ArtifactRepository", () => {
  it("creates an artifact with the database defaults and finds it by id", async () => {
    const artifact = await newArtifact();
    expect(artifact).toMatchObject({ type: "file_text", scope: "system", owner: "", retentionPolicy: "versions", retentionLimit: 1 });
    expect(typeof artifact.id).toBe("bigint");
    expect(await artifacts().findById(artifact.id)).toEqual(artifact);
    expect(await artifacts().getById(artifact.id)).toEqual(artifact);
  });

  it("creates an artifact with every field given", async () => {
    const artifact = await newArtifact({ scope: "action", owner: "42", type: "progress", retentionPolicy: "days", retentionLimit: 7 });
    expect(artifact).toMatchObject({ scope: "action", owner: "42", type: "progress", retentionPolicy: "days", retentionLimit: 7 });
  });

  it("validates enums, the retention limit and the ref before the database, naming the field", async () => {
    const error = await artifacts().create({ ref: "", type: "pdf" as never, scope: "world" as never, retentionLimit: -1 }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["ref", "retentionLimit", "scope", "type"]);
    await expect(newArtifact({ retentionLimit: 1.5 })).rejects.toThrow(/retentionLimit/);
    await expect(newArtifact({ retentionPolicy: "weeks" })).rejects.toThrow(/retentionPolicy/);
    const artifact = await newArtifact();
    await expect(artifacts().update(artifact.id, { type: "video" as never })).rejects.toThrow(/Invalid artifact: type/);
    await expect(artifacts().findByType("video" as never)).rejects.toThrow(/Invalid artifact: type/);
    await expect(artifacts().findByScope("world" as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(artifacts().findByScopeAndOwner("world" as never, "x")).rejects.toThrow(/scope/);
    await expect(artifacts().findByRetentionPolicy("weeks" as never)).rejects.toThrow(/retentionPolicy/);
  });

  it("updates only the given fields; the database trigger moves `updated`", async () => {
    const artifact = await newArtifact({ scope: "pack", owner: "7", retentionLimit: 5 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await artifacts().update(artifact.id, { type: "url", retentionPolicy: "hours" });
    expect(updated).toMatchObject({ ref: artifact.ref, scope: "pack", owner: "7", type: "url", retentionPolicy: "hours", retentionLimit: 5 });
    expect(updated.updated.getTime()).toBeGreaterThan(artifact.updated.getTime());
    expect(updated.created).toEqual(artifact.created);
    const moved = await artifacts().update(artifact.id, { ref: "core.renamed", scope: "identity", owner: "9", retentionLimit: 0 });
    expect(moved).toMatchObject({ ref: "core.renamed", scope: "identity", owner: "9", type: "url", retentionLimit: 0 });
  });

  it("finds every artifact sharing a ref (ref is not unique), newest first", async () => {
    const ref = unique("core.shared");
    const older = await newArtifact({ ref });
    const newer = await newArtifact({ ref });
    await newArtifact();
    expect(ids(await artifacts().findByRef(ref))).toEqual([newer.id, older.id]);
    expect(await artifacts().findByRef("core.none")).toEqual([]);
  });

  it("finds by scope, owner, scope and owner, type and retention policy", async () => {
    const owner = unique("owner");
    const a = await newArtifact({ scope: "sensor", owner, type: "file_image", retentionPolicy: "minutes" });
    const b = await newArtifact({ scope: "action", owner, type: "file_image" });
    const c = await newArtifact({ scope: "sensor", owner: unique("owner"), type: "other", retentionPolicy: "minutes" });
    expect(ids(await artifacts().findByScopeAndOwner("sensor", owner))).toEqual([a.id]);
    expect(ids(await artifacts().findByOwner(owner))).toEqual([b.id, a.id]);
    const sensors = ids(await artifacts().findByScope("sensor"));
    expect(sensors).toEqual(expect.arrayContaining([a.id, c.id]));
    expect(sensors).not.toContain(b.id);
    const images = ids(await artifacts().findByType("file_image"));
    expect(images.indexOf(b.id)).toBeLessThan(images.indexOf(a.id));
    expect(images).not.toContain(c.id);
    const minutes = await artifacts().findByRetentionPolicy("minutes");
    expect(ids(minutes)).toEqual(expect.arrayContaining([a.id, c.id]));
    expect(minutes.every((x) => x.retentionPolicy === "minutes")).toBe(true);
  });

  it("deletes an artifact", async () => {
    const artifact = await newArtifact();
    expect(await artifacts().delete(artifact.id)).toBe(true);
    expect(await artifacts().findById(artifact.id)).toBeNull();
    expect(await artifacts().delete(artifact.id)).toBe(false);
  });
});
