import { createPrismaClient, createRepositories, SchemaNotInEffectError, withSchema } from "../../src/index.ts";
import { describeServer, withoutSchema } from "../../src/config/datasource-url.ts";
import { freshSchema, testPrisma, testSchema } from "../../src/testing/index.ts";
import { startOptionsDroppingProxy } from "../support/options-dropping-proxy.ts";

/** Same inserts in two schemas: same ids, so any crossing over would show. */
async function seed(prisma: ReturnType<typeof createPrismaClient>, packRef: string) {
  const pack = await prisma.pack.create({ data: { ref: packRef, label: packRef, version: "1.0.0" } });
  const trigger = await prisma.trigger.create({
    data: { ref: `${packRef}.webhook`, label: "Webhook", packId: pack.id, packRef },
  });
  return { pack, trigger };
}

describe("createPrismaClient", () => {
  it("resolves Prisma queries, raw SQL and SQL functions in its own schema", async () => {
    const a = testPrisma();
    const other = await freshSchema();
    const b = other.prisma;

    const inA = await seed(a, "alpha");
    const inB = await seed(b, "beta");
    expect(inA.trigger.id).toBe(inB.trigger.id); // both schemas have their own sequences

    // Raw SQL on unqualified names reads only the client's schema.
    expect(await a.$queryRaw`SELECT ref FROM pack`).toEqual([{ ref: "alpha" }]);
    expect(await b.$queryRaw`SELECT ref FROM pack`).toEqual([{ ref: "beta" }]);
    expect(await a.$queryRaw`SELECT current_schema() AS s`).toEqual([{ s: testSchema().schema }]);

    // A SQL function (which itself uses unqualified names and pgcrypto) acts in the caller's schema only.
    const enabled = await a.$queryRaw<{ webhook_enabled: boolean; webhook_key: string }[]>`
      SELECT * FROM enable_trigger_webhook(${inA.trigger.id})`;
    expect(enabled[0]).toMatchObject({ webhook_enabled: true, webhook_key: expect.stringMatching(/^wh_[a-z0-9]{32}$/) });
    expect((await a.trigger.findUniqueOrThrow({ where: { id: inA.trigger.id } })).webhookEnabled).toBe(true);
    expect((await b.trigger.findUniqueOrThrow({ where: { id: inB.trigger.id } })).webhookEnabled).toBe(false);

    const enabledInB = await b.$queryRaw<{ webhook_key: string }[]>`SELECT * FROM enable_trigger_webhook(${inB.trigger.id})`;
    expect(enabledInB[0]!.webhook_key).not.toBe(enabled[0]!.webhook_key);
    expect((await a.trigger.findUniqueOrThrow({ where: { id: inA.trigger.id } })).webhookKey).toBe(enabled[0]!.webhook_key);
  });

  it("takes the schema from the option, else from the URL's ?schema=", async () => {
    const { url, schema } = testSchema();
    const fromUrl = createPrismaClient({ url });
    const other = await freshSchema();
    const fromOption = createPrismaClient({ url, schema: other.schema });
    try {
      expect(await fromUrl.$queryRaw`SELECT current_schema() AS s`).toEqual([{ s: schema }]);
      expect(await fromOption.$queryRaw`SELECT current_schema() AS s`).toEqual([{ s: other.schema }]);
      await fromOption.identity.create({ data: { login: "someone" } });
      expect(await fromUrl.identity.count({ where: { login: "someone" } })).toBe(0);
    } finally {
      await fromUrl.$disconnect();
      await fromOption.$disconnect();
    }
  });

  it("takes a schema given in the options as explicit under NODE_ENV=production", async () => {
    const { url, schema } = testSchema();
    const saved = { NODE_ENV: process.env.NODE_ENV, DATABASE_URL: process.env.DATABASE_URL, ATTUNE_DB_SCHEMA: process.env.ATTUNE_DB_SCHEMA };
    Object.assign(process.env, { NODE_ENV: "production", DATABASE_URL: withoutSchema(url) });
    delete process.env.ATTUNE_DB_SCHEMA;
    try {
      const prisma = createPrismaClient({ schema });
      try {
        expect(await prisma.$queryRaw`SELECT current_schema() AS s`).toEqual([{ s: schema }]);
      } finally {
        await prisma.$disconnect();
      }
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("fails with SchemaNotInEffectError when a connection does not run in the client's schema", async () => {
    const { url, schema } = testSchema();
    // A pooler that drops the startup options: the connection would run in public.
    const proxy = await startOptionsDroppingProxy(describeServer(url));
    const proxied = new URL(url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    const behindPooler = createPrismaClient({ url: proxied.toString(), schema });
    const missing = createPrismaClient({ url, schema: "no_such_schema_here" });
    try {
      const viaPooler = await behindPooler.$queryRaw`SELECT 1`.catch((e: unknown) => e);
      expect(viaPooler).toBeInstanceOf(SchemaNotInEffectError);
      expect(viaPooler).toMatchObject({ schema, currentSchema: "public", schemaExists: true });
      expect((viaPooler as Error).message).toMatch(/did not apply the search_path sent at connection start/);
      // Repositories report the same error, not a Prisma one.
      await expect(createRepositories(behindPooler).packs.list({ page: 0, perPage: 1 })).rejects.toThrow(SchemaNotInEffectError);

      const noSchema = await missing.$queryRaw`SELECT 1`.catch((e: unknown) => e);
      expect(noSchema).toBeInstanceOf(SchemaNotInEffectError);
      expect((noSchema as Error).message).toMatch(/schema "no_such_schema_here" does not exist/);
    } finally {
      await behindPooler.$disconnect();
      await missing.$disconnect();
      await proxy.close();
    }
  });

  it("rejects bad schema names from options and URLs before connecting", () => {
    const url = "postgresql://postgres@127.0.0.1:1/nowhere";
    expect(() => createPrismaClient({ url, schema: "pg_catalog" })).toThrow(/pg_/);
    expect(() => createPrismaClient({ url: `${url}?schema=Robert%22%3B%20DROP%20SCHEMA%20public%3B--` })).toThrow(/not allowed/);
    expect(() => createPrismaClient({ url: withSchema(url, "ok") + "x%C3%A9" })).toThrow(/not allowed/);
  });
});
