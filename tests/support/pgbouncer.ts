import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { withoutSchema } from "../../src/config/datasource-url.ts";

/** Where Debian's package puts it; else whatever is on PATH. */
const CANDIDATES = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"];

/** The PgBouncer binary, or undefined when it is not installed (`apt-get install pgbouncer`). */
export function findPgBouncer(): string | undefined {
  const onPath = (process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "pgbouncer"));
  return [...CANDIDATES, ...onPath].find((file) => fs.existsSync(file));
}

export interface PgBouncerOptions {
  readonly poolMode: "session" | "transaction";
  /** `ignore_startup_parameters`: e.g. "options", which PgBouncer otherwise refuses. */
  readonly ignoreStartupParameters?: string;
}

export interface RunningPgBouncer {
  /** `url` (the server PgBouncer forwards to) with host and port replaced by PgBouncer's. */
  urlFor(url: string): string;
  stop(): Promise<void>;
}

/**
 * Starts PgBouncer in front of the server of `serverUrl` (its user, password
 * and any database), on a free port of 127.0.0.1, and waits until it accepts
 * connections (at most 10 s). As root it runs as `postgres` (PgBouncer
 * refuses root), so its files live in a world-readable directory.
 */
export async function startPgBouncer(binary: string, serverUrl: string, options: PgBouncerOptions): Promise<RunningPgBouncer> {
  const server = new URL(withoutSchema(serverUrl));
  const user = decodeURIComponent(server.username || "postgres");
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "attune-pgbouncer-"));
  fs.chmodSync(dir, 0o755);
  const serverConnection = [`host=${server.hostname}`, `port=${server.port || 5432}`, `user=${user}`, password && `password=${password}`];
  const ini = [
    "[databases]",
    `* = ${serverConnection.filter(Boolean).join(" ")}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = trust",
    `auth_file = ${path.join(dir, "users.txt")}`,
    `pool_mode = ${options.poolMode}`,
    "default_pool_size = 20",
    "max_client_conn = 200",
    ...(options.ignoreStartupParameters ? [`ignore_startup_parameters = ${options.ignoreStartupParameters}`] : []),
  ].join("\n");
  fs.writeFileSync(path.join(dir, "pgbouncer.ini"), `${ini}\n`, { mode: 0o644 });
  fs.writeFileSync(path.join(dir, "users.txt"), `"${user}" ""\n`, { mode: 0o644 });

  const asRoot = process.getuid?.() === 0;
  const child = spawn(binary, [...(asRoot ? ["-u", "postgres"] : []), path.join(dir, "pgbouncer.ini")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (chunk) => (log += chunk));
  try {
    await waitForPort(port, child, () => log);
  } catch (error) {
    child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    urlFor(url) {
      const through = new URL(url);
      through.hostname = "127.0.0.1";
      through.port = String(port);
      return through.toString();
    },
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => (clearTimeout(timer), resolve()));
        child.kill("SIGINT");
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`PgBouncer exited with ${child.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`PgBouncer did not listen on 127.0.0.1:${port} within 10 s: ${log()}`);
}
