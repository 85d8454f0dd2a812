import { AttuneDbError } from "./attune-db-error.ts";
import { describeKey } from "./not-found-error.ts";

/** A compare-and-set update lost to concurrent writers `attempts` times in a row and gave up; retrying may succeed. */
export class ConcurrentUpdateError extends AttuneDbError {
  constructor(
    readonly entity: string,
    readonly key: Readonly<Record<string, unknown>>,
    readonly attempts: number,
  ) {
    super(`${entity} ${describeKey(key)}: changed concurrently ${attempts} times in a row, giving up`);
  }
}
