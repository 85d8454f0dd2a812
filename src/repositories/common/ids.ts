/** An entity id: PostgreSQL BIGINT. Plain numbers are accepted for convenience and converted. */
export type Id = bigint | number;

export function toId(id: Id): bigint {
  return typeof id === "bigint" ? id : BigInt(id);
}
