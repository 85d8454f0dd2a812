import fs from "node:fs";
import path from "node:path";

/**
 * Lets a Jest worker process end as soon as Jest has told it to.
 *
 * Jest ends a worker by removing its message listener and waiting for the
 * process to exit on its own; after `workerGracefulExitTimeout` (500 ms by
 * default) it kills it and warns that tests leak. A worker whose event loop
 * has drained still has to tear down its V8 heap (hundreds of page unmaps for
 * a worker that loaded pg, zod and the environment); on a busy 2-core machine
 * that alone took longer than 500 ms (measured with strace: END received,
 * sockets closed within 10 ms, then ~530 ms of munmap before the SIGTERM).
 * `process.exit()` at `beforeExit` skips that teardown: the loop is already
 * empty, so nothing is cut short ('exit' handlers still run). See
 * docs/running-tests.md for the measurement.
 *
 * Only in Jest's child-process workers, and only when no one else listens for
 * `beforeExit` (such a listener may still have asynchronous work to do).
 *
 * With `ATTUNE_DB_WORKER_EXIT_REPORT=<dir>`, each worker writes
 * `<dir>/<pid>.json` saying how its exit went: `drained` (the event loop
 * emptied, so nothing leaked) with the milliseconds it took, or, after a
 * second, the handles that still keep it alive.
 */
export function exitPromptlyWhenJestEndsThisWorker(): void {
  if (!process.env.JEST_WORKER_ID || typeof process.send !== "function") return;
  const key = Symbol.for("attune-db.exitPromptly");
  const marked = process as unknown as Record<symbol, boolean>;
  if (marked[key]) return;
  marked[key] = true;
  const reportDir = process.env.ATTUNE_DB_WORKER_EXIT_REPORT;
  const endedAt = reportDir ? watchForJestsEnd() : undefined;
  process.once("beforeExit", (code) => {
    if (reportDir) writeReport(reportDir, { drained: true, ms: endedAt?.value === undefined ? null : Date.now() - endedAt.value });
    if (process.listenerCount("beforeExit") === 0) process.exit(code);
  });
}

/** When Jest removes the worker's message listener (its way of saying "end"), notes the time and arms a report of what keeps the process alive. */
function watchForJestsEnd(): { value: number | undefined } {
  const endedAt: { value: number | undefined } = { value: undefined };
  const removeListener = process.removeListener.bind(process);
  process.removeListener = ((event: string | symbol, listener: (...args: unknown[]) => void) => {
    removeListener(event, listener);
    if (event === "message" && endedAt.value === undefined) {
      endedAt.value = Date.now();
      const dir = process.env.ATTUNE_DB_WORKER_EXIT_REPORT!;
      setTimeout(() => writeReport(dir, { drained: false, aliveBecauseOf: liveHandles() }), 1_000).unref();
    }
    return process;
  }) as typeof process.removeListener;
  return endedAt;
}

function liveHandles(): string[] {
  type Handle = { constructor: { name: string }; hasRef?(): boolean; _handle?: { hasRef?(): boolean } };
  const handles = (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles();
  return handles.filter((h) => (h.hasRef?.() ?? h._handle?.hasRef?.() ?? true) === true).map((h) => h.constructor.name);
}

function writeReport(dir: string, report: object): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(report));
}
