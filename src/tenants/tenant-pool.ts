import pg from "pg";
import { queryKeepingConnection } from "../client/create-pg-pool.ts";
import type { SearchPathRouter } from "./search-path-router.ts";

/**
 * One tenant's view of the shared pool, for its PrismaPg adapter: every
 * checkout (a statement outside a transaction, or a whole transaction) gets
 * a connection of the shared pool with the tenant's search_path, and keeps it
 * to itself until released, so no other tenant's statement runs on it
 * meanwhile. Ending the view does not end the shared pool.
 *
 * An instance of pg.Pool only by prototype (PrismaPg accepts nothing else);
 * it opens no connections of its own.
 */
export function createTenantPool(shared: pg.Pool, schema: string, router: SearchPathRouter): pg.Pool {
  const connect = async (): Promise<pg.PoolClient> => {
    const client = await shared.connect();
    try {
      await router.route(client, schema);
    } catch (error) {
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    return client;
  };

  // As createPgPool's query(): a statement the server refused keeps its connection.
  const query = async (config: pg.QueryConfig | string, values?: unknown[]): Promise<pg.QueryResult> =>
    queryKeepingConnection(await connect(), config, values);

  const view = Object.create(pg.Pool.prototype) as pg.Pool;
  return Object.assign(view, {
    options: shared.options,
    connect,
    query,
    // The shared pool has its own idle-error handler; listeners per tenant would only pile up on it.
    on: () => view,
    removeListener: () => view,
    end: async () => {},
  });
}
