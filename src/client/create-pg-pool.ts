import pg from "pg";
import { describeServer, withoutSchema } from "../config/datasource-url.ts";
import { DatabaseUnavailableError } from "../errors/database-unavailable-error.ts";
import { quoteSchema } from "../schema/schema-name.ts";
import { checkCurrentSchemaOnFirstConnection } from "./check-current-schema.ts";
import { applySessionSettings, assertSessionPooling, explainStartupRefusal, poolerFromUrl } from "./connection-pooler.ts";
import { SHARED_SCHEMAS } from "./shared-schemas.ts";

/** How long a connection attempt may take before it fails. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** How long a call of an application client waits for a free pooled connection: the `poolTimeoutMs` default. */
export const POOL_TIMEOUT_MS = 10_000;

/** How long one statement of an application client may run: the `queryTimeoutMs` default. */
export const QUERY_TIMEOUT_MS = 30_000;

/**
 * The client-side timeout runs this much longer than the server's
 * statement_timeout, so that the server's own cancel (which keeps the
 * connection) normally comes first; the client's fires only when the server
 * or the network does not answer at all.
 */
const CLIENT_TIMEOUT_MARGIN_MS = 2_000;

export interface PgPoolOptions {
  readonly url: string;
  /**
   * Schema placed first on every connection's search_path. `null`: only the
   * shared schemas (`extensions, public`), for a pool shared by many schemas
   * whose users set search_path on each checkout (createTenantClients).
   */
  readonly schema: string | null;
  readonly max?: number;
  /** Default is `attune-db:<schema>` (lets the test provisioner find connections a test left open), `attune-db:tenants` without a schema. */
  readonly applicationName?: string;
  /**
   * How long one statement may run, in ms: the server cancels it at this
   * point (statement_timeout) and the client gives up 2 s later if the server
   * does not answer (a frozen server, a dead network). 0 turns both off.
   * Default is 30 000 ({@link QUERY_TIMEOUT_MS}).
   */
  readonly queryTimeoutMs?: number;
  /**
   * How long a call waits for a free connection when all `max` are busy, in
   * ms, before it fails with a DatabaseUnavailableError (`pool-exhausted`).
   * Opening a connection is bounded separately (5 s). Default is 10 000
   * ({@link POOL_TIMEOUT_MS}).
   */
  readonly poolTimeoutMs?: number;
}

/**
 * A pg pool for an application client. Every connection starts with
 * `search_path = <schema>, extensions, public` and the query timeout (sent as
 * startup parameters, so they cost no round trip), so raw SQL, functions and
 * triggers resolve in `schema` and no statement runs unbounded. A statement
 * the server refuses (a unique violation, say) leaves its connection in the
 * pool, and a call that waits too long for a free connection fails with a
 * {@link DatabaseUnavailableError} saying so (`pool-exhausted`). The pool's
 * first connection checks that `current_schema()` is `schema`
 * ({@link checkCurrentSchemaOnFirstConnection}).
 */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  const queryTimeoutMs = options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
  const poolTimeoutMs = options.poolTimeoutMs ?? POOL_TIMEOUT_MS;
  const max = options.max ?? 10;
  // Behind PgBouncer (session pooling), what a direct connection sends at startup is the first statement instead.
  const pooled = poolerFromUrl(options.url) === "pgbouncer-session";
  const checkSchema = options.schema === null ? undefined : checkCurrentSchemaOnFirstConnection(options.schema);
  const onConnect = async (client: pg.ClientBase) => {
    if (pooled) {
      await assertSessionPooling(withoutSchema(options.url));
      await applySessionSettings(client, { searchPath: searchPath(options.schema), statementTimeoutMs: queryTimeoutMs });
    }
    await checkSchema?.(client);
  };
  const pool = new pg.Pool({
    ...connectionConfig(options.url, options.schema),
    max,
    application_name: options.applicationName ?? `attune-db:${options.schema ?? "tenants"}`,
    ...(queryTimeoutMs > 0 && { query_timeout: queryTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS }),
    ...(queryTimeoutMs > 0 && !pooled && { statement_timeout: queryTimeoutMs }),
    // pg-pool would bound both the wait for a free connection and the opening
    // of a new one with this; boundPoolWaits bounds the wait, the client
    // class the opening.
    connectionTimeoutMillis: 0,
    Client: BoundedConnectClient,
    ...((pooled || checkSchema) && { onConnect: onConnect as (client: pg.ClientBase) => void }),
  });
  // An idle client dying (server restart, schema dropped) must not crash the process.
  pool.on("error", () => {});
  boundPoolWaits(pool, max, poolTimeoutMs);
  keepConnectionsAfterStatementErrors(pool);
  return pool;
}

