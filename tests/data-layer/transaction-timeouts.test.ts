// The repository methods that open a transaction of their own take its
// timeout per call; running past it is a typed error and nothing is written.
import { DatabaseUnavailableError } from "../../src/index.ts";
import { createRepositories } from "../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../src/testing/index.ts";
import { newAction, newEvent, newExecution, newRule } from "../repositories/fixtures/run-time-fixtures.ts";

const repos = () => createRepositories(testPrisma());
/** Long enough that a transaction with a 1 ms timeout has expired by its next statement. */
const TOO_SHORT = { timeoutMs: 1 };

async function expectTransactionTimeout(call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatabaseUnavailableError);
  expect(error).toMatchObject({ reason: "transaction-timeout", retryable: true });
}

it("executions.updateStatus: the transaction's timeout per call, and nothing written when it runs out", async () => {
  const execution = await newExecution();
  const bigResult = { rows: Array.from({ length: 2_000 }, (_, i) => ({ i, text: "x".repeat(50) })) };
  await expectTransactionTimeout(repos().executions.updateStatus(execution.id, "completed", { result: bigResult, transaction: TOO_SHORT }));
  expect(await repos().executions.getById(execution.id)).toMatchObject({ status: "requested", result: null });
  expect(await repos().notifications.findByEntity("execution", String(execution.id))).toEqual([]);
  const done = await repos().executions.updateStatus(execution.id, "completed", { result: bigResult, transaction: { timeoutMs: 60_000 } });
  expect(done.status).toBe("completed");
});

it("enforcements.createForEvent, queueStats.batchUpsert and workers.updateHeartbeat take it too", async () => {
  const { rule } = await newRule();
  const event = await newEvent();
  await expectTransactionTimeout(repos().enforcements.createForEvent({ eventId: event.id, ruleId: rule.id }, TOO_SHORT));
  expect(await repos().enforcements.findByEvent(event.id)).toEqual([]);

  const actions = [await newAction(), await newAction()];
  const rows = actions.map((a) => ({ actionId: a.id, queueLength: 1, activeCount: 0, maxConcurrent: 1, totalEnqueued: 1, totalCompleted: 0 }));
  await expectTransactionTimeout(repos().queueStats.batchUpsert(rows, TOO_SHORT));
  expect(await repos().queueStats.findByAction(actions[0]!.id)).toBeNull();
  expect(await repos().queueStats.batchUpsert(rows, { timeoutMs: 30_000 })).toHaveLength(2);

  const worker = await repos().workers.create({ name: "w", workerType: "local" });
  await expectTransactionTimeout(repos().workers.updateHeartbeat(worker.id, TOO_SHORT));
  expect((await repos().workers.getById(worker.id)).lastHeartbeat).toBeNull();
});
