import pg from "pg";
import { POOLER_PARAMETER, parseDatabaseUrl } from "../config/datasource-url.ts";
import { InvalidDatabaseUrlError } from "../errors/invalid-database-url-error.ts";
import { PoolerError } from "../errors/pooler-error.ts";

const SUPPORTED = "Use pool_mode = session for the database attune-db connects to and add ?pgbouncer=session to its URL, or connect directly";

const TRANSACTION_POOLING =
  "attune-db does not run behind transaction (or statement) pooling: the search_path that makes a schema's raw SQL, " +
  "functions and triggers resolve in it is session state, which would stay with the server connection and be used " +
  "by the next client's transaction, in whatever schema that client wants. " + SUPPORTED + " (docs/production.md, \"Behind PgBouncer\").";

/**
 * How the URL says the server is reached: directly (no parameter), or through
 * PgBouncer in session pooling (`?pgbouncer=session`). Transaction pooling,
 * and Prisma's `?pgbouncer=true` (which means transaction pooling), are
 * refused with a {@link PoolerError}.
 */
export function poolerFromUrl(url: string): "direct" | "pgbouncer-session" {
  const value = parseDatabaseUrl(url).searchParams.get(POOLER_PARAMETER);
  if (value === null) return "direct";
  if (value === "session") return "pgbouncer-session";
  if (value === "transaction" || value === "statement" || value === "true") {
    throw new PoolerError("transaction-pooling", `?${POOLER_PARAMETER}=${value}: ${TRANSACTION_POOLING}`);
  }
  throw new InvalidDatabaseUrlError(`?${POOLER_PARAMETER}=${value}: expected "session" (the only pool mode attune-db supports)`);
}

/**
 * What a direct connection sends as startup parameters, sent instead as the
 * first statement of a connection through a session pooler (PgBouncer refuses
 * `options` and `statement_timeout` at startup). Session state is safe there:
 * the server connection is this client's until it disconnects, and PgBouncer
 * resets it (`DISCARD ALL`) before the next client gets it.
 */
export async function applySessionSettings(client: pg.ClientBase, settings: { searchPath: string; statementTimeoutMs?: number }): Promise<void> {
  if (settings.statementTimeoutMs === undefined) {
    await client.query("SELECT set_config('search_path', $1, false)", [settings.searchPath]);
  } else {
    await client.query("SELECT set_config('search_path', $1, false), set_config('statement_timeout', $2, false)", [
      settings.searchPath,
      `${settings.statementTimeoutMs}ms`,
    ]);
  }
}

/**
 * Fails with a {@link PoolerError} when the URL declared session pooling but
 * the pooler shares server connections between clients (transaction or
 * statement pooling). Two connections of ours are opened side by side: under
 * session pooling each has a server process of its own for its whole life;
 * under transaction pooling the second statement of the pair reuses the first
 * one's server process (PgBouncer hands out the most recently used one), or
 * the first connection's next statement lands on another process.
 */
export function assertSessionPooling(connectionString: string): Promise<void> {
  let check = sessionPoolingChecks.get(connectionString);
  if (!check) {
    check = probeSessionPooling(connectionString);
    sessionPoolingChecks.set(connectionString, check);
    check.catch(() => sessionPoolingChecks.delete(connectionString));
  }
  return check;
}

/** One check per pooler URL and process: a pooler's mode does not change under a running application. */
const sessionPoolingChecks = new Map<string, Promise<void>>();

async function probeSessionPooling(connectionString: string): Promise<void> {
  // Bounded: with a pool of one server connection, the second client would wait for the first to leave.
  const config = { connectionString, connectionTimeoutMillis: 5_000, query_timeout: 10_000, application_name: "attune-db:pooler-check" };
  const first = new pg.Client(config);
  const second = new pg.Client(config);
  for (const client of [first, second]) client.on("error", () => {});
  try {
    await Promise.all([first.connect(), second.connect()]);
    const pid = async (client: pg.Client) => (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    const a = await pid(first);
    const b = await pid(second).catch((cause: unknown) => {
      throw new PoolerError(
        "mode-unknown",
        `Could not check the pooler's mode: a second connection got no server connection while the first was open (${(cause as Error).message}). ` +
          "Is the pool's size 1? attune-db needs session pooling with a pool as large as its maxConnections.",
        { cause },
      );
    });
    const again = await pid(first);
    if (a === b || a !== again) {
      throw new PoolerError(
        "transaction-pooling",
        `The URL says ?${POOLER_PARAMETER}=session, but the pooler shares server connections between clients ` +
          `(two connections ran on server process ${b === a ? a : `${a} then ${again}`}): transaction pooling. ${TRANSACTION_POOLING}`,
      );
    }
  } finally {
    await Promise.all([first.end().catch(() => {}), second.end().catch(() => {})]);
  }
}

/**
 * A connection refused at startup because of a startup parameter (PgBouncer:
 * "unsupported startup parameter: options") becomes a {@link PoolerError}
 * that says what to configure; any other error is returned as it is.
 */
export function explainStartupRefusal(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const match = /unsupported startup parameter: (\w+)/.exec(message);
  if (!match) return error;
  return new PoolerError(
    "startup-parameter-refused",
    `The server refused the startup parameter "${match[1]}": a connection pooler (PgBouncer refuses it unless told to ignore it) ` +
      `sits between attune-db and PostgreSQL. attune-db sets search_path at connection start; behind PgBouncer in session pooling, ` +
      `add ?${POOLER_PARAMETER}=session to the URL and attune-db sets it right after connecting instead. ${SUPPORTED}.`,
    { cause: error },
  );
}

/** A pooler URL where attune-db needs a direct connection, refused with what to do. */
export function requireDirectConnection(url: string, who: string): void {
  if (parseDatabaseUrl(url).searchParams.has(POOLER_PARAMETER)) {
    throw new PoolerError(
      "direct-connection-required",
      `${who} needs a direct connection to PostgreSQL (it holds session locks across statements): remove ?${POOLER_PARAMETER}= and point the URL at the server, not the pooler.`,
    );
  }
}
