/** @attune-schema none */
import net from "node:net";
import { DatabaseUnreachableError, createPrismaClient, migrate, migrationStatus } from "../../src/index.ts";

describe("a database that does not answer", () => {
  let silent: net.Server;
  let silentPort: number;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    // Accepts TCP connections and never says a word: a hung server.
    silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  async function closedPort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  it("refused: a clear error naming host and port, at once", async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await migrate({ url: `postgresql://postgres@127.0.0.1:${port}/db`, schema: "attune" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect((error as Error).message).toMatch(new RegExp(`Cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(4_000); // far below any timeout; loose for a loaded CI machine
  });

  it("silent: the same error within 5 s, no hang", async () => {
    const started = Date.now();
    const error = await migrationStatus({ url: `postgresql://postgres@127.0.0.1:${silentPort}/db`, schema: "attune" }).catch(
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect((error as DatabaseUnreachableError).host).toBe("127.0.0.1");
    expect((error as DatabaseUnreachableError).port).toBe(silentPort);
    expect(elapsed).toBeGreaterThanOrEqual(4_900);
    expect(elapsed).toBeLessThan(10_000); // the 5 s timeout, not a hang; loose for a loaded CI machine
  });

  it("a Prisma client on a silent server fails its first query after the 5 s connect timeout, no hang", async () => {
    // Load Prisma's query compiler first (against a refused port, which fails at
    // once), so that the measurement below is the connect timeout alone.
    const warmUp = createPrismaClient({ url: `postgresql://postgres@127.0.0.1:${await closedPort()}/db`, schema: "attune" });
    await expect(warmUp.$queryRaw`SELECT 1`).rejects.toThrow();
    await warmUp.$disconnect();

    const prisma = createPrismaClient({ url: `postgresql://postgres@127.0.0.1:${silentPort}/db`, schema: "attune" });
    const started = Date.now();
    await expect(prisma.$queryRaw`SELECT 1`).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(12_000);
    await prisma.$disconnect();
  });
});
