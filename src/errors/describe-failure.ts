import { AttuneDbError } from "./attune-db-error.ts";
import type { UnavailableReason } from "./database-unavailable-error.ts";

/** What a failed database call says about its cause, from whichever layer raised it. */
export interface Failure {
  /** The server's or driver's own words; never Prisma's multi-line source excerpt. */
  readonly message: string;
  /** PostgreSQL's SQLSTATE, e.g. `23505`. */
  readonly sqlState?: string;
  /** The Prisma driver adapter's classification (`DriverAdapterError.cause.kind`), e.g. `DatabaseNotReachable`. */
  readonly kind?: string;
  /** Prisma's error code, e.g. `P2025`. */
  readonly prismaCode?: string;
  readonly constraint?: string;
  readonly column?: string;
  readonly host?: string;
  readonly port?: number;
  /** A connection failure recognised from pg's, pg-pool's or Node's own (code-less) errors. */
  readonly connectionReason?: UnavailableReason;
  /** Prisma refused the query's arguments before sending it (PrismaClientValidationError). */
  readonly invalidQuery?: boolean;
  /** An attune-db error already raised deeper down (the pool's, say), found in the cause chain. */
  readonly attuneError?: AttuneDbError;
}

type Loose = Record<string, unknown> | undefined | null;

// pg, pg-pool and Node report connection trouble as plain errors; these are
// their messages (pg 8, pg-pool 3) and system error codes.
const CONNECTION_MESSAGES: ReadonlyArray<readonly [RegExp, UnavailableReason]> = [
  [/^timeout exceeded when trying to connect$/, "pool-exhausted"],
  [/^Connection terminated due to connection timeout$/, "unreachable"],
  [/^Query read timeout$/, "query-timeout"],
  [/^Connection terminated( unexpectedly)?$|encountered a connection error and is not queryable/, "connection-lost"],
  [/^Client was closed and is not queryable$|^Cannot use a pool after calling end on the pool$/, "client-closed"],
  [/^Can't reach database server at /, "unreachable"],
];
const SYSTEM_CODES: Readonly<Record<string, UnavailableReason>> = {
  ECONNREFUSED: "unreachable",
  ENOTFOUND: "unreachable",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EAI_AGAIN: "unreachable",
  ETIMEDOUT: "unreachable",
  ECONNRESET: "connection-lost",
  EPIPE: "connection-lost",
};

/** Reads a failure from Prisma's, the driver adapter's, pg's or Node's error shapes; undefined for anything else. */
export function describeFailure(error: unknown): Failure | undefined {
  const attuneError = chain(error).find((e): e is AttuneDbError => e instanceof AttuneDbError);
  if (attuneError) return { message: attuneError.message, attuneError };
  const e = error as Loose;
  if (!e || typeof e !== "object") return undefined;
  const name = String(e.name ?? "");
  if (name.startsWith("PrismaClient")) return fromPrisma(e, name);
  if (name === "DriverAdapterError") return fromAdapter(e.cause as Loose, String(e.message ?? ""));
  return fromDriver(e);
}

function fromPrisma(error: Record<string, unknown>, name: string): Failure {
  const prismaCode = typeof error.code === "string" ? error.code : undefined;
  const meta = error.meta as Loose;
  const adapterCause =
    ((meta?.driverAdapterError as Loose)?.cause as Loose) ??
    ((chain(error).find((e) => (e as Loose)?.name === "DriverAdapterError") as Loose)?.cause as Loose);
  const ownMessage = lastLine(String(error.message ?? ""));
  const driver = adapterCause ? fromAdapter(adapterCause, ownMessage) : fromDriver(error.cause as Loose);
  return {
    ...driver,
    message: driver?.message ?? ownMessage,
    prismaCode,
    connectionReason: driver?.connectionReason ?? connectionReasonOf(ownMessage, undefined),
    invalidQuery: name === "PrismaClientValidationError",
  };
}

/** The `cause` of a DriverAdapterError: `{ kind, originalCode, originalMessage, constraint, ... }`. */
function fromAdapter(cause: Loose, fallback: string): Failure {
  const code = cause?.originalCode ?? cause?.code;
  const constraint = cause?.constraint as Loose;
  const message = [cause?.originalMessage, cause?.message, cause?.cause, cause?.reason].find((m) => typeof m === "string");
  return {
    message: (message as string | undefined) ?? (typeof cause?.kind === "string" ? `${cause.kind}${fallback ? `: ${fallback}` : ""}` : fallback),
    sqlState: typeof code === "string" && isSqlState(code) ? code : undefined,
    kind: typeof cause?.kind === "string" ? cause.kind : undefined,
    constraint: typeof constraint?.index === "string" ? constraint.index : undefined,
    column: typeof cause?.column === "string" ? cause.column : undefined,
    host: typeof cause?.host === "string" ? cause.host : undefined,
    port: typeof cause?.port === "number" ? cause.port : undefined,
  };
}

/** A pg DatabaseError (a SQLSTATE and a severity), a Node system error, or pg's and pg-pool's plain errors. */
function fromDriver(error: Loose): Failure | undefined {
  if (!error || typeof error !== "object") return undefined;
  const message = String(error.message ?? "");
  const code = typeof error.code === "string" ? error.code : undefined;
  if (code && isSqlState(code) && typeof error.severity === "string") {
    return {
      message,
      sqlState: code,
      constraint: typeof error.constraint === "string" ? error.constraint : undefined,
      column: typeof error.column === "string" ? error.column : undefined,
    };
  }
  const connectionReason = connectionReasonOf(message, code);
  return connectionReason ? { message: message || code || "connection error", connectionReason } : undefined;
}

function connectionReasonOf(message: string, code: string | undefined): UnavailableReason | undefined {
  if (code && SYSTEM_CODES[code]) return SYSTEM_CODES[code];
  return CONNECTION_MESSAGES.find(([pattern]) => pattern.test(message))?.[1];
}

function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code);
}

/** Prisma's messages start with the caller's source lines; what it has to say is the last line. */
function lastLine(message: string): string {
  return message.trim().split("\n").at(-1)?.trim() ?? "";
}

function chain(error: unknown): unknown[] {
  const found: unknown[] = [];
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) found.push(e);
  return found;
}
