import fs from "node:fs";
import path from "node:path";
import type { CleanupResults } from "./measure-cleanup.ts";
import { PER_FILE_MODES, type PerFileResults } from "./measure-per-file.ts";
import type { ProvisioningResults } from "./measure-provisioning.ts";
import type { RecyclingResults } from "./measure-recycling.ts";
import type { RepositoryOverheadResults } from "./measure-repository-overhead.ts";
import type { SuiteMode, SuiteResults } from "./measure-suite.ts";
import { renderChart } from "./render-chart.ts";
import { writeReading } from "./write-reading.ts";
import { loadTenantRun, tenantSection } from "./write-tenant-report.ts";
import { summarize, type Summary } from "./stats.ts";

export interface BenchResults {
  readonly date: string;
  readonly machine: string;
  readonly postgres: string;
  readonly quick: boolean;
  readonly provisioning: ProvisioningResults;
  readonly recycling: RecyclingResults;
  readonly repository: RepositoryOverheadResults;
  readonly cleanup: readonly CleanupResults[];
  readonly suite: SuiteResults | undefined;
  readonly perFile: PerFileResults | undefined;
}

interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const MODE_LABEL: Record<SuiteMode, string> = {
  "serial-shared": "(a) serial, one shared schema, ordered cleanup",
  "parallel-no-pool": "(b) parallel, schema per file, no pool",
  "parallel-pool": "(c) parallel, schema per file, pool",
};

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const row = (name: string, s: Summary, unit = "ms") =>
  `| ${name} | ${s.n} | ${ms(s.min)} | ${ms(s.median)} | ${ms(s.p95)} | ${ms(s.max)} | ${unit} |`;

