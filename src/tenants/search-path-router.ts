import type pg from "pg";
import { searchPath } from "../client/create-pg-pool.ts";

/**
 * Knows the search_path each physical connection of a shared pool has, and
 * switches it on checkout when it is not the checking-out tenant's: one
 * `SET search_path` round trip on a switch, none when the connection already
 * served that tenant last.
 */
export class SearchPathRouter {
  private readonly current = new WeakMap<pg.PoolClient, string>();

  constructor(
    /** @internal Tests of the tests only: a connection keeps the search_path of the first tenant that used it. */
    private readonly unsafeSkipSearchPathSwitch = false,
  ) {}

  /** Makes `client` (checked out, so used by no one else) resolve unqualified names in `schema`. */
  async route(client: pg.PoolClient, schema: string): Promise<void> {
    const wanted = searchPath(schema);
    const had = this.current.get(client);
    if (had === wanted || (had !== undefined && this.unsafeSkipSearchPathSwitch)) return;
    // Forgotten first: should the SET fail half way, the next checkout sets it again.
    this.current.delete(client);
    await client.query(`SET search_path TO ${wanted}`);
    this.current.set(client, wanted);
  }
}
