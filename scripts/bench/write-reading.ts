import { PER_FILE_MODES, type PerFileMode } from "./measure-per-file.ts";
import type { SuiteMode } from "./measure-suite.ts";
import { summarize } from "./stats.ts";
import type { BenchResults } from "./write-report.ts";

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(0));
const x = (v: number) => `${v.toFixed(2)}×`;

/**
 * The "Reading" section of benchmarks.md, written from this run's numbers:
 * what each comparison shows, never a figure from another run.
 */
export function writeReading(results: BenchResults): string {
  const { provisioning: p, recycling: rc, repository: r, suite, perFile } = results;
  const parts: string[] = ["## Reading", ""];
  parts.push(
    "Measured on a machine shared with other work: compare numbers within this run, as ratios. " +
      "Every figure below is this run's.",
    "",
    `**Getting a schema.** A pooled hand-out is one round trip (a \`FOR UPDATE SKIP LOCKED\` claim and an ` +
      `advisory lock): ${ms(p.handOut.median)} ms median, ${ms(p.handOut.p95)} ms p95 over ${p.handOut.n} hand-outs in a row; ` +
      `refills wait until hand-outs pause, so a burst of files starting is not slowed by builds. A cold create + migrate ` +
      `through the runner takes ${ms(p.cold.median)} ms, ${x(p.cold.median / p.replay.median)} the same SQL replayed by hand ` +
      `in one round trip (${ms(p.replay.median)} ms, the physical limit); one \`DROP SCHEMA ... CASCADE\` takes ${ms(p.drop.median)} ms.`,
    "",
    `**Recycling.** Reading the catalog row versions that recycling compares takes ${ms(rc.catalogVersions.median)} ms ` +
      `(a digest of the rows' contents, the alternative, ${ms(rc.catalogContents.median)} ms: ` +
      `${x(rc.catalogContents.median / rc.catalogVersions.median)} that). A whole recycle (compare, delete rows children first, ` +
      `restart sequences, verify) takes ${ms(rc.recycle.median)} ms against ${ms(rc.dropAndBuild.median)} ms to drop the ` +
      `schema and build a new one: ${x(rc.recycle.median / rc.dropAndBuild.median)}.`,
    "",
    `**Repositories.** \`findById\` against the bare \`findUnique\` it wraps: ${x(r.repository.median / r.bare.median)}; ` +
      `\`create\` with validation against the bare \`create\`: ${x(r.repositoryCreate.median / r.bareCreate.median)} ` +
      `(the two ways alternate which runs first).`,
    "",
  );
  for (const c of results.cleanup) {
    parts.push(
      `**Cleanup of ${c.orphans} ${c.kind} orphans** (${c.objectsPerSchema} objects each): ${c.perSecond.toFixed(0)} schemas/s, ` +
        `${c.errors} errors, ${c.remaining} left.`,
      "",
    );
  }
  if (perFile) parts.push(...readPerFile(perFile), "");
  if (suite) {
    const median = (mode: SuiteMode) => summarize(suite.runs.filter((run) => run.mode === mode).map((run) => run.seconds)).median;
    const [a, b, c] = [median("serial-shared"), median("parallel-no-pool"), median("parallel-pool")];
    parts.push(
      `**The suite** (${suite.files} files, ${suite.workers} workers for (b) and (c)): a private migrated schema per file ` +
        `from the pool (c) takes ${c.toFixed(1)} s, ${x(c / a)} the serial run on one shared schema (a, ${a.toFixed(1)} s), ` +
        `and ${x(c / b)} building and dropping a schema per file (b, ${b.toFixed(1)} s). On two cores the database and Jest ` +
        `already share the CPU in (a), so parallel runs cannot be several times faster here; with more cores (b) and (c) ` +
        `scale with workers and (a) cannot.`,
      "",
    );
  }
  return parts.join("\n");
}

