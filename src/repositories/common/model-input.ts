import type { z } from "zod";
import type { CreateData, ModelKey, UpdateData, Where } from "./model-types.ts";

/** What a schema's parsed output becomes: a row to create, changes to a row, or a filter. */
export type ModelOperation = "create" | "update" | "where";

/** The Prisma type a schema's output is passed as, for `operation` on model `K`. */
export type ModelData<K extends ModelKey, O extends ModelOperation> = {
  create: CreateData<K>;
  update: UpdateData<K>;
  where: Where<K>;
}[O];

/**
 * `unknown` when a schema's parsed `Output` fits Prisma's `Data` exactly: no
 * key that the model does not have (a misspelt field), every required field,
 * every value of the right type. Otherwise a type whose name says what is
 * wrong, which tsc shows.
 */
export type Fits<Output, Data> = [Exclude<keyof Output, keyof Data>] extends [never]
  ? [Output] extends [Data]
    ? unknown
    : { readonly "the parsed input does not fit the model's type": Data }
  : { readonly "keys that the model does not have": Exclude<keyof Output, keyof Data> };

/**
 * `schema`, checked at compile time to be the input of `operation` on model
 * `model` (see {@link Fits}); nothing runs. The repositories' create and
 * update inputs are checked the same way where they are declared.
 */
export function modelInput<K extends ModelKey, O extends ModelOperation, S extends z.ZodType>(
  _model: K,
  _operation: O,
  schema: S & Fits<z.output<S>, ModelData<K, O>>,
): S {
  return schema;
}
