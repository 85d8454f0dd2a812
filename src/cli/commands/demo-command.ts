import type { Command } from "commander";
import { runDemo } from "../../demo/run-demo.ts";
import { runCommand } from "../run-command.ts";

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("migrate, install a demo pack, fire an event through enforcement and execution, print a summary (npm start)")
    .option("--keep", "leave the demo's rows (and a schema the demo created) in place")
    .action(runCommand(async (opts: { keep?: boolean }) => runDemo({ keep: opts.keep })));
}
