import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { withPgClient } from "../../src/client/connect-pg-client.ts";
import { createPrismaClient } from "../../src/client/create-prisma-client.ts";
import { withSchema } from "../../src/config/datasource-url.ts";
import { DEFAULT_MIGRATIONS_DIR } from "../../src/migrations/migration-files.ts";
import { createTenant } from "../../src/tenants/create-tenant.ts";
import { createTenantClients } from "../../src/tenants/create-tenant-clients.ts";
import { dropTenant } from "../../src/tenants/drop-tenant.ts";
import { forEachBounded } from "../../src/concurrency/for-each-bounded.ts";
import { listTenants } from "../../src/tenants/list-tenants.ts";
import type { MigrateTenantsReport } from "../../src/tenants/migrate-tenants.ts";
import { summarize, timed, type Summary } from "./stats.ts";

const ROOT = path.resolve(__dirname, "../..");
const NEW_MIGRATION = "29990101000000_bench_tenant_widget";

export interface CliMigrateRun {
  readonly exitCode: number;
  readonly wallSeconds: number;
  readonly migrated: number;
  readonly upToDate: number;
  readonly failed: number;
  /** Tenants reported failed, with the migration that failed. */
  readonly failures: readonly { tenant: string; migration?: string }[];
  /** Per migrated tenant: connect, lock, apply, record (ms). */
  readonly perTenant: Summary;
}

export interface TenantBenchResults {
  readonly tenants: number;
  readonly concurrency: number;
  readonly create: { readonly seconds: number; readonly perSecond: number; readonly perTenant: Summary };
  /** `attune-db tenants migrate` of one new migration, with one tenant deliberately broken; then again after the fix. */
  readonly migrate: { readonly broken: string; readonly first: CliMigrateRun; readonly rerun: CliMigrateRun };
  /** One request (pack.count) per sample, in turn: single-schema client vs forTenant, one tenant or rotating over several. */
  readonly routing: { readonly single: Summary; readonly oneTenant: Summary; readonly rotating: Summary; readonly rotatingOver: number };
  readonly connections: {
    readonly maxConnections: number;
    readonly peak: number;
    readonly tenantsActive: number;
    readonly requests: number;
    /** JS heap growth at its peak during the burst: every tenant with a request in flight has a client. */
    readonly heapGrowthMb: number;
  };
  /** One server connection's memory (pg_backend_memory_contexts) before and after one query in every tenant: its catalog caches grow with the tenants it serves. */
  readonly backendMemory: { readonly beforeMb: number; readonly afterMb: number; readonly tenants: number };
  /** Heap per cached tenant client (scripts/bench/measure-tenant-memory.ts), after two queries each. */
  readonly memoryPerClientMb: number | undefined;
  readonly catalog: { readonly pgClassRowsPerTenant: number; readonly databaseKbPerTenant: number; readonly pgClassRows: number; readonly databaseMb: number };
  readonly drop: { readonly seconds: number; readonly perSecond: number };
}

/**
 * Tenants at scale on one server: create `count` tenants, migrate one new
 * migration across all of them with the CLI (one tenant broken, then fixed
 * and re-run), the cost of forTenant routing per request, connections under
 * a burst over many tenants, catalog growth and memory per cached client.
 */
