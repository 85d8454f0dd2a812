import { AttuneDbError } from "../../errors/attune-db-error.ts";
import { CheckViolationError } from "../../errors/check-violation-error.ts";
import { ConflictError } from "../../errors/conflict-error.ts";
import { ForeignKeyError } from "../../errors/foreign-key-error.ts";
import { NotFoundError } from "../../errors/not-found-error.ts";
import { CHECK_RULES, FOREIGN_KEYS, UNIQUE_FIELDS } from "./database-constraints.ts";

/** The PostgreSQL error under a Prisma 7 driver-adapter error (or a raw `pg` error). */
interface PgCause {
  readonly code: string;
  readonly message: string;
  readonly constraint?: string;
}

/**
 * Turns a database error into the typed error a caller can act on:
 * unique -> {@link ConflictError}, foreign key -> {@link ForeignKeyError},
 * CHECK or trigger rule -> {@link CheckViolationError}, missing row ->
 * {@link NotFoundError}. Anything else is returned unchanged.
 */
export function mapDatabaseError(entity: string, error: unknown, key?: Readonly<Record<string, unknown>>): unknown {
  if (error instanceof AttuneDbError) return error;
  const prismaCode = (error as { code?: unknown } | null)?.code;
  if (prismaCode === "P2025") return new NotFoundError(entity, key ?? {});
  const cause = pgCause(error);
  if (!cause) return error;
  const options = { cause: error };
  switch (cause.code) {
    case "23505": {
      const constraint = cause.constraint ?? quoted(cause.message, /constraint "([^"]+)"/);
      return new ConflictError(entity, (constraint && UNIQUE_FIELDS[constraint]) || [], constraint, options);
    }
    case "23503": {
      const constraint = cause.constraint ?? quoted(cause.message, /foreign key constraint "([^"]+)"/);
      const relation = (constraint && FOREIGN_KEYS[constraint]) || constraint || "unknown relation";
      const kind = /^update or delete on table/.test(cause.message) ? "referenced" : "missing";
      return new ForeignKeyError(entity, kind, relation, constraint, options);
    }
    case "23514": {
      const constraint = cause.constraint ?? quoted(cause.message, /check constraint "([^"]+)"/);
      return new CheckViolationError(entity, constraint, (constraint && CHECK_RULES[constraint]) || cause.message, options);
    }
    case "P0001": // RAISE EXCEPTION in a trigger (validate_key_owner)
      return new CheckViolationError(entity, undefined, cause.message, options);
    case "P0002": // no_data_found, raised by the webhook functions for an unknown trigger
      return new NotFoundError(entity, key ?? {});
    default:
      return error;
  }
}

function pgCause(error: unknown): PgCause | undefined {
  const adapter = (error as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } } | null)?.meta
    ?.driverAdapterError?.cause;
  if (adapter && typeof adapter.originalCode === "string") {
    const index = (adapter.constraint as { index?: unknown } | undefined)?.index;
    return {
      code: adapter.originalCode,
      message: String(adapter.originalMessage ?? ""),
      constraint: typeof index === "string" ? index : undefined,
    };
  }
  const raw = error as { code?: unknown; message?: unknown; constraint?: unknown } | null;
  if (raw && typeof raw.code === "string" && /^[0-9A-Z]{5}$/.test(raw.code)) {
    return {
      code: raw.code,
      message: String(raw.message ?? ""),
      constraint: typeof raw.constraint === "string" ? raw.constraint : undefined,
    };
  }
  return undefined;
}

function quoted(message: string, pattern: RegExp): string | undefined {
  return pattern.exec(message)?.[1];
}
