import { DatabaseUnavailableError } from "../../src/errors/database-unavailable-error.ts";
import { InvalidSchemaNameError } from "../../src/errors/invalid-schema-name-error.ts";
import { createTenantClients } from "../../src/tenants/create-tenant-clients.ts";
import { LruCache } from "../../src/caching/lru-cache.ts";
import { freshSchema, testSchema } from "../../src/testing/index.ts";

describe("LruCache", () => {
  it("evicts the least recently used entry beyond its capacity", () => {
    const cache = new LruCache<string, number>(2);
    expect(cache.set("a", 1)).toBeUndefined();
    cache.set("b", 2);
    cache.get("a");
    expect(cache.set("c", 3)).toEqual(["b", 2]);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.clear()).toEqual([1, 3]);
  });
});

describe("createTenantClients", () => {
  it("caches at most maxCachedTenants clients; an evicted tenant gets a new one on the same shared pool", async () => {
    const a = testSchema().schema;
    const [b, c] = (await Promise.all([freshSchema(), freshSchema()])).map((s) => s.schema);
    const clients = createTenantClients({ url: testSchema().url, maxConnections: 2, maxCachedTenants: 2 });
    try {
      const first = clients.forTenant(a);
      expect(clients.forTenant(a)).toBe(first);
      await first.prisma.identity.create({ data: { login: "tenant-a" } });
      clients.forTenant(b!);
      clients.forTenant(c!); // evicts a
      expect(clients.cachedTenants).toBe(2);
      const again = clients.forTenant(a);
      expect(again).not.toBe(first);
      expect(await again.prisma.$queryRaw`SELECT login FROM identity`).toEqual([{ login: "tenant-a" }]);
      expect(await clients.forTenant(b!).prisma.$queryRaw`SELECT login FROM identity`).toEqual([]);
      expect(await again.repositories.identities.findByLogin("tenant-a")).toMatchObject({ login: "tenant-a" });
      expect(clients.connections.total).toBeLessThanOrEqual(2);
    } finally {
      await clients.close();
    }
    expect(clients.connections.total).toBe(0);
    expect(() => clients.forTenant(a)).toThrow(DatabaseUnavailableError);
  });

  it("refuses an invalid schema name before any I/O", async () => {
    await using clients = createTenantClients({ url: testSchema().url, maxConnections: 1 });
    expect(() => clients.forTenant('a"; DROP SCHEMA x; --')).toThrow(InvalidSchemaNameError);
    expect(clients.cachedTenants).toBe(0);
  });
});