function readPerFile(perFile: NonNullable<BenchResults["perFile"]>): string[] {
  const workers = perFile.costs[0]!.workers;
  const cost = (mode: PerFileMode, w = workers) => perFile.costs.find((c) => c.mode === mode && c.workers === w)?.perFile.median;
  const trivial = cost("trivial")!;
  const lines = [
    `**What one test file costs** (one query; the marginal cost of a file, ${workers} worker(s), Jest's default here), ` +
      `as a ratio to the trivial file (d, ${ms(trivial)} ms):`,
    "",
  ];
  for (const mode of Object.keys(PER_FILE_MODES) as PerFileMode[]) {
    const value = cost(mode);
    if (value !== undefined) lines.push(`- ${PER_FILE_MODES[mode]}: ${ms(value)} ms, ${x(value / trivial)}`);
  }
  if (cost("transaction-rollback") !== undefined) {
    lines.push(
      "",
      "(f) never commits, and that is what it cannot test: code that commits (or runs its own transactions), " +
        "NOTIFY (delivered only on commit), and work spread over several connections.",
    );
  }
  const ours = cost("attune-db");
  const plain = cost("prisma-per-file");
  if (ours !== undefined && plain !== undefined) {
    lines.push(
      "",
      `attune-db's file costs ${x(ours / plain)} a plain Prisma client per file on a shared schema: the environment ` +
        `hands each file its schema in one round trip, compiles Prisma's query compiler once per worker instead of once ` +
        `per file, keeps V8's code cache of every module for the next file with the functions earlier files ran (so ` +
        `no file compiles Prisma's runtime again), decodes Prisma's parameterization schema once per worker instead of ` +
        `once per client, and the file's realm loads only the helpers it calls (no provisioner, no configuration ` +
        `parser). ` +
        (ours > trivial
          ? `What is left over the trivial file (${ms(ours - trivial)} ms) is Jest evaluating the Prisma runtime, ` +
            `pg and the generated client again in the file's own realm (so that Dates and errors pass \`instanceof\`), ` +
            `whose code starts cold in every realm, the garbage all of that leaves, one new connection, and the background ` +
            `reset of the previous file's schema on the same cores (docs/running-tests.md, "Where the time goes", has a CPU ` +
            `profile). The physical limit is the trivial file plus one round trip.`
          : `It costs less than the trivial file here (${ms(trivial - ours)} ms less): the code cache also serves Jest's ` +
            `own modules (its runner, \`expect\`), which the trivial file, under \`testEnvironment: "node"\`, compiles ` +
            `anew each time, and that saving outweighs the database work that is left (a hand-out, a connection, the ` +
            `query, Prisma's runtime evaluated in the file's realm so that Dates and errors pass \`instanceof\`, and the ` +
            `background reset of the previous file's schema on the same cores; docs/running-tests.md, "Where the time ` +
            `goes", has a CPU profile). The trivial file is no floor for a file under this environment, then; the ` +
            `database's own floor is one round trip.`),
    );
  }
  const shared = cost("attune-db-vitest-no-isolate");
  if (shared !== undefined && ours !== undefined) {
    lines.push(
      "",
      `Under Vitest with \`isolate: false\` a file costs ${ms(shared)} ms (${x(shared / trivial)} the trivial Jest file): ` +
        `modules are evaluated once per worker, not per file, and each file still gets its own schema` +
        (shared < ours ? `: cheaper than under Jest (${ms(ours)} ms), for suites whose files do not depend on fresh module state.` : "."),
    );
  }
  const counts = [...new Set(perFile.costs.map((c) => c.workers))].sort((a, b) => a - b);
  if (counts.length > 1) {
    const byWorkers = counts.map((w) => `${w}: ${ms(cost("attune-db", w) ?? NaN)} ms`).join(", ");
    const best = counts.reduce((a, b) => ((cost("attune-db", b) ?? Infinity) < (cost("attune-db", a) ?? Infinity) ? b : a));
    lines.push(
      "",
      `By worker count (attune-db, ms per file): ${byWorkers}. The cheapest here is ${best} worker(s): per-file ` +
        `work is CPU (module evaluation), and the database needs a core too; more workers than cores pay off only ` +
        `while files wait on the database. Part of what more workers cost here is once per run, not per file: ` +
        `more files at once need more schemas in use and being reset, so the run's pool grows (each worker's ` +
        `refills build the schemas its own files do not bring back), and those builds fall inside the measured ` +
        `files.`,
    );
  }
  return lines;
}
