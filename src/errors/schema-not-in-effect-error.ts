import { AttuneDbError } from "./attune-db-error.ts";

/**
 * A new connection's `current_schema()` is not the schema its client was made
 * for: the schema does not exist (yet), or the server never applied the
 * search_path sent at connection start (a pooler that drops startup `options`,
 * say), so raw SQL would silently run in another schema. The connection is
 * closed and the call fails instead.
 */
export class SchemaNotInEffectError extends AttuneDbError {
  constructor(
    /** The schema the client was made for. */
    readonly schema: string,
    /** What `current_schema()` returned (null: no schema of the search_path exists). */
    readonly currentSchema: string | null,
    /** The connection's search_path as the server reports it. */
    readonly searchPath: string,
    /** Whether `schema` exists on the server. */
    readonly schemaExists: boolean,
  ) {
    super(
      `A new connection for schema "${schema}" runs in ${currentSchema === null ? "no schema" : `schema "${currentSchema}"`} ` +
        `(search_path is ${searchPath}): ` +
        (schemaExists
          ? "the server did not apply the search_path sent at connection start. A connection pooler that drops " +
            "startup options (PgBouncer with ignore_startup_parameters = options) does this: connect directly, or, " +
            "behind PgBouncer in session pooling, add ?pgbouncer=session to the URL (transaction pooling is not supported; " +
            "docs/production.md)."
          : `schema "${schema}" does not exist. Run \`attune-db migrate --schema ${schema}\` (or migrate()) first.`),
    );
  }
}
