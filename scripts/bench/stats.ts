export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

/** min / median / p95 / max of `samples` (milliseconds, or any unit). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { n: 0, min: NaN, median: NaN, p95: NaN, max: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { n: sorted.length, min: sorted[0]!, median, p95: at(0.95), max: sorted[sorted.length - 1]! };
}

export function now(): number {
  return performance.now();
}

/** Runs `fn` and returns how long it took, in ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = now();
  await fn();
  return now() - start;
}
