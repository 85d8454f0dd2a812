// What one cached tenant client of createTenantClients costs in memory: the
// heap (after a forced GC) with N tenant clients cached, minus the heap before,
// divided by N; first only made (forTenant, no I/O), then after each ran one
// model query and one raw query.
// Usage: node --expose-gc --import tsx scripts/bench/measure-tenant-memory.ts [--tenants 200] [--json]
//        (DATABASE_URL, else an embedded PostgreSQL). Results: docs/production.md.
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { useDatabaseServer } from "../../src/embedded/database-server.ts";
import { migrate } from "../../src/migrations/migrate.ts";
import { createTenantClients } from "../../src/tenants/create-tenant-clients.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

async function main(): Promise<void> {
  const flag = process.argv.indexOf("--tenants");
  const count = flag > 0 ? Number(process.argv[flag + 1]) : 200;
  const server = await useDatabaseServer({ log: console.error });
  const template = `bench_tenant_mem_${process.pid}`;
  const tenants = Array.from({ length: count }, (_, i) => `${template}_${i}`);
  const ddl = await connectPgClient(server.url, "public");
  try {
    await migrate({ url: server.url, schema: template });
    // Enough of a tenant for the queries below: its own pack table.
    await ddl.query(tenants.map((t) => `CREATE SCHEMA "${t}"; CREATE TABLE "${t}".pack (LIKE "${template}".pack INCLUDING ALL);`).join("\n"));

    const clients = createTenantClients({ url: server.url, maxConnections: 5, maxCachedTenants: count });
    // Warm up on the template: module-level caches (the query compiler) are not per tenant.
    await clients.forTenant(template).prisma.pack.count();
    const before = heapAfterGc();
    const start = performance.now();
    for (const t of tenants) clients.forTenant(t);
    const makeMs = (performance.now() - start) / count;
    const made = heapAfterGc();
    for (let i = 0; i < tenants.length; i += 5) {
      await Promise.all(
        tenants.slice(i, i + 5).map(async (t) => {
          const { prisma } = clients.forTenant(t);
          await prisma.pack.count();
          await prisma.$queryRaw`SELECT count(*) FROM pack`;
        }),
      );
    }
    const used = heapAfterGc();
    await clients.close();
    const closed = heapAfterGc();
    if (process.argv.includes("--json")) {
      const perTenant = (bytes: number) => Math.round(bytes / count);
      console.log(JSON.stringify({ tenants: count, madePerTenantBytes: perTenant(made - before), usedPerTenantBytes: perTenant(used - before), makeMs }));
      return;
    }
    console.log(`tenants: ${count}; heap before: ${mb(before)}`);
    console.log(`made (no I/O):        +${mb(made - before)}  = ${kb((made - before) / count)} per tenant, ${makeMs.toFixed(1)} ms each`);
    console.log(`after 2 queries each: +${mb(used - before)}  = ${kb((used - before) / count)} per tenant`);
    console.log(`after close():        +${mb(closed - before)}; rss ${mb(process.memoryUsage().rss)}`);
  } finally {
    await ddl.query([template, ...tenants].map((t) => `DROP SCHEMA IF EXISTS "${t}" CASCADE;`).join("\n")).catch(() => {});
    await ddl.end();
    await server.release();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
