// A listener whose connection is killed (as a server restart or a network
// failure would) reconnects, LISTENs again, reports the gap, and delivers
// what is raised afterwards. Only this file's own listener connection is
// terminated, so this runs against any server.
import { DatabaseUnavailableError, type NotificationGap, type SchemaNotification } from "../../src/index.ts";
import { listenNotifications, type NotificationListener } from "../../src/notifications/listen-notifications.ts";
import { createRepositories } from "../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../src/testing/index.ts";
import { withClient } from "../support/pg.ts";
import { waitFor } from "../support/wait-for.ts";

const received: SchemaNotification[] = [];
const gaps: NotificationGap[] = [];
const errors: unknown[] = [];
let listener: NotificationListener;

beforeAll(async () => {
  listener = await listenNotifications({
    channels: ["listener_test"],
    onNotification: (notification) => received.push(notification),
    onReconnect: (gap) => gaps.push(gap),
    onError: (error) => errors.push(error),
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
});
afterAll(() => listener.close());

const notify = (entity: string) =>
  createRepositories(testPrisma()).notifications.create({ channel: "listener_test", entityType: "test", entity, activity: "made" });

/** Polled every 20 ms for up to 30 s, showing what arrived on failure. */
const PATIENTLY = { timeoutMs: 30_000, pollMs: 20, state: () => ({ received: received.map((n) => n.payload.entity), gaps: gaps.length }) };

it("reconnects after its connection is terminated, reports the gap, and delivers everything raised afterwards", async () => {
  await notify("before");
  await waitFor("the notification raised before", () => received.some((n) => n.payload.entity === "before"), PATIENTLY);

  // The server ends this backend as it ends every session on shutdown (57P01).
  const killed = await withClient(async (client) => {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN \"listener_test\"'",
    );
    for (const { pid } of rows) await client.query("SELECT pg_terminate_backend($1)", [pid]);
    return rows.length;
  });
  expect(killed).toBe(1);
  await waitFor("the gap to be reported", () => gaps.length === 1, PATIENTLY);

  expect(errors[0]).toBeInstanceOf(DatabaseUnavailableError);
  expect(errors[0]).toMatchObject({ reason: "server-shutdown", retryable: true });
  expect(gaps[0]).toMatchObject({ attempts: expect.any(Number), error: errors[0] });
  expect(gaps[0]!.upAt.getTime()).toBeGreaterThanOrEqual(gaps[0]!.downSince.getTime());
  expect(listener.connected).toBe(true);

  for (let i = 0; i < 20; i++) await notify(`after${i}`);
  const after = () => received.filter((n) => String(n.payload.entity).startsWith("after"));
  await waitFor("the 20 notifications raised afterwards", () => after().length === 20, PATIENTLY);
});

it("stops for good on close(), and not before", async () => {
  await listener.close();
  expect(listener.connected).toBe(false);
  const count = received.length;
  await notify("closed");
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(received).toHaveLength(count);
});
