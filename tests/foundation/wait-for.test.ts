/** @attune-schema none */
import { waitFor, Wakeup } from "../support/wait-for.ts";

describe("waitFor", () => {
  it("resolves with the check's first truthy result, checked again at each wake", async () => {
    const arrivals = new Wakeup();
    const received: number[] = [];
    setTimeout(() => {
      received.push(1, 2);
      arrivals.wake();
    }, 20);
    const started = Date.now();
    expect(await waitFor("two arrivals", () => received.length >= 2 && received, { timeoutMs: 10_000, wakeup: arrivals })).toEqual([1, 2]);
    expect(Date.now() - started).toBeLessThan(5_000); // woken, not timed out
  });

  it("misses no wake that comes while an asynchronous check runs", async () => {
    const arrivals = new Wakeup();
    let ready = false;
    const check = async () => {
      const seen = ready;
      ready = true;
      arrivals.wake(); // after the check has read its state, before waitFor waits
      await new Promise((resolve) => setTimeout(resolve, 5));
      return seen;
    };
    const started = Date.now();
    expect(await waitFor("the second check", check, { timeoutMs: 10_000, wakeup: arrivals })).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("polls what nothing signals, every pollMs", async () => {
    let checks = 0;
    expect(await waitFor("the third check", () => ++checks >= 3 && checks, { timeoutMs: 5_000, pollMs: 10 })).toBe(3);
  });

  it("fails after timeoutMs naming what it waited for, its last result and the state", async () => {
    await expect(waitFor("a notification", () => undefined, { timeoutMs: 50, pollMs: 10, state: () => ({ received: [1n] }) })).rejects.toThrow(
      'waited 50 ms for a notification, in vain: last undefined; {"received":["1"]}',
    );
  });

  it("resolves with undefined after timeoutMs when not required", async () => {
    expect(await waitFor("a rendezvous", () => false, { timeoutMs: 30, required: false })).toBeUndefined();
  });
});
