import { AttuneDbError } from "../errors/attune-db-error.ts";

/**
 * Runs `work` on every item with at most `concurrency` running at once and
 * returns the results in the items' order. `work` must not throw (callers turn
 * failures into outcomes), so one item never stops the others.
 */
export async function forEachBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new AttuneDbError(`concurrency must be a whole number of at least 1 (got ${concurrency})`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
