import { Prisma, type PrismaClient as Client } from "../../prisma/generated/client.ts";
import { ConflictError } from "../../src/errors/conflict-error.ts";
import { createRepositories } from "../../src/repositories/create-repositories.ts";
import type { SharedParameterizationSchemas } from "../../src/jest/shared-parameterization-schemas.ts";
import { freshSchema, testPrisma } from "../../src/testing/index.ts";

// The environment keeps one query compiler per worker (and its compilers per schema) and shares them with
// every file (src/client/query-compiler-wasm.ts); what the tests compare must still come from the file's own realm.
describe("what a test file gets from its client belongs to its own realm", () => {
  it("Dates are this file's Dates", async () => {
    const pack = await testPrisma().pack.create({ data: { ref: "realm", label: "Realm", version: "1.0.0" } });
    expect(pack.created).toBeInstanceOf(Date);
    expect(Object.getPrototypeOf(pack.created)).toBe(Date.prototype);
  });

  it("Prisma's errors are this file's Prisma classes", async () => {
    await testPrisma().pack.create({ data: { ref: "twice", label: "Twice", version: "1.0.0" } });
    const error = await testPrisma().pack.create({ data: { ref: "twice", label: "Twice", version: "1.0.0" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect(error).toBeInstanceOf(Error);
  });

  it("attune-db's errors are this file's classes", async () => {
    const repos = createRepositories(testPrisma());
    await repos.packs.create({ ref: "once", label: "Once", version: "1.0.0" });
    const error = await repos.packs.create({ ref: "once", label: "Once", version: "1.0.0" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
  });

  it("a query the compiler rejects fails with this file's Prisma error class", async () => {
    const error = await testPrisma().pack.findMany({ where: { noSuchField: 1 } } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Prisma.PrismaClientValidationError);
  });

  it("results are this file's arrays and objects", async () => {
    await testPrisma().pack.create({ data: { ref: "arrays", label: "Arrays", version: "1.0.0" } });
    const rows = await testPrisma().pack.findMany({ where: { ref: "arrays" }, select: { ref: true, actions: true } });
    expect(Object.getPrototypeOf(rows)).toBe(Array.prototype);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    expect(Object.getPrototypeOf(rows[0]!.actions)).toBe(Array.prototype);
  });

  it("the client reads the worker's decoded parameterization schema: a new client decodes nothing", async () => {
    const shared = Object.getOwnPropertyDescriptor(globalThis, Symbol.for("attune-db.sharedParameterizationSchemas"))?.value as
      | SharedParameterizationSchemas
      | undefined;
    expect(shared).toBeDefined(); // set by the environment on this file's global
    await testPrisma().pack.count(); // this file's client is made: decoded by this worker now or for an earlier file
    const before = { ...shared!.stats };
    expect(before.decoded).toBe(1);
    const { prisma } = await freshSchema();
    // Its arguments are parameterized with the shared schema: an enum, a list, a nested filter.
    await prisma.execution.create({ data: { actionRef: "core.echo", status: "running" } });
    const running = await prisma.execution.findMany({ where: { status: { in: ["running", "failed"] }, actionRef: { startsWith: "core." } } });
    expect(running.map((e) => e.status)).toEqual(["running"]);
    expect(shared!.stats).toEqual({ decoded: before.decoded, shared: before.shared + 1 });
  });

  it("the query compiler is the worker's, not instantiated again per file", () => {
    const shared = Object.getOwnPropertyDescriptor(globalThis, Symbol.for("attune-db.sharedQueryCompilers"));
    expect(shared?.value).toBeDefined(); // set by the environment on this file's global
  });

  it("a client keeps its compiler while it lives: more schemas in use than the cache holds cost no compiler per query", async () => {
    const compilers = Object.getOwnPropertyDescriptor(globalThis, Symbol.for("attune-db.sharedQueryCompilers"))!.value as {
      stats: { made: number; freed: number };
    };
    const schemas = await Promise.all(Array.from({ length: 9 }, () => freshSchema())); // one more than the cache keeps (8)
    for (const { prisma } of schemas) expect(await prisma.pack.count()).toBe(0); // each client connects: its compiler, new or cached
    const before = compilers.stats.made;
    // Queries of new shapes (a client's plan cache would answer a repeated one without compiling), in turn on every client.
    for (const query of [(p: Client) => p.pack.findMany().then((rows) => rows.length), (p: Client) => p.action.count()]) {
      for (const { prisma } of schemas) expect(await query(prisma)).toBe(0);
    }
    expect(compilers.stats.made - before).toBe(0); // looked up per compile, 9 schemas in an LRU of 8 made one per query (18)
    const freedBefore = compilers.stats.freed;
    await Promise.all(schemas.map((s) => s.release()));
    // At least the one the cache let go of (a collected client of an earlier file may free one more meanwhile).
    expect(compilers.stats.freed - freedBefore).toBeGreaterThanOrEqual(1);
  });
});
