import { AttuneDbError } from "./attune-db-error.ts";

/** A PostgreSQL schema name was rejected before it could reach any SQL. */
export class InvalidSchemaNameError extends AttuneDbError {
  constructor(
    readonly schema: unknown,
    readonly reason: string,
  ) {
    super(`Invalid schema name ${JSON.stringify(schema)}: ${reason}`);
  }
}
