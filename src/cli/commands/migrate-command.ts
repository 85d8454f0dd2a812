import type { Command } from "commander";
import { migrate } from "../../migrations/migrate.ts";
import { requireDatabaseUrl } from "../require-database-url.ts";
import { runCommand } from "../run-command.ts";

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description(
      "create the schema if needed and apply pending migrations from prisma/migrations; " +
        "refuses (exit code 1) when an applied migration was changed or deleted",
    )
    .option("--schema <name>", "schema to migrate (default: ATTUNE_DB_SCHEMA, ?schema= of DATABASE_URL, else attune)")
    .option("--url <url>", "database URL (default: DATABASE_URL)")
    .action(
      runCommand(async (opts: { schema?: string; url?: string }) => {
        requireDatabaseUrl("migrate", opts.url);
        const started = Date.now();
        // Without --url, migrate() reads the configuration itself, schema included.
        const result = await migrate({ url: opts.url, schema: opts.schema, log: console.log });
        for (const name of result.applied) console.log(`  applied ${name}`);
        console.log(
          `${result.applied.length} applied, ${result.alreadyApplied.length} already applied, schema "${result.schema}" (${Date.now() - started} ms)`,
        );
      }),
    );
}
