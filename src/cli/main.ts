import { Command } from "commander";
import { registerCleanupTestSchemasCommand } from "./commands/cleanup-test-schemas-command.ts";
import { registerDemoCommand } from "./commands/demo-command.ts";
import { registerMigrateCommand } from "./commands/migrate-command.ts";
import { registerStatusCommand } from "./commands/status-command.ts";
import { registerTenantsCommand } from "./commands/tenants-command.ts";
import { registerValidateConfigCommand } from "./commands/validate-config-command.ts";

export function buildProgram(): Command {
  const program = new Command("attune-db").description("attune data layer: migrations, configuration, test schemas, tenants");
  registerMigrateCommand(program);
  registerStatusCommand(program);
  registerValidateConfigCommand(program);
  registerCleanupTestSchemasCommand(program);
  registerTenantsCommand(program);
  registerDemoCommand(program);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}

if (require.main === module) void main();
