import { createRepositories } from "../../../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../../../src/testing/index.ts";

/** Pack catalogue: create, find, update, list, search, delete. */
export function scenario(): void {
  const repos = () => createRepositories(testPrisma());

  it("creates and finds packs", async () => {
    const pack = await repos().packs.create({ ref: "catalogue", label: "Catalogue", version: "1.0.0", tags: ["demo"] });
    expect(await repos().packs.getByRef("catalogue")).toEqual(pack);
    expect((await repos().packs.findByTag("demo")).map((p) => p.ref)).toEqual(["catalogue"]);
  });

  it("updates and lists packs", async () => {
    for (const ref of ["alpha", "beta", "gamma"]) await repos().packs.create({ ref, label: ref, version: "1.0.0" });
    const beta = await repos().packs.getByRef("beta");
    await repos().packs.update(beta.id, { label: "Beta", description: "second" });
    const page = await repos().packs.list({ perPage: 2 });
    expect(page.items.map((p) => p.ref)).toEqual(["alpha", "beta"]);
    expect(page.total).toBeGreaterThanOrEqual(3);
  });

  it("searches and deletes packs", async () => {
    const pack = await repos().packs.create({ ref: "searchable", label: "Find Me", version: "2.0.0" });
    expect((await repos().packs.search("find me")).items).toHaveLength(1);
    expect(await repos().packs.delete(pack.id)).toBe(true);
    expect(await repos().packs.findByRef("searchable")).toBeNull();
  });
}
