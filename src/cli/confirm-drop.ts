import readline from "node:readline/promises";
import { AttuneDbError } from "../errors/attune-db-error.ts";

export interface ConfirmDropOptions {
  /** `--force` was passed. */
  readonly force: boolean | undefined;
  /**
   * The CI environment variable counts as `--force`: only for what a CI job
   * may drop unattended (test schemas), never for production data (tenants).
   */
  readonly ciConfirms: boolean;
}

/**
 * Whether a command may drop `what`: yes with `--force` (or CI, where
 * allowed); otherwise the user answers `question` on the terminal. Without a
 * terminal to ask on, it refuses rather than guess.
 */
export async function confirmDrop(what: string, question: string, { force, ciConfirms }: ConfirmDropOptions): Promise<boolean> {
  if (force || (ciConfirms && process.env.CI)) return true;
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
