/**
 * Schemas every connection's search_path reaches after its own schema.
 * Extensions (pgcrypto) are database-wide: migrations install them into
 * `extensions`, never into an application or test schema, so that dropping a
 * test schema cannot take them away from every other schema. `public` stays
 * reachable for databases where pgcrypto was already installed there.
 */
export const EXTENSIONS_SCHEMA = "extensions";
export const SHARED_SCHEMAS: readonly string[] = [EXTENSIONS_SCHEMA, "public"];
