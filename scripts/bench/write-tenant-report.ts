import fs from "node:fs";
import path from "node:path";
import type { TenantBenchResults } from "./measure-tenants.ts";
import type { Summary } from "./stats.ts";

export const TENANT_RESULTS_FILE = "benchmarks-tenants.json";

/** What `npm run bench -- --tenants` measured, with when and where. */
export interface TenantBenchRun {
  readonly date: string;
  readonly machine: string;
  readonly postgres: string;
  readonly results: TenantBenchResults;
}

export function saveTenantRun(run: TenantBenchRun, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, TENANT_RESULTS_FILE), `${JSON.stringify(run, null, 2)}\n`);
}

export function loadTenantRun(dir: string): TenantBenchRun | undefined {
  const file = path.join(dir, TENANT_RESULTS_FILE);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as TenantBenchRun) : undefined;
}

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const row = (name: string, s: Summary, unit = "ms") => `| ${name} | ${s.n} | ${ms(s.min)} | ${ms(s.median)} | ${ms(s.p95)} | ${ms(s.max)} | ${unit} |`;

/** The "Tenants" section of benchmarks.md, with its targets checked. */
export function tenantSection(run: TenantBenchRun): string[] {
  const r = run.results;
  const { first, rerun } = r.migrate;
  const ratio = (a: Summary, b: Summary) => a.median / b.median;
  const targets = [
    {
      name: `migrate ${r.tenants} tenants, one broken`,
      target: `${r.tenants - 1} migrated, 1 reported, exit ≠ 0`,
      measured: `${first.migrated} migrated, ${first.failed} reported (${first.failures.map((f) => f.tenant).join(", ")}), exit ${first.exitCode}`,
      met: first.migrated === r.tenants - 1 && first.failed === 1 && first.failures[0]?.tenant === r.migrate.broken && first.exitCode !== 0,
    },
    {
      name: "re-run after the fix",
      target: "only the fixed one migrated, exit 0",
      measured: `${rerun.migrated} migrated, ${rerun.upToDate} up to date, exit ${rerun.exitCode}`,
      met: rerun.migrated === 1 && rerun.upToDate === r.tenants - 1 && rerun.exitCode === 0,
    },
    {
      name: "forTenant / single-schema client (one tenant)",
      target: "≤ 1.1×",
      measured: `${ratio(r.routing.oneTenant, r.routing.single).toFixed(3)}×`,
      met: ratio(r.routing.oneTenant, r.routing.single) <= 1.1,
    },
    {
      name: `forTenant / single-schema client (rotating over ${r.routing.rotatingOver})`,
      target: "≤ 1.1×",
      measured: `${ratio(r.routing.rotating, r.routing.single).toFixed(3)}×`,
      met: ratio(r.routing.rotating, r.routing.single) <= 1.1,
    },
    {
      name: `connections, ${r.connections.tenantsActive} tenants at once`,
      target: `≤ maxConnections (${r.connections.maxConnections})`,
      measured: `peak ${r.connections.peak}`,
      met: r.connections.peak <= r.connections.maxConnections,
    },
  ];
  return [
    "## Tenants",
    "",
    `\`npm run bench -- --tenants ${r.tenants}\` (scripts/bench/measure-tenants.ts), ${run.date}, ${run.machine}, PostgreSQL ${run.postgres}.`,
    "",
    "| what | target | measured | |",
    "|---|---|---|---|",
    ...targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${t.met ? "met" : "**missed**"} |`),
    "",
    "| what | n | min | median | p95 | max | unit |",
    "|---|---|---|---|---|---|---|",
    row(`createTenant (register, create, apply every migration), ${r.concurrency} at a time`, r.create.perTenant),
    row("`tenants migrate`: one new migration, per migrated tenant", first.perTenant),
    row("single-schema client, `pack.count()`", r.routing.single),
    row("`forTenant(one).prisma.pack.count()`", r.routing.oneTenant),
    row(`\`forTenant(rotating over ${r.routing.rotatingOver}).prisma.pack.count()\`, 5 connections`, r.routing.rotating),
    "",
    `- Create: ${r.tenants} tenants in ${r.create.seconds.toFixed(1)} s = **${r.create.perSecond.toFixed(1)} tenants/s** (${r.concurrency} at a time).`,
    `- \`attune-db tenants migrate\` of one new migration over ${r.tenants} tenants (${r.concurrency} at a time, CLI wall time with Node's start): ` +
      `**${first.wallSeconds.toFixed(1)} s** with ${r.migrate.broken} broken (exit ${first.exitCode}); the re-run after the fix ${rerun.wallSeconds.toFixed(1)} s ` +
      "(it reads every tenant's applied migrations in one query and connects only to the one behind).",
    `- Connections: ${r.connections.requests} raw requests over ${r.connections.tenantsActive} tenants at once through one \`createTenantClients({ maxConnections: ${r.connections.maxConnections} })\`: ` +
      `peak **${r.connections.peak}** in pg_stat_activity; the heap grew by up to ${r.connections.heapGrowthMb.toFixed(0)} MB ` +
      "(each tenant with a request in flight holds its client, cached or not).",
    `- One server connection that ran a query (a join of two tables) in each of the ${r.backendMemory.tenants} tenants grew from ` +
      `${r.backendMemory.beforeMb.toFixed(1)} MB to **${r.backendMemory.afterMb.toFixed(1)} MB** (pg_backend_memory_contexts: catalog and plan caches per relation touched).`,
    `- Memory per cached tenant client (heap after GC, after two queries each): ${r.memoryPerClientMb === undefined ? "not measured" : `**${r.memoryPerClientMb.toFixed(1)} MB**`}.`,
    `- Catalog: ${r.catalog.pgClassRowsPerTenant.toFixed(0)} pg_class rows and ${r.catalog.databaseKbPerTenant.toFixed(0)} KB of database per empty tenant; ` +
      `${r.catalog.pgClassRows.toLocaleString("en-US")} pg_class rows and ${r.catalog.databaseMb.toFixed(0)} MB with all ${r.tenants}.`,
    `- Drop: ${r.tenants} tenants in ${r.drop.seconds.toFixed(1)} s (${r.drop.perSecond.toFixed(1)}/s).`,
    "",
  ];
}