/**
 * A pg client that gives up opening its connection after
 * {@link CONNECT_TIMEOUT_MS}, whatever its pool waits, and says what to
 * configure when a pooler refuses its startup parameters.
 */
class BoundedConnectClient extends pg.Client {
  constructor(config: pg.ClientConfig = {}) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }

  override connect(): Promise<pg.Client>;
  override connect(callback: (error: Error) => void): void;
  override connect(callback?: (error: Error) => void): Promise<pg.Client> | void {
    // pg-pool passes a callback; direct users get a promise.
    if (callback) return super.connect((error: Error) => callback(error && (explainStartupRefusal(error) as Error)));
    return super.connect().catch((error: unknown) => {
      throw explainStartupRefusal(error);
    });
  }
}

/**
 * A call that finds all `max` connections busy waits at most `poolTimeoutMs`
 * for one to be released, then fails with a DatabaseUnavailableError
 * (`pool-exhausted`); a call that opens a new connection is bounded by the
 * connect timeout instead. (pg-pool has one timeout for both, and reports the
 * wait as "timeout exceeded when trying to connect".) A connection that comes
 * free after its caller gave up goes straight back to the pool.
 */
function boundPoolWaits(pool: pg.Pool, max: number, poolTimeoutMs: number): void {
  const connect = pool.connect.bind(pool) as (callback?: unknown) => Promise<pg.PoolClient>;
  pool.connect = ((callback?: unknown) => {
    if (callback !== undefined) return connect(callback);
    if (pool.totalCount < max || pool.idleCount > 0 || poolTimeoutMs <= 0) return connect();
    return new Promise<pg.PoolClient>((resolve, reject) => {
      let gaveUp = false;
      const timer = setTimeout(() => {
        gaveUp = true;
        const detail = `no free connection within ${poolTimeoutMs} ms: all ${max} were in use (raise maxConnections, or shorten the work done while holding one)`;
        reject(new DatabaseUnavailableError("pool-exhausted", detail));
      }, poolTimeoutMs);
      connect().then(
        (client) => (clearTimeout(timer), gaveUp ? client.release() : resolve(client)),
        (error: unknown) => (clearTimeout(timer), gaveUp || reject(error)),
      );
    });
  }) as typeof pool.connect;
}

/**
 * pg-pool's own query() hands the statement's error to release(), which
 * closes the connection: every unique violation outside a transaction cost a
 * reconnect (~80 ms through Prisma), and a burst of them emptied the pool. A
 * statement the server answered with an ERROR leaves the connection usable, so
 * only other failures (connection loss, a client-side timeout with the
 * statement still running) close it. Prisma's adapter calls query() on the
 * pool for every statement outside a transaction.
 */
function keepConnectionsAfterStatementErrors(pool: pg.Pool): void {
  const poolQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = (async (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof values === "function" || typeof callback === "function" || typeof config === "function") {
      return poolQuery(config, values, callback);
    }
    return queryKeepingConnection(await pool.connect(), config as pg.QueryConfig, values as unknown[] | undefined);
  }) as typeof pool.query;
}

/**
 * Runs one statement on a checked-out connection and releases it: back to
 * its pool after success or a statement error, closed after anything else.
 */
export async function queryKeepingConnection(client: pg.PoolClient, config: pg.QueryConfig | string, values?: unknown[]): Promise<pg.QueryResult> {
  let broken: Error | undefined;
  // As pg-pool's query() does: a connection error outside the statement must not go unhandled.
  const onError = (error: Error) => (broken = error);
  client.on("error", onError);
  try {
    return await client.query(config as pg.QueryConfig, values);
  } catch (error) {
    if (!isStatementError(error)) broken ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.removeListener("error", onError);
    client.release(broken);
  }
}

/** An ERROR the server sent for one statement; after it the connection is ready for the next. */
function isStatementError(error: unknown): boolean {
  return error instanceof pg.DatabaseError && error.severity === "ERROR";
}

/**
 * Connection settings shared by pools and single clients; `schema` null: only
 * the shared schemas on search_path. Behind a session pooler the search_path
 * is not a startup parameter (see {@link applySessionSettings}).
 */
export function connectionConfig(url: string, schema: string | null): pg.ClientConfig {
  return {
    connectionString: withoutSchema(url),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(poolerFromUrl(url) === "direct" && { options: `-c search_path=${searchPath(schema)}` }),
  };
}

/** The search_path value for `schema` (validated and quoted); `null`: the shared schemas only. */
export function searchPath(schema: string | null): string {
  return [...(schema === null ? [] : [schema]), ...SHARED_SCHEMAS].map(quoteSchema).join(",");
}

export { describeServer };