export async function measureTenants(
  url: string,
  options: { count: number; concurrency: number },
  log: (line: string) => void,
): Promise<TenantBenchResults> {
  const { count, concurrency } = options;
  const prefix = `bench_tn${process.pid}_`;
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`);
  const migrationsDir = fs.mkdtempSync(path.join(os.tmpdir(), "attune-bench-migrations-"));
  fs.cpSync(DEFAULT_MIGRATIONS_DIR, migrationsDir, { recursive: true });
  const catalogBefore = await catalogSize(url);
  try {
    log(`tenants: creating ${count}, ${concurrency} at a time...`);
    const perTenant: number[] = [];
    let done = 0;
    const seconds = (await timed(() =>
      forEachBounded(names, concurrency, async (name) => {
        perTenant.push(await timed(() => createTenant(name, { url, migrationsDir })));
        if (++done % 100 === 0) log(`tenants: ${done}/${count} created`);
      }),
    )) / 1000;
    const catalogAfter = await catalogSize(url);
    log(`tenants: ${count} created in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(1)}/s)`);

    const broken = names[Math.floor(count / 2)]!;
    fs.mkdirSync(path.join(migrationsDir, NEW_MIGRATION));
    fs.writeFileSync(path.join(migrationsDir, NEW_MIGRATION, "migration.sql"), "CREATE TABLE bench_tenant_widget (id integer PRIMARY KEY);\n");
    await withPgClient(url, broken, (client) => client.query("CREATE TABLE bench_tenant_widget (broken boolean)"));
    const first = await cliMigrate(url, prefix, migrationsDir, concurrency);
    log(`tenants: migrate with ${broken} broken: exit ${first.exitCode}, ${first.migrated} migrated, ${first.failed} failed in ${first.wallSeconds.toFixed(1)} s`);
    await withPgClient(url, broken, (client) => client.query("DROP TABLE bench_tenant_widget"));
    const rerun = await cliMigrate(url, prefix, migrationsDir, concurrency);
    log(`tenants: re-run after the fix: exit ${rerun.exitCode}, ${rerun.migrated} migrated, ${rerun.upToDate} up to date in ${rerun.wallSeconds.toFixed(1)} s`);

    const routing = await measureRouting(url, names, count >= 200 ? 2000 : 300, log);
    // Every tenant at once would need a client each (~7.6 MB): 1,000 exhaust a 4 GB heap (docs/scaling.md).
    const connections = await measureConnections(url, names.slice(0, 200));
    log(`tenants: peak ${connections.peak} connections of ${connections.maxConnections} with ${connections.tenantsActive} tenants active`);
    const backendMemory = await measureBackendMemory(url, names);
    log(`tenants: one connection's memory ${backendMemory.beforeMb.toFixed(1)} MB -> ${backendMemory.afterMb.toFixed(1)} MB after a query in each of ${count} tenants`);
    const memoryPerClientMb = await measureMemory(url, log);

    log(`tenants: dropping ${count}...`);
    const dropSeconds = (await timed(() => forEachBounded(names, concurrency, (name) => dropTenant(name, { url })))) / 1000;
    return {
      tenants: count,
      concurrency,
      create: { seconds, perSecond: count / seconds, perTenant: summarize(perTenant) },
      migrate: { broken, first, rerun },
      routing,
      connections,
      backendMemory,
      memoryPerClientMb,
      catalog: {
        pgClassRows: catalogAfter.pgClassRows,
        databaseMb: catalogAfter.databaseBytes / 2 ** 20,
        pgClassRowsPerTenant: (catalogAfter.pgClassRows - catalogBefore.pgClassRows) / count,
        databaseKbPerTenant: (catalogAfter.databaseBytes - catalogBefore.databaseBytes) / count / 1024,
      },
      drop: { seconds: dropSeconds, perSecond: count / dropSeconds },
    };
  } finally {
    // Nothing of the bench may outlive it on a shared server.
    const left = await listTenants({ url, filter: { prefix } }).catch(() => []);
    await forEachBounded(left, concurrency, ({ name }) => dropTenant(name, { url }).catch(() => {}));
    fs.rmSync(migrationsDir, { recursive: true, force: true });
  }
}

async function catalogSize(url: string): Promise<{ pgClassRows: number; databaseBytes: number }> {
  return withPgClient(url, "public", async (client) => {
    const { rows } = await client.query<{ n: number; bytes: string }>(
      "SELECT (SELECT count(*)::int FROM pg_class) AS n, pg_database_size(current_database())::text AS bytes",
    );
    return { pgClassRows: rows[0]!.n, databaseBytes: Number(rows[0]!.bytes) };
  });
}

/** `attune-db tenants migrate --json` over the bench's tenants, as a user runs it. */
async function cliMigrate(url: string, prefix: string, migrationsDir: string, concurrency: number): Promise<CliMigrateRun> {
  const args = ["tenants", "migrate", "--url", url, "--prefix", prefix, "--migrations-dir", migrationsDir, "--concurrency", String(concurrency), "--json"];
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, "scripts/attune-db.js"), ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  const exitCode = await new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  const wallSeconds = (performance.now() - started) / 1000;
  const report = JSON.parse(stdout) as MigrateTenantsReport;
  const timings = report.tenants.flatMap((t) => (t.outcome === "migrated" ? [t.durationMs] : []));
  return {
    exitCode,
    wallSeconds,
    migrated: report.migrated,
    upToDate: report.upToDate,
    failed: report.failed,
    failures: report.tenants.flatMap((t) => (t.outcome === "failed" ? [{ tenant: t.tenant, migration: t.migration }] : [])),
    perTenant: summarize(timings),
  };
}

