import { AttuneDbError } from "../errors/attune-db-error.ts";

/**
 * Runs a CLI action: expected failures (every {@link AttuneDbError}) print one
 * clear line and exit 1; anything else prints its stack.
 */
export function runCommand<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof AttuneDbError) console.error(`attune-db: ${error.message}`);
      else console.error(error);
      process.exitCode = 1;
    }
  };
}
