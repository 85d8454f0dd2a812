import pg from "pg";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { createPrismaClient } from "../../src/client/create-prisma-client.ts";
import { withoutSchema } from "../../src/config/datasource-url.ts";
import { PoolerError } from "../../src/errors/pooler-error.ts";
import { SchemaNotInEffectError } from "../../src/errors/schema-not-in-effect-error.ts";
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";
import { migrate } from "../../src/migrations/migrate.ts";
import { listenNotifications, type SchemaNotification } from "../../src/notifications/listen-notifications.ts";
import { createTenantClients } from "../../src/tenants/create-tenant-clients.ts";
import { freshSchema, testSchema } from "../../src/testing/index.ts";
import { waitFor, Wakeup } from "../support/wait-for.ts";
import { findPgBouncer, startPgBouncer, type PgBouncerOptions, type RunningPgBouncer } from "../support/pgbouncer.ts";

const binary = findPgBouncer();
if (!binary) {
  console.warn("PgBouncer is not installed (Debian: apt-get install pgbouncer): the tests behind PgBouncer are skipped. .ci/run installs it.");
}

const running: RunningPgBouncer[] = [];
afterAll(async () => {
  await Promise.all(running.map((bouncer) => bouncer.stop()));
});

/** PgBouncer in front of the test's server; `url` through it, with `?schema=` and the given extra parameters. */
async function through(options: PgBouncerOptions, schema: string, parameters: Record<string, string> = {}): Promise<string> {
  const bouncer = await startPgBouncer(binary!, testSchema().url, options);
  running.push(bouncer);
  const url = new URL(bouncer.urlFor(testSchema().url));
  url.searchParams.set("schema", schema);
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url.toString();
}

async function packRefs(url: string): Promise<{ prisma: string[]; raw: string[]; currentSchema: string; statementTimeout: string }> {
  const prisma = createPrismaClient({ url, maxConnections: 2 });
  try {
    const [rows, raw, [settings]] = await Promise.all([
      prisma.pack.findMany({ select: { ref: true }, orderBy: { ref: "asc" } }),
      prisma.$queryRaw<{ ref: string }[]>`SELECT ref FROM pack ORDER BY ref`,
      prisma.$queryRaw<{ current: string; timeout: string }[]>`SELECT current_schema() AS current, current_setting('statement_timeout') AS timeout`,
    ]);
    return { prisma: rows.map((r) => r.ref), raw: raw.map((r) => r.ref), currentSchema: settings!.current, statementTimeout: settings!.timeout };
  } finally {
    await prisma.$disconnect();
  }
}

