import pg from "pg";
import { describeServer, withoutSchema } from "../config/datasource-url.ts";
import { quoteSchema } from "../schema/schema-name.ts";
import { SHARED_SCHEMAS } from "./shared-schemas.ts";

/** How long a connection attempt may take before it fails. */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface PgPoolOptions {
  readonly url: string;
  /** Schema placed first on every connection's search_path. */
  readonly schema: string;
  readonly max?: number;
  /** Default is `attune-db:<schema>` (lets the test provisioner find connections a test left open). */
  readonly applicationName?: string;
}

/**
 * A pg pool whose every connection starts with
 * `search_path = <schema>, extensions, public` (sent as a startup parameter,
 * so it costs no round trip), so raw SQL, functions and triggers resolve in
 * `schema`.
 */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    ...connectionConfig(options.url, options.schema),
    max: options.max ?? 10,
    application_name: options.applicationName ?? `attune-db:${options.schema}`,
  });
  // An idle client dying (server restart, schema dropped) must not crash the process.
  pool.on("error", () => {});
  return pool;
}

/** Connection settings shared by pools and single clients. */
export function connectionConfig(url: string, schema: string): pg.ClientConfig {
  return {
    connectionString: withoutSchema(url),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    options: `-c search_path=${searchPath(schema)}`,
  };
}

/** The search_path value for `schema` (validated and quoted). */
export function searchPath(schema: string): string {
  return [schema, ...SHARED_SCHEMAS].map(quoteSchema).join(",");
}

export { describeServer };
