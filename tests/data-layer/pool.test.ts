// A client's connections under contention: refused statements keep their
// connection, a wait for a busy pool and a slow statement end in a typed,
// bounded error, and the client carries on afterwards.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../prisma/generated/client.ts";
import { createPgPool, type PgPoolOptions } from "../../src/client/create-pg-pool.ts";
import { ConflictError, DatabaseUnavailableError } from "../../src/index.ts";
import { createRepositories } from "../../src/repositories/create-repositories.ts";
import { withErrorMapping } from "../../src/repositories/common/with-error-mapping.ts";
import { testSchema } from "../../src/testing/index.ts";

/** A Prisma client as createPrismaClient builds it, with its pool in reach so that the test can count connections. */
function client(options: Omit<PgPoolOptions, "url" | "schema"> = {}) {
  const { url, schema } = testSchema();
  const pool = createPgPool({ url, schema, ...options });
  let opened = 0;
  pool.on("connect", () => opened++);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema, disposeExternalPool: true }) });
  return { prisma, pool, opened: () => opened };
}

const clients: PrismaClient[] = [];
afterAll(() => Promise.all(clients.map((c) => c.$disconnect())));
const track = <T extends { prisma: PrismaClient }>(made: T) => (clients.push(made.prisma), made);

it("200 concurrent creates of one ref: 1 succeeds, 199 are ConflictError, and no connection is lost to them", async () => {
  // The wait for a connection is not what this tests (churn is): a loaded CI machine gets a minute.
  const { prisma, opened } = track(client({ max: 10, poolTimeoutMs: 60_000 }));
  const packs = createRepositories(prisma).packs;
  // Warm: all 10 connections open, Prisma's query plans compiled.
  await Promise.all(Array.from({ length: 10 }, () => packs.count()));
  await packs.create({ ref: "uncontended", label: "C", version: "1.0.0" });
  const results = await Promise.allSettled(
    Array.from({ length: 200 }, () => packs.create({ ref: "contended", label: "C", version: "1.0.0" })),
  );
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  expect(failures).toHaveLength(199);
  expect(failures.filter((e) => !(e instanceof ConflictError))).toEqual([]);
  expect(opened()).toBeLessThanOrEqual(10);
});

it("a call that finds every connection busy fails with pool-exhausted after the pool timeout, not a connect error", async () => {
  const { prisma, pool } = track(client({ max: 1, poolTimeoutMs: 1_000 }));
  const held = await pool.connect();
  try {
    const started = Date.now();
    const error = await createRepositories(prisma).packs.count().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({ reason: "pool-exhausted", retryable: true });
    expect((error as Error).message).toMatch(/no free connection within 1000 ms: all 1 were in use/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  } finally {
    held.release();
  }
  expect(await createRepositories(prisma).packs.count()).toBeGreaterThanOrEqual(0);
});

it("a statement past the query timeout is cancelled by the server: query-timeout, and the connection stays", async () => {
  const { prisma, opened } = track(client({ max: 1, queryTimeoutMs: 300 }));
  const db = withErrorMapping(prisma, "pack");
  await db.$queryRaw`SELECT 1`;
  const started = Date.now();
  const error = await db.$queryRaw`SELECT pg_sleep(5)::text`.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseUnavailableError);
  expect(error).toMatchObject({ reason: "query-timeout", retryable: true, entity: "pack" });
  expect((error as Error).message).toBe("pack: database unavailable (query-timeout): canceling statement due to statement timeout");
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(await db.$queryRaw`SELECT 2 AS two`).toEqual([{ two: 2 }]);
  expect(opened()).toBe(1);
});

it("queryTimeoutMs 0 sets no statement timeout", async () => {
  const { prisma } = track(client({ max: 1, queryTimeoutMs: 0 }));
  expect(await prisma.$queryRaw`SHOW statement_timeout`).toEqual([{ statement_timeout: "0" }]);
  const { prisma: bounded } = track(client({ max: 1 }));
  expect(await bounded.$queryRaw`SHOW statement_timeout`).toEqual([{ statement_timeout: "30s" }]);
});
