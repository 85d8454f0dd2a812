import readline from "node:readline/promises";
import { AttuneDbError } from "../errors/attune-db-error.ts";

/**
 * Whether a command may drop `what`: yes with `--force` or the CI environment
 * variable; otherwise the user answers `question` on the terminal. Without a
 * terminal to ask on, it refuses rather than guess.
 */
export async function confirmDrop(what: string, question: string, force: boolean | undefined): Promise<boolean> {
  if (force || process.env.CI) return true;
  if (!process.stdin.isTTY) {
    throw new AttuneDbError(`Refusing to drop ${what} without confirmation: no terminal to ask on. Pass --force.`);
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
