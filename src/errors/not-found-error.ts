import { AttuneDbError } from "./attune-db-error.ts";

/** No row of `entity` matches `key` (e.g. `{ id: 42n }` or `{ ref: "core.echo" }`). */
export class NotFoundError extends AttuneDbError {
  constructor(
    readonly entity: string,
    readonly key: Readonly<Record<string, unknown>>,
  ) {
    super(`${entity} not found: ${describeKey(key)}`);
  }
}

export function describeKey(key: Readonly<Record<string, unknown>>): string {
  return Object.entries(key)
    .map(([name, value]) => `${name}=${typeof value === "string" ? JSON.stringify(value) : String(value)}`)
    .join(", ");
}
