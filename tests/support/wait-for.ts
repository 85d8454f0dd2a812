/** Wakes the waits on it: call `wake()` whenever what they wait for may have changed (a notification arrived...). */
export class Wakeup {
  private wakes = 0;
  private readonly waiters = new Set<() => void>();

  wake(): void {
    this.wakes++;
    for (const resolve of this.waiters) resolve();
    this.waiters.clear();
  }

  /** How many wakes so far: a wait that passes it to `after` misses none that come while it checks. */
  get count(): number {
    return this.wakes;
  }

  /** Resolves at the first wake after the `count`-th (at once if there was one), or after `ms`. */
  after(count: number, ms: number): Promise<void> {
    if (this.wakes > count) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(woken);
        resolve();
      }, ms);
      const woken = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(woken);
    });
  }
}

export interface WaitOptions {
  /** How long to wait. */
  readonly timeoutMs: number;
  /** Checks again at each wake of this: for what signals its changes (notifications, a child's output). */
  readonly wakeup?: Wakeup;
  /** Checks again every `pollMs`, for what nothing signals (a file, a server's state). Default is 50 without a `wakeup`, never with one. */
  readonly pollMs?: number;
  /** What the failure message shows besides the last result (e.g. everything received). */
  readonly state?: () => unknown;
  /** Default is true: a timeout fails with a message naming `what`. false: it resolves with the last result (a best-effort wait). */
  readonly required?: boolean;
}

type Falsy = false | 0 | "" | null | undefined;

/**
 * Resolves with the first truthy result of `check`, which runs now and then at each wake of `wakeup` (or every
 * `pollMs`); after `timeoutMs` it rejects with an error naming `what`, the last result and `state()` (or, when not
 * `required`, resolves with undefined).
 */
export function waitFor<T>(what: string, check: () => T | Falsy | Promise<T | Falsy>, options: WaitOptions & { required?: true }): Promise<T>;
export function waitFor<T>(what: string, check: () => T | Falsy | Promise<T | Falsy>, options: WaitOptions): Promise<T | undefined>;
export async function waitFor<T>(what: string, check: () => T | Falsy | Promise<T | Falsy>, options: WaitOptions): Promise<T | undefined> {
  const { timeoutMs, wakeup, required = true } = options;
  const pollMs = options.pollMs ?? (wakeup ? timeoutMs : 50);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const wakes = wakeup?.count ?? 0;
    const result = await check();
    if (result) return result;
    const left = deadline - Date.now();
    if (left <= 0 && !required) return undefined;
    if (left <= 0) {
      const state = options.state ? `; ${show(options.state())}` : "";
      throw new Error(`waited ${timeoutMs} ms for ${what}, in vain: last ${show(result)}${state}`);
    }
    const wait = Math.min(left, pollMs);
    await (wakeup ? wakeup.after(wakes, wait) : new Promise((resolve) => setTimeout(resolve, wait)));
  }
}

/** `value` for a failure message (bigints as their digits). */
function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
}
