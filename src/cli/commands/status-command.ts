import type { Command } from "commander";
import { migrationStatus, type MigrationStatus } from "../../migrations/migration-status.ts";
import { requireDatabaseUrl } from "../require-database-url.ts";
import { runCommand } from "../run-command.ts";

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("list applied and pending migrations of a schema (exit code 1 when not up to date)")
    .option("--schema <name>", "schema to inspect (default: the configured schema)")
    .option("--url <url>", "database URL (default: DATABASE_URL)")
    .option("--json", "print machine-readable JSON")
    .action(
      runCommand(async (opts: { schema?: string; url?: string; json?: boolean }) => {
        requireDatabaseUrl("status", opts.url);
        const status = await migrationStatus({ url: opts.url, schema: opts.schema });
        if (opts.json) {
          console.log(JSON.stringify(status, null, 2));
        } else {
          console.log(`Schema "${status.schema}"${status.schemaExists ? "" : " (does not exist)"}`);
          for (const m of status.applied) console.log(`  applied  ${m.name}${m.modified ? "  (MODIFIED since applied)" : ""}`);
          for (const name of status.unknown) console.log(`  unknown  ${name} (applied, not in prisma/migrations)`);
          for (const name of status.failed) console.log(`  FAILED   ${name}`);
          for (const name of status.pending) console.log(`  pending  ${name}`);
          console.log(summary(status));
        }
        if (!status.upToDate) process.exitCode = 1;
      }),
    );
}

function summary(status: MigrationStatus): string {
  if (status.upToDate) return "Up to date.";
  const modified = status.applied.filter((m) => m.modified).length;
  const problems = [
    `${status.pending.length} pending`,
    modified > 0 && `${modified} modified since applied`,
    status.unknown.length > 0 && `${status.unknown.length} applied but missing from prisma/migrations`,
    status.failed.length > 0 && `${status.failed.length} failed`,
  ].filter(Boolean);
  const blocked = modified > 0 || status.unknown.length > 0 || status.failed.length > 0;
  return `Not up to date: ${problems.join(", ")}.${blocked ? " `attune-db migrate` refuses to run until this is resolved." : ""}`;
}
