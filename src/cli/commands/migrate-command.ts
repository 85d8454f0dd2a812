import type { Command } from "commander";
import { useDatabaseServer } from "../../embedded/database-server.ts";
import { migrate } from "../../migrations/migrate.ts";
import { runCommand } from "../run-command.ts";

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("create the schema if needed and apply pending migrations from prisma/migrations")
    .option("--schema <name>", "schema to migrate (default: ATTUNE_DB_SCHEMA, ?schema= of DATABASE_URL, else attune)")
    .option("--url <url>", "database URL (default: DATABASE_URL)")
    .action(
      runCommand(async (opts: { schema?: string; url?: string }) => {
        const server = await useDatabaseServer({ url: opts.url, log: console.error });
        try {
          if (server.embedded) console.error("Note: this server is thrown away when the command ends.");
          const started = Date.now();
          const result = await migrate({ url: server.url, schema: opts.schema ?? schemaOf(opts.url), log: console.log });
          for (const name of result.applied) console.log(`  applied ${name}`);
          console.log(
            `${result.applied.length} applied, ${result.alreadyApplied.length} already applied, schema "${result.schema}" (${Date.now() - started} ms)`,
          );
        } finally {
          await server.release();
        }
      }),
    );
}

function schemaOf(url: string | undefined): string | undefined {
  return url === undefined ? undefined : (new URL(url).searchParams.get("schema") ?? undefined);
}