/** Writes benchmarks.md and benchmarks.svg into `dir`; returns the markdown path and a console table. */
export function writeReport(results: BenchResults, dir: string): { markdown: string; table: string } {
  fs.mkdirSync(dir, { recursive: true });
  const { provisioning: p, recycling: rc, repository: r, suite } = results;
  const suiteByMode = (mode: SuiteMode) => summarize(suite?.runs.filter((run) => run.mode === mode).map((run) => run.seconds) ?? []);
  const overheadByMode = (mode: SuiteMode) =>
    summarize(suite?.runs.filter((run) => run.mode === mode).map((run) => run.overhead.median) ?? []);
  const [a, b, cc] = [suiteByMode("serial-shared"), suiteByMode("parallel-no-pool"), suiteByMode("parallel-pool")];
  const tenants = loadTenantRun(dir);

  const targets: Target[] = [
    { name: "hand-out p50", target: "≤ 2 ms", measured: `${ms(p.handOut.median)} ms`, met: p.handOut.median <= 2 },
    { name: "hand-out p95", target: "≤ 1 ms", measured: `${ms(p.handOut.p95)} ms`, met: p.handOut.p95 <= 1 },
    {
      name: "cold create+migrate / hand replay",
      target: "≤ 1.2×",
      measured: `${(p.cold.median / p.replay.median).toFixed(2)}×`,
      met: p.cold.median / p.replay.median <= 1.2,
    },
    {
      name: "recycle (compare, empty, verify) / drop + build",
      target: "≤ 0.25×",
      measured: `${(rc.recycle.median / rc.dropAndBuild.median).toFixed(2)}×`,
      met: rc.recycle.median / rc.dropAndBuild.median <= 0.25,
    },
    ...results.cleanup.map((x) => ({
      name: `cleanup rate, ${x.orphans} ${x.kind} orphans`,
      target: "≥ 200 schemas/s, no errors",
      measured: `${x.perSecond.toFixed(0)} /s, ${x.errors} errors`,
      met: x.perSecond >= 200 && x.errors === 0,
    })),
    {
      name: "repository / bare Prisma (findUnique)",
      target: "≤ 1.1×",
      measured: `${(r.repository.median / r.bare.median).toFixed(3)}×`,
      met: r.repository.median / r.bare.median <= 1.1,
    },
  ];
  const perFile = results.perFile;
  const perFileCost = (mode: keyof typeof PER_FILE_MODES, workers = perFile?.costs[0]?.workers) =>
    perFile?.costs.find((c) => c.mode === mode && c.workers === workers)?.perFile.median;
  const [ours, trivial, plain] = [perFileCost("attune-db"), perFileCost("trivial"), perFileCost("prisma-per-file")];
  if (ours !== undefined && trivial !== undefined && plain !== undefined) {
    const workers = perFile!.costs[0]!.workers;
    targets.push(
      {
        name: `test file / trivial file (${workers} workers)`,
        target: "≤ 2×",
        measured: `${ms(ours)} / ${ms(trivial)} ms = ${(ours / trivial).toFixed(2)}×`,
        met: ours / trivial <= 2,
      },
      {
        name: `test file / plain Prisma per file (${workers} workers)`,
        target: "≤ 0.6×",
        measured: `${ms(ours)} / ${ms(plain)} ms = ${(ours / plain).toFixed(2)}×`,
        met: ours / plain <= 0.6,
      },
    );
  }
  if (suite) {
    const pooledOverhead = overheadByMode("parallel-pool");
    targets.push(
      { name: "per-file overhead p50 (pool)", target: "≤ 80 ms", measured: `${ms(pooledOverhead.median)} ms`, met: pooledOverhead.median <= 80 },
      { name: "suite (c) / suite (a)", target: "≤ 0.35", measured: (cc.median / a.median).toFixed(2), met: cc.median / a.median <= 0.35 },
      { name: "suite (c) faster than (b)", target: "c < b", measured: `${cc.median.toFixed(1)} s vs ${b.median.toFixed(1)} s`, met: cc.median < b.median },
    );
  }

  const lines = [
    "# Benchmarks",
    "",
    "Generated by `npm run bench` (scripts/bench/), reading included, from the numbers of this run (also in",
    "benchmarks.json). Do not edit by hand.",
    "",
    `- Date: ${results.date}${results.quick ? " (--quick: few repetitions, not for conclusions)" : ""}`,
    `- Machine: ${results.machine}`,
    `- PostgreSQL: ${results.postgres}`,
    suite ? `- Suite: ${suite.files} files, ${suite.tests} tests, ${suite.workers} Jest workers for (b) and (c); ${suite.runs.length / 3} run(s) of each` : "",
    "",
    "![benchmarks](benchmarks.svg)",
    "",
    "## Targets",
    "",
    "| what | target | measured | |",
    "|---|---|---|---|",
    ...targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${t.met ? "met" : "**missed**"} |`),
    "",
    "## Measurements",
    "",
    "| what | n | min | median | p95 | max | unit |",
    "|---|---|---|---|---|---|---|",
    row("hand-out of a pooled schema", p.handOut),
    row("cold: create + migrate + register (runner)", p.cold),
    row("limit: same SQL replayed by hand, one round trip", p.replay),
    row("limit: DROP SCHEMA ... CASCADE", p.drop),
    row("recycle: catalog row versions (what is compared)", rc.catalogVersions),
    row("alternative: digest of catalog row contents", rc.catalogContents),
    row("recycle: compare + delete rows + restart sequences + verify", rc.recycle),
    row("instead of recycling: drop + create + migrate", rc.dropAndBuild),
    row("bare Prisma findUnique", r.bare),
    row("repository findById", r.repository),
    row("bare Prisma create", r.bareCreate),
    row("repository create (validated)", r.repositoryCreate),
    ...(suite
      ? [
          ...(["serial-shared", "parallel-no-pool", "parallel-pool"] as const).map((mode) => row(`suite ${MODE_LABEL[mode]}`, suiteByMode(mode), "s")),
          ...(["serial-shared", "parallel-no-pool", "parallel-pool"] as const).map((mode) =>
            row(`per-file overhead ${mode} (median of run medians)`, overheadByMode(mode)),
          ),
        ]
      : []),
    "",
    ...(perFile
      ? [
          `### What one test file costs (one query; marginal: (time of ${perFile.large} files - time of ${perFile.small}) / ${perFile.large - perFile.small}, ms)`,
          "",
          "| way | workers | n | min | median | p95 | max | unit |",
          "|---|---|---|---|---|---|---|---|",
          ...perFile.costs.map((c) => row(`${PER_FILE_MODES[c.mode]} | ${c.workers}`, c.perFile, "ms/file")),
          "",
        ]
      : []),
    ...results.cleanup.map(
      (x) =>
        `Cleanup (\`cleanupTestSchemas\`, 2 connections): ${x.orphans} ${x.kind} orphans (${x.objectsPerSchema} dependent objects each) ` +
        `dropped in ${x.seconds.toFixed(1)} s = ${x.perSecond.toFixed(0)} schemas/s, ${x.errors} errors, ${x.remaining} remaining.  `,
    ),
    `For comparison, one \`DROP SCHEMA ... CASCADE\` of a migrated schema alone takes ${ms(p.drop.median)} ms ` +
      `(${(1000 / p.drop.median).toFixed(0)} schemas/s per connection).`,
    "",
    ...(tenants ? tenantSection(tenants) : []),
    "## Reproduce",
    "",
    "```sh",
    "npm ci",
    "npm run bench                      # embedded PostgreSQL, full run, writes docs/benchmarks.md",
    "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench",
    "npm run bench -- --quick           # smoke run (CI), report in a temp dir",
    "npm run bench -- --tenants 1000    # the tenant benchmark alone, into the report's Tenants section",
    "```",
    "",
    writeReading(results),
  ];
  const markdown = path.join(dir, "benchmarks.md");
  fs.writeFileSync(path.join(dir, "benchmarks.json"), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(markdown, lines.filter((l) => l !== undefined).join("\n").replace(/\n{3,}/g, "\n\n"));
  fs.writeFileSync(
    path.join(dir, "benchmarks.svg"),
    renderChart(`attune-db benchmarks (PostgreSQL ${results.postgres.split(" ")[0]}, medians)`, [
      ...(suite
        ? [
            {
              title: `Test suite wall time, ${suite.files} files (lower is better)`,
              bars: (["serial-shared", "parallel-no-pool", "parallel-pool"] as const).map((mode) => ({
                label: MODE_LABEL[mode].replace(/, ordered cleanup|, schema per file/, ""),
                value: suiteByMode(mode).median,
                text: `${suiteByMode(mode).median.toFixed(1)} s`,
                accent: mode === "parallel-pool",
              })),
            },
          ]
        : []),
      {
        title: "Getting a migrated schema (ms)",
        bars: [
          { label: "pooled hand-out", value: p.handOut.median, text: `${ms(p.handOut.median)} ms`, accent: true },
          { label: "cold create+migrate", value: p.cold.median, text: `${ms(p.cold.median)} ms` },
          { label: "hand replay (limit)", value: p.replay.median, text: `${ms(p.replay.median)} ms` },
          { label: "DROP SCHEMA CASCADE", value: p.drop.median, text: `${ms(p.drop.median)} ms` },
        ],
      },
    ]),
  );
  const table = [
    "target                                   measured             ",
    ...targets.map((t) => `${t.met ? "ok    " : "MISSED"} ${t.name.padEnd(40)} ${t.measured.padEnd(22)} (target ${t.target})`),
  ].join("\n");
  return { markdown, table };
}
