import { AttuneDbError } from "./attune-db-error.ts";
import { CheckViolationError } from "./check-violation-error.ts";
import { ConflictError } from "./conflict-error.ts";
import { CHECK_RULES, FOREIGN_KEYS, UNIQUE_FIELDS } from "./database-constraints.ts";
import { DatabaseError } from "./database-error.ts";
import { DatabaseUnavailableError, type UnavailableReason } from "./database-unavailable-error.ts";
import { DatabaseUnreachableError } from "./database-unreachable-error.ts";
import { ForeignKeyError } from "./foreign-key-error.ts";
import { NotFoundError } from "./not-found-error.ts";
import { ValidationError } from "./validation-error.ts";
import { describeFailure, type Failure } from "./describe-failure.ts";
import { locateRejectedValue } from "./locate-rejected-value.ts";

/** What the failed call was doing, to say more in the error. */
export interface ErrorContext {
  /** The key of the row the call addressed (a NotFoundError names it). */
  readonly key?: Readonly<Record<string, unknown>>;
  /** The data the call sent (a ValidationError names the field the database refused). */
  readonly input?: unknown;
}

/** Input the database refused, by SQLSTATE, in words. */
const REJECTED_INPUT: Readonly<Record<string, string>> = {
  "22001": "is too long for its column",
  "22003": "is out of range for its column",
  "22007": "is not a valid date/time",
  "22008": "is out of the range of dates PostgreSQL accepts",
  "22009": "is out of the range of dates PostgreSQL accepts",
  "22021": "contains a character PostgreSQL cannot store (NUL)",
  "22P02": "is not valid for its column",
  "22P05": "contains a character PostgreSQL cannot store in JSON (\\u0000)",
  "23502": "is required",
  "54000": "is too large for an index of its column",
};

/** SQLSTATEs (and classes, by their first two characters) that mean the database could not serve the call. */
const UNAVAILABLE_STATES: Readonly<Record<string, UnavailableReason>> = {
  "08": "connection-lost",
  "25P03": "transaction-timeout",
  "53300": "too-many-connections",
  "57014": "query-timeout",
  "57P01": "server-shutdown",
  "57P02": "connection-lost",
  "57P03": "server-starting",
};

/** The driver adapter's kinds (`DriverAdapterError.cause.kind`) that mean the same. */
const UNAVAILABLE_KINDS: Readonly<Record<string, UnavailableReason>> = {
  ConnectionClosed: "connection-lost",
  SocketTimeout: "query-timeout",
  TooManyConnections: "too-many-connections",
};

/** Prisma's own codes that mean the same (P2028 is read from its message). */
const UNAVAILABLE_PRISMA_CODES: Readonly<Record<string, UnavailableReason>> = {
  P1001: "unreachable",
  P1002: "unreachable",
  P1008: "query-timeout",
  P1017: "connection-lost",
  P2024: "pool-exhausted",
};

/**
 * The one mapper from a database failure to the attune-db error a caller can
 * act on, wherever Prisma, its pg driver adapter, pg or pg-pool put the cause:
 * unique -> {@link ConflictError}; foreign key -> {@link ForeignKeyError};
 * CHECK or trigger rule -> {@link CheckViolationError}; missing row ->
 * {@link NotFoundError}; a value the database refused -> {@link ValidationError}
 * naming the field; down, unreachable, overloaded or out of time ->
 * {@link DatabaseUnavailableError}; any other database failure ->
 * {@link DatabaseError}. Errors that did not come from the database (a bug,
 * say) are returned unchanged, as are attune-db errors.
 */
export function mapDatabaseError(entity: string, error: unknown, context: ErrorContext = {}): unknown {
  if (error instanceof AttuneDbError) return error;
  const failure = describeFailure(error);
  if (!failure) return error;
  if (failure.attuneError) return failure.attuneError;
  const cause = { cause: error };
  if (failure.prismaCode === "P2025" || failure.sqlState === "P0002") return new NotFoundError(entity, context.key ?? {});
  switch (failure.sqlState) {
    case "23505": {
      const constraint = failure.constraint ?? quoted(failure.message, /constraint "([^"]+)"/);
      return new ConflictError(entity, (constraint && UNIQUE_FIELDS[constraint]) || [], constraint, cause);
    }
    case "23503": {
      const constraint = failure.constraint ?? quoted(failure.message, /foreign key constraint "([^"]+)"/);
      const relation = (constraint && FOREIGN_KEYS[constraint]) || constraint || "unknown relation";
      const kind = /^update or delete on table/.test(failure.message) ? "referenced" : "missing";
      return new ForeignKeyError(entity, kind, relation, constraint, cause);
    }
    case "23514": {
      const constraint = failure.constraint ?? quoted(failure.message, /check constraint "([^"]+)"/);
      return new CheckViolationError(entity, constraint, (constraint && CHECK_RULES[constraint]) || failure.message, cause);
    }
    case "P0001": // RAISE EXCEPTION in a trigger (validate_key_owner)
      return new CheckViolationError(entity, undefined, failure.message, cause);
  }
  const rejected = failure.sqlState && REJECTED_INPUT[failure.sqlState];
  if (rejected) {
    const field = locateRejectedValue(failure, context.input);
    return new ValidationError(entity, [{ field, message: `${rejected} (${failure.message})` }], cause);
  }
  const reason = unavailableReason(failure);
  if (reason === "unreachable" && failure.host !== undefined && failure.port !== undefined) {
    return new DatabaseUnreachableError(failure.host, failure.port, error, entity);
  }
  if (reason) return new DatabaseUnavailableError(reason, failure.message, { entity, cause: error });
  if (failure.invalidQuery) return new ValidationError(entity, [{ field: "", message: failure.message }], cause);
  return new DatabaseError(entity, failure.sqlState ?? failure.prismaCode, failure.message, cause);
}

function unavailableReason(failure: Failure): UnavailableReason | undefined {
  const state = failure.sqlState;
  if (state) return UNAVAILABLE_STATES[state] ?? UNAVAILABLE_STATES[state.slice(0, 2)];
  if (failure.kind === "DatabaseNotReachable") return "unreachable";
  if (failure.kind && UNAVAILABLE_KINDS[failure.kind]) return UNAVAILABLE_KINDS[failure.kind];
  if (failure.prismaCode === "P2028") {
    return /unable to start a transaction/i.test(failure.message) ? "pool-exhausted" : "transaction-timeout";
  }
  if (failure.prismaCode && UNAVAILABLE_PRISMA_CODES[failure.prismaCode]) return UNAVAILABLE_PRISMA_CODES[failure.prismaCode];
  return failure.connectionReason;
}

function quoted(message: string, pattern: RegExp): string | undefined {
  return pattern.exec(message)?.[1];
}
