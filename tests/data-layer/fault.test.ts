/** @attune-schema none */
// Faults on a server this file starts for itself (whatever DATABASE_URL says,
// no other server is ever stopped): a restart and a longer stop during a burst
// of repository calls, and a frozen backend. The client that lived through
// them is the one that carries on.
import { withSchema } from "../../src/config/datasource-url.ts";
import {
  AttuneDbError,
  ConflictError,
  DatabaseUnavailableError,
  createPrismaClient,
  migrate,
  type NotificationGap,
  type PrismaClient,
  type SchemaNotification,
} from "../../src/index.ts";
import { listenNotifications } from "../../src/notifications/listen-notifications.ts";
import { createRepositories } from "../../src/repositories/create-repositories.ts";
import { withErrorMapping } from "../../src/repositories/common/with-error-mapping.ts";
import { waitFor } from "../support/wait-for.ts";
import { startOwnServer, type OwnServer } from "./support/own-server.ts";

const SCHEMA = "fault";
let server: OwnServer;
let url: string;
const clients: PrismaClient[] = [];

beforeAll(async () => {
  server = await startOwnServer();
  await migrate({ url: server.url, schema: SCHEMA });
  url = withSchema(server.url, SCHEMA);
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.$disconnect().catch(() => {})));
  await server?.stop();
});

const client = (options: { maxConnections?: number; queryTimeoutMs?: number } = {}) => {
  const prisma = createPrismaClient({ url, maxConnections: options.maxConnections ?? 5, queryTimeoutMs: options.queryTimeoutMs });
  clients.push(prisma);
  return prisma;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Polled every 20 ms for up to a minute: the server's faults take their time on a loaded machine. */
const PATIENTLY = { timeoutMs: 60_000, pollMs: 20 } as const;

it("a burst of calls across a restart and a 1.5 s stop: typed errors only, no row lost or doubled, the same client and listener recover", async () => {
  const prisma = client();
  const repos = createRepositories(prisma);
  const received: SchemaNotification[] = [];
  const gaps: NotificationGap[] = [];
  const listener = await listenNotifications({
    url,
    channels: ["fault_test"],
    onNotification: (notification) => received.push(notification),
    onReconnect: (gap) => gaps.push(gap),
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  });
  try {
    const seen = new Map<string, number>(); // what the calls threw, by class and reason
    const untyped: unknown[] = [];
    /** Creates a pack, retrying while the database is unavailable; a ConflictError on a retry means an earlier try committed. */
    async function create(ref: string): Promise<void> {
      for (let attempt = 1; ; attempt++) {
        try {
          await repos.packs.create({ ref, label: "F", version: "1.0.0" });
          await repos.notifications.create({ channel: "fault_test", entityType: "pack", entity: ref, activity: "created" });
          return;
        } catch (error) {
          const name = error instanceof DatabaseUnavailableError ? `${error.name}:${error.reason}` : (error as Error).name;
          seen.set(name, (seen.get(name) ?? 0) + 1);
          if (!(error instanceof AttuneDbError)) untyped.push(error);
          if (error instanceof ConflictError && attempt > 1) return;
          if (!(error instanceof DatabaseUnavailableError && error.retryable)) throw error;
          await sleep(50);
        }
      }
    }

    const total = 240;
    let next = 0;
    let done = 0;
    const workers = Array.from({ length: 12 }, async () => {
      while (next < total) {
        await create(`p${next++}`);
        done++;
      }
    });
    const faults = (async () => {
      await waitFor("50 packs created", () => done >= 50, PATIENTLY);
      await server.halt(); // a restart: down for as long as a restart takes
      await server.resume();
      await waitFor("130 packs created", () => done >= 130, PATIENTLY);
      await server.halt(); // a stop: calls fail as unreachable meanwhile
      await sleep(1_500);
      await server.resume();
    })();
    await Promise.all([...workers, faults]);

    expect(untyped).toEqual([]);
    expect([...seen.keys()].filter((name) => !/^DatabaseUnavailableError:|^DatabaseUnreachableError:|^ConflictError$/.test(name))).toEqual([]);
    expect([...seen.keys()].some((name) => name.startsWith("Database"))).toBe(true); // the faults were felt
    const refs = (await prisma.pack.findMany({ select: { ref: true } })).map((p) => p.ref).sort();
    expect(refs).toEqual(Array.from({ length: total }, (_, i) => `p${i}`).sort());

    // The listener was down twice; after its last reconnection every notification arrives.
    await waitFor("the listener to reconnect", () => gaps.length >= 1 && listener.connected, {
      ...PATIENTLY,
      state: () => ({ gaps: gaps.length, connected: listener.connected }),
    });
    expect(gaps.every((gap) => gap.error instanceof DatabaseUnavailableError)).toBe(true);
    // A burst notification committed just before the last outage may still be on its way: count only the late ones.
    const late = () => received.map((n) => String(n.payload.entity)).filter((entity) => entity.startsWith("late"));
    for (let i = 0; i < 100; i++) await repos.notifications.create({ channel: "fault_test", entityType: "pack", entity: `late${i}`, activity: "x" });
    await waitFor("the 100 late notifications", () => late().length === 100, { ...PATIENTLY, state: () => ({ received: late() }) });
    expect(late()).toEqual(Array.from({ length: 100 }, (_, i) => `late${i}`));
  } finally {
    await listener.close();
  }
}, 120_000);

it("a frozen backend: the client gives up after the query timeout plus 2 s, and the next call gets a fresh connection", async () => {
  const db = withErrorMapping(client({ maxConnections: 1, queryTimeoutMs: 500 }), "pack");
  const [{ pid }] = await db.$queryRaw<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`;
  process.kill(pid, "SIGSTOP"); // the server cannot even cancel the statement
  try {
    const started = Date.now();
    const error = await db.$queryRaw`SELECT 1`.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({ reason: "query-timeout", retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_400);
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    process.kill(pid, "SIGCONT");
  }
  const [{ pid: next }] = await db.$queryRaw<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`;
  expect(next).not.toBe(pid);
}, 60_000);