(binary ? describe : describe.skip)("behind PgBouncer", () => {
  it("session pooling with ?pgbouncer=session: Prisma, raw SQL and settings resolve in each client's schema", async () => {
    const other = await freshSchema();
    const mine = testSchema().schema;
    const url = await through({ poolMode: "session" }, mine, { pgbouncer: "session" });
    const otherUrl = new URL(url);
    otherUrl.searchParams.set("schema", other.schema);

    const writer = createPrismaClient({ url });
    const otherWriter = createPrismaClient({ url: otherUrl.toString() });
    try {
      await Promise.all([
        ...["a", "b"].map((ref) => writer.pack.create({ data: { ref: `${mine}-${ref}`, label: ref, version: "1.0.0" } })),
        otherWriter.pack.create({ data: { ref: `${other.schema}-x`, label: "x", version: "1.0.0" } }),
      ]);
    } finally {
      await Promise.all([writer.$disconnect(), otherWriter.$disconnect()]);
    }
    const [seen, otherSeen] = await Promise.all([packRefs(url), packRefs(otherUrl.toString())]);
    expect(seen).toEqual({ prisma: [`${mine}-a`, `${mine}-b`], raw: [`${mine}-a`, `${mine}-b`], currentSchema: mine, statementTimeout: "30s" });
    expect(otherSeen).toEqual({ prisma: [`${other.schema}-x`], raw: [`${other.schema}-x`], currentSchema: other.schema, statementTimeout: "30s" });

    // Single connections too (migrations, listeners): search_path set after connecting.
    const single = await connectPgClient(url, mine);
    try {
      expect((await single.query("SELECT current_schema() AS s")).rows[0].s).toBe(mine);
    } finally {
      await single.end();
    }
  });

  it("migrations and LISTEN behind session pooling: a new schema migrated, its notifications delivered", async () => {
    const reserved = await freshSchema({ empty: true });
    const url = await through({ poolMode: "session" }, reserved.schema, { pgbouncer: "session" });
    const result = await migrate({ url });
    expect(result).toMatchObject({ schema: reserved.schema, alreadyApplied: [] });
    expect(result.applied.length).toBeGreaterThan(0);

    const received: SchemaNotification[] = [];
    const arrivals = new Wakeup();
    const listener = await listenNotifications({ url, onNotification: (n) => (received.push(n), arrivals.wake()) });
    const prisma = createPrismaClient({ url });
    try {
      const pack = await prisma.pack.create({ data: { ref: "pooled", label: "p", version: "1.0.0" } });
      const action = await prisma.action.create({
        data: { ref: "pooled.act", label: "a", description: "d", entrypoint: "e", packId: pack.id, packRef: pack.ref },
      });
      await prisma.execution.create({ data: { actionId: action.id, actionRef: action.ref } });
      await waitFor("the execution's notification", () => received.length > 0, { timeoutMs: 10_000, wakeup: arrivals, state: () => received });
      expect(received[0]).toMatchObject({ payload: { schema: reserved.schema, entity_type: "execution" } });
    } finally {
      await Promise.all([listener.close(), prisma.$disconnect()]);
    }
  });

  it("tenant clients behind session pooling: many tenants on two connections, each sees only its own rows", async () => {
    const tenants = [(await freshSchema()).schema, (await freshSchema()).schema, (await freshSchema()).schema];
    const url = await through({ poolMode: "session" }, tenants[0]!, { pgbouncer: "session" });
    const clients = createTenantClients({ url: withoutSchema(url) + "?pgbouncer=session", maxConnections: 2 });
    try {
      await Promise.all(tenants.map((t) => clients.forTenant(t).prisma.pack.create({ data: { ref: `${t}-own`, label: t, version: "1.0.0" } })));
      const seen = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const tenant = tenants[i % tenants.length]!;
          const rows = await clients.forTenant(tenant).prisma.$queryRaw<{ ref: string; schema: string }[]>`SELECT ref, current_schema() AS schema FROM pack`;
          return rows.filter((row) => row.ref !== `${tenant}-own` || row.schema !== tenant).map((row) => `${tenant} saw ${row.ref} in ${row.schema}`);
        }),
      );
      expect(seen.flat()).toEqual([]);
    } finally {
      await clients.close();
    }
  });

  it("without ?pgbouncer=session, PgBouncer refuses the startup options: a PoolerError says what to configure", async () => {
    const url = await through({ poolMode: "session" }, testSchema().schema);
    const error = await connectPgClient(url, testSchema().schema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolerError);
    expect(error).toMatchObject({ problem: "startup-parameter-refused", message: expect.stringMatching(/"options".*\?pgbouncer=session/) });

    const prisma = createPrismaClient({ url });
    try {
      // pg sends statement_timeout at startup too: PgBouncer names whichever it meets first.
      const viaPrisma = await prisma.pack.count().catch((e: unknown) => e);
      expect(viaPrisma).toBeInstanceOf(PoolerError);
      expect(viaPrisma).toMatchObject({ problem: "startup-parameter-refused", message: expect.stringMatching(/\?pgbouncer=session/) });
    } finally {
      await prisma.$disconnect();
    }
  });

  it("with the options ignored (ignore_startup_parameters) and no ?pgbouncer=session, the schema check refuses the connection", async () => {
    const url = await through({ poolMode: "session", ignoreStartupParameters: "options,statement_timeout" }, testSchema().schema);
    const prisma = createPrismaClient({ url });
    try {
      const error = await prisma.$queryRaw`SELECT 1`.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaNotInEffectError);
      expect((error as Error).message).toMatch(/\?pgbouncer=session/);
    } finally {
      await prisma.$disconnect();
    }
  });

  it("transaction pooling is refused: declared in the URL, or detected behind ?pgbouncer=session", async () => {
    for (const value of ["transaction", "true"]) {
      const url = `${withoutSchema(testSchema().url)}?schema=${testSchema().schema}&pgbouncer=${value}`;
      expect(() => createPrismaClient({ url })).toThrow(PoolerError);
    }
    const url = await through({ poolMode: "transaction" }, testSchema().schema, { pgbouncer: "session" });
    const prisma = createPrismaClient({ url });
    try {
      const error = await prisma.pack.count().catch((e: unknown) => e);
      expect(error).toMatchObject({ problem: "transaction-pooling", message: expect.stringMatching(/shares server connections/) });
    } finally {
      await prisma.$disconnect();
    }
    await expect(connectPgClient(url, testSchema().schema)).rejects.toMatchObject({ problem: "transaction-pooling" });
  });

  it("why: under transaction pooling one client's SET search_path is what the next client's statement runs with", async () => {
    const url = withoutSchema(await through({ poolMode: "transaction", ignoreStartupParameters: "options" }, testSchema().schema));
    const first = new pg.Client({ connectionString: url });
    const second = new pg.Client({ connectionString: url });
    await Promise.all([first.connect(), second.connect()]);
    try {
      await first.query(`SET search_path TO "${testSchema().schema}"`);
      // PgBouncer hands the second client the server connection the first one just used, SET included.
      expect((await second.query("SELECT current_schema() AS s")).rows[0].s).toBe(testSchema().schema);
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  });

  it("the test provisioner needs a direct connection", async () => {
    const url = `${withoutSchema(testSchema().url)}?pgbouncer=session`;
    await expect(SchemaProvisioner.open({ url, poolSize: 0 })).rejects.toMatchObject({ problem: "direct-connection-required" });
  });
});