/**
 * The same request, one at a time, through a plain single-schema client and
 * through forTenant: for one tenant (no search_path switch), and rotating
 * over 20 cached tenants on fewer connections (a switch on most checkouts).
 * The three take turns, call by call, so all see the same load.
 */
async function measureRouting(url: string, names: readonly string[], calls: number, log: (line: string) => void) {
  const rotatingOver = Math.min(20, names.length);
  const plain = createPrismaClient({ url: withSchema(url, names[0]!), maxConnections: 5 });
  const tenants = createTenantClients({ url, maxConnections: 5, maxCachedTenants: rotatingOver });
  try {
    const runs = {
      single: () => plain.pack.count(),
      oneTenant: () => tenants.forTenant(names[0]!).prisma.pack.count(),
      rotating: (i: number) => tenants.forTenant(names[i % rotatingOver]!).prisma.pack.count(),
    };
    for (let i = 0; i < 100; i++) for (const run of Object.values(runs)) await run(i);
    log(`tenants: routing overhead, ${calls} calls of each...`);
    const samples = { single: [] as number[], oneTenant: [] as number[], rotating: [] as number[] };
    const order = Object.keys(runs) as (keyof typeof runs)[];
    for (let i = 0; i < calls; i++) {
      // Each way takes each position in turn: none always runs right after another.
      const turn = [...order.slice(i % 3), ...order.slice(0, i % 3)];
      for (const key of turn) samples[key].push(await timed(() => runs[key](i)));
    }
    return { single: summarize(samples.single), oneTenant: summarize(samples.oneTenant), rotating: summarize(samples.rotating), rotatingOver };
  } finally {
    await Promise.all([plain.$disconnect(), tenants.close()]);
  }
}

/**
 * Every given tenant at once (three requests each) through one
 * createTenantClients: the most connections pg_stat_activity shows, and the
 * heap at its peak (a tenant with requests in flight keeps its client, even
 * when evicted from the cache).
 */
async function measureConnections(url: string, names: readonly string[]) {
  const maxConnections = 10;
  const applicationName = `attune-db:bench-tenants-${process.pid}`;
  const tenants = createTenantClients({ url, maxConnections, maxCachedTenants: 50, applicationName, poolTimeoutMs: 120_000 });
  let peak = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  let sampling = true;
  const sampler = withPgClient(url, "public", async (client) => {
    while (sampling) {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [applicationName]);
      peak = Math.max(peak, rows[0]!.n);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  try {
    await Promise.all(
      names.flatMap((name) => [0, 1, 2].map(() => tenants.forTenant(name).prisma.$queryRaw`SELECT count(*) FROM pack`)),
    );
  } finally {
    sampling = false;
    await sampler;
    await tenants.close();
  }
  return { maxConnections, peak, tenantsActive: names.length, requests: names.length * 3, heapGrowthMb: (heapPeak - heapBefore) / 2 ** 20 };
}

async function measureBackendMemory(url: string, names: readonly string[]) {
  return withPgClient(url, "public", async (client) => {
    const memory = async () =>
      Number((await client.query<{ bytes: string }>("SELECT sum(total_bytes)::text AS bytes FROM pg_backend_memory_contexts")).rows[0]!.bytes) / 2 ** 20;
    const beforeMb = await memory();
    for (const name of names) await client.query(`SELECT count(*) FROM "${name}".pack JOIN "${name}".action ON action.pack = pack.id`);
    return { beforeMb, afterMb: await memory(), tenants: names.length };
  });
}

/** Runs measure-tenant-memory.ts (it needs --expose-gc) on the same server; undefined if it fails. */
async function measureMemory(url: string, log: (line: string) => void): Promise<number | undefined> {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", path.join(ROOT, "scripts/bench/measure-tenant-memory.ts"), "--tenants", "100", "--json"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? -1)));
  if (code !== 0) {
    log(`tenants: the memory measurement failed (exit ${code})`);
    return undefined;
  }
  return (JSON.parse(stdout) as { usedPerTenantBytes: number }).usedPerTenantBytes / 2 ** 20;
}
