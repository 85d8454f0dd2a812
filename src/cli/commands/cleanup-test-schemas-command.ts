import cliProgress from "cli-progress";
import type { Command } from "commander";
import { loadDatabaseConfig } from "../../config/load-database-config.ts";
import { maskPassword } from "../../config/datasource-url.ts";
import { AttuneDbError } from "../../errors/attune-db-error.ts";
import { ConfigError } from "../../errors/config-error.ts";
import { cleanupTestSchemas, parseDuration } from "../../provisioner/cleanup-test-schemas.ts";
import { describeHolder } from "../../provisioner/lock-holders.ts";
import type { ReapReport } from "../../provisioner/reap-test-schemas.ts";
import { TEST_SCHEMA_PREFIX } from "../../provisioner/test-schema-name.ts";
import { confirmDrop } from "../confirm-drop.ts";
import { runCommand } from "../run-command.ts";

interface CleanupFlags {
  url?: string;
  prefix: string;
  olderThan?: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
  includeKept?: boolean;
  includeUnregistered?: boolean;
  concurrency: string;
}

export function registerCleanupTestSchemasCommand(program: Command): void {
  program
    .command("cleanup-test-schemas")
    .description(
      "drop orphaned test schemas (registered by attune-db, owner process gone); never a live one, never one without the prefix",
    )
    .option("--url <url>", "database URL (default: DATABASE_URL)")
    .option("--prefix <prefix>", "only schemas starting with this", TEST_SCHEMA_PREFIX)
    .option("--older-than <duration>", "only schemas created at least this long ago (e.g. 30m, 2h, 7d)")
    .option("--dry-run", "list what would be dropped, drop nothing")
    .option("--force", "do not ask for confirmation (also implied by the CI environment variable)")
    .option("--include-kept", "also drop schemas kept for inspection after failed tests")
    .option("--include-unregistered", "also drop schemas with the prefix that attune-db did not create (listed separately otherwise)")
    .option("--concurrency <n>", "connections dropping in parallel", "2")
    .option("--json", "print a machine-readable report")
    .action(runCommand(cleanup));
}

async function cleanup(flags: CleanupFlags): Promise<void> {
  const url = flags.url ?? loadDatabaseConfig().url;
  if (!url) throw new ConfigError("cleanup-test-schemas needs a server: pass --url or set DATABASE_URL", "DATABASE_URL");
  const olderThanMs = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan);
  const concurrency = Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    throw new AttuneDbError(`--concurrency must be a whole number from 1 to 16 (got ${flags.concurrency})`);
  }
  const common = {
    url,
    prefix: flags.prefix,
    olderThanMs,
    includeKept: flags.includeKept,
    includeUnregistered: flags.includeUnregistered,
    concurrency,
  };
  const say = (line: string) => (flags.json ? undefined : console.log(line));

  const listing = await cleanupTestSchemas({ ...common, dryRun: true });
  say(`${listing.candidates.length} orphaned schema(s) with prefix "${flags.prefix}" on ${maskPassword(url)}` +
      (listing.skippedAlive.length ? ` (${listing.skippedAlive.length} in use by live processes, left alone)` : ""));
  if (!flags.json) sayUnregistered(listing.unregistered, flags.prefix);
  if (flags.dryRun && !flags.json) sayBlocked(listing.blocked);
  if (flags.dryRun || listing.candidates.length === 0) {
    if (flags.json) printJson(listing, true);
    else for (const c of listing.candidates) console.log(`  ${c.name}  ${c.state ?? "unregistered"}  ${c.createdAt?.toISOString() ?? "age unknown"}`);
    return;
  }
  if (!(await confirmDrop("schemas", `Drop ${listing.candidates.length} schema(s)?`, { force: flags.force, ciConfirms: true }))) {
    say("Nothing dropped.");
    return;
  }

  const bar =
    !flags.json && process.stdout.isTTY
      ? new cliProgress.SingleBar({ format: "dropping [{bar}] {value}/{total} schemas  {eta_formatted} left" }, cliProgress.Presets.shades_classic)
      : undefined;
  bar?.start(listing.candidates.length, 0);
  const started = Date.now();
  const report = await cleanupTestSchemas({ ...common, onProgress: ({ dropped }) => bar?.update(dropped) });
  bar?.stop();
  const seconds = (Date.now() - started) / 1000;

  if (flags.json) printJson(report, false);
  else {
    sayBlocked(report.blocked);
    for (const { schema, message } of report.errors) console.error(`  error: ${schema}: ${message}`);
    console.log(
      `Dropped ${report.dropped.length} schema(s) in ${seconds.toFixed(1)} s (${(report.dropped.length / Math.max(seconds, 0.001)).toFixed(0)}/s); ` +
        `${report.errors.length} error(s); ${report.remaining} schema(s) with prefix "${flags.prefix}" remain.`,
    );
  }
  if (report.errors.length > 0) process.exitCode = 1;
}

function printJson(report: Awaited<ReturnType<typeof cleanupTestSchemas>>, dryRun: boolean): void {
  console.log(
    JSON.stringify(
      {
        dryRun,
        candidates: report.candidates.map((c) => ({ name: c.name, state: c.state, createdAt: c.createdAt })),
        dropped: report.dropped,
        skippedAlive: report.skippedAlive,
        blocked: report.blocked,
        unregistered: report.unregistered,
        errors: report.errors,
        remaining: report.remaining,
      },
      null,
      2,
    ),
  );
}

function sayUnregistered(names: readonly string[], prefix: string): void {
  if (names.length === 0) return;
  console.log(
    `${names.length} schema(s) with prefix "${prefix}" were not created by attune-db (no registry row); left alone ` +
      "(--include-unregistered drops them too):",
  );
  for (const name of names) console.log(`  ${name}`);
}

function sayBlocked(blocked: ReapReport["blocked"]): void {
  for (const { schema, holders } of blocked) {
    console.log(`  ${schema} is locked by ${holders.map(describeHolder).join("; ") || "another session"}: left for a later run`);
  }
}
