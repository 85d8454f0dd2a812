import type { Command } from "commander";
import { maskPassword } from "../../config/datasource-url.ts";
import { loadDatabaseConfig } from "../../config/load-database-config.ts";
import { runCommand } from "../run-command.ts";

export function registerValidateConfigCommand(program: Command): void {
  program
    .command("validate-config")
    .description("print the resolved database configuration (password masked); exit code 1 when invalid")
    .option("--json", "print machine-readable JSON")
    .action(
      runCommand(async (opts: { json?: boolean }) => {
        const config = loadDatabaseConfig();
        const shown = {
          url: config.url === undefined ? null : maskPassword(config.url),
          schema: config.schema,
          schemaSource: config.schemaIsExplicit ? "explicit" : "default",
          maxConnections: config.maxConnections,
          nodeEnv: process.env.NODE_ENV ?? null,
        };
        if (opts.json) {
          console.log(JSON.stringify(shown, null, 2));
          return;
        }
        console.log(`DATABASE_URL     ${shown.url ?? "(unset: tests and the demo start an embedded PostgreSQL)"}`);
        console.log(`schema           ${shown.schema} (${shown.schemaSource})`);
        console.log(`max connections  ${shown.maxConnections}`);
        console.log("Configuration is valid.");
      }),
    );
}
