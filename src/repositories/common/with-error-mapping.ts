import type { DbClient } from "./db-client.ts";
import { mapDatabaseError, type ErrorContext } from "../../errors/map-database-error.ts";
import { tableName, type ModelKey } from "./model-types.ts";

type AnyFunction = (...args: unknown[]) => unknown;

/** Client methods whose calls run SQL; other `$` members (`$on`, `$extends`...) pass through untouched. */
const RAW_METHODS = new Set(["$queryRaw", "$executeRaw", "$queryRawUnsafe", "$executeRawUnsafe"]);

/**
 * `db` as seen by a repository: every query it runs (model operations, raw
 * SQL, interactive transactions and the queries inside them) rethrows
 * database errors as attune-db errors through {@link mapDatabaseError}, the
 * one mapper. A model operation's errors name that model's table; raw SQL's
 * name `entity`. A `NotFoundError` from a missing row carries the operation's
 * `where`; a `ValidationError` for a value the database refused names the
 * field of its `data`.
 *
 * A Proxy rather than a Prisma client extension, because a repository may be
 * handed a transaction client, which cannot be extended, and because callers'
 * own Prisma clients must keep Prisma's errors.
 */
export function withErrorMapping<D extends DbClient>(db: D, entity: string): D {
  const models = new Map<string, object>();
  return new Proxy(db, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof property !== "string") return value;
      if (property === "$transaction" && typeof value === "function") return transaction(value.bind(target), entity);
      if (RAW_METHODS.has(property) && typeof value === "function") {
        return mapped((value as AnyFunction).bind(target), entity, () => ({}));
      }
      if (property.startsWith("$") || value === null || typeof value !== "object") return value;
      let model = models.get(property);
      if (!model) models.set(property, (model = mappedModel(value, tableName(property as ModelKey))));
      return model;
    },
  });
}

/** A model delegate (`db.pack`) whose operations map their errors. */
function mappedModel(delegate: object, entity: string): object {
  const operations = new Map<string | symbol, unknown>();
  return new Proxy(delegate, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      let operation = operations.get(property);
      if (!operation) {
        operations.set(property, (operation = mapped((value as AnyFunction).bind(target), entity, contextOf)));
      }
      return operation;
    },
  });
}

function mapped(run: AnyFunction, entity: string, contextOf: (args: unknown[]) => ErrorContext) {
  return async (...args: unknown[]) => {
    try {
      return await run(...args);
    } catch (error) {
      throw mapDatabaseError(entity, error, contextOf(args));
    }
  };
}

/** `$transaction(work, options)`: `work` gets the transaction client with its errors mapped too. */
function transaction(run: AnyFunction, entity: string) {
  return mapped(
    (work: unknown, ...rest: unknown[]) =>
      run(typeof work === "function" ? (tx: DbClient) => (work as AnyFunction)(withErrorMapping(tx, entity)) : work, ...rest),
    entity,
    () => ({}),
  );
}

/** A model operation's `where` (the key of a missing row) and `data` (or an upsert's `create`). */
function contextOf(args: unknown[]): ErrorContext {
  const { where, data, create } = (args[0] ?? {}) as { where?: unknown; data?: unknown; create?: unknown };
  return {
    key: where !== null && typeof where === "object" ? (where as Record<string, unknown>) : undefined,
    input: data ?? create,
  };
}
