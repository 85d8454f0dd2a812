import type { Command } from "commander";
import { useDatabaseServer } from "../../embedded/database-server.ts";
import { migrationStatus } from "../../migrations/migration-status.ts";
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
        const server = await useDatabaseServer({ url: opts.url, log: console.error });
        try {
          const status = await migrationStatus({ url: server.url, schema: opts.schema });
          if (opts.json) {
            console.log(JSON.stringify(status, null, 2));
          } else {
            console.log(`Schema "${status.schema}"${status.schemaExists ? "" : " (does not exist)"}`);
            for (const m of status.applied) console.log(`  applied  ${m.name}${m.modified ? "  (MODIFIED since applied)" : ""}`);
            for (const name of status.failed) console.log(`  FAILED   ${name}`);
            for (const name of status.pending) console.log(`  pending  ${name}`);
            for (const name of status.unknown) console.log(`  unknown  ${name} (applied, not in prisma/migrations)`);
            console.log(status.upToDate ? "Up to date." : `${status.pending.length} pending migration(s).`);
          }
          if (!status.upToDate) process.exitCode = 1;
        } finally {
          await server.release();
        }
      }),
    );
}
