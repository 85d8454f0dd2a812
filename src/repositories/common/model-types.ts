import type { Prisma } from "../../../prisma/generated/client.ts";

/** A Prisma model as the client names it: `pack`, `packTestExecution`... */
export type ModelKey = Prisma.TypeMap["meta"]["modelProps"];

type Operations<K extends ModelKey> = Prisma.TypeMap["model"][Capitalize<K>]["operations"];

/** A row of model `K`, as Prisma returns it without `select`/`include`. */
export type Row<K extends ModelKey> = Prisma.TypeMap["model"][Capitalize<K>]["payload"]["scalars"];
/** What `create({ data })` accepts for model `K` (with foreign keys as ids or as relations). */
export type CreateData<K extends ModelKey> = Operations<K>["create"]["args"]["data"];
/** What `update({ data })` accepts for model `K`. */
export type UpdateData<K extends ModelKey> = Operations<K>["update"]["args"]["data"];
/** A `where` filter on model `K`. */
export type Where<K extends ModelKey> = NonNullable<Operations<K>["findMany"]["args"]["where"]>;
/** A `where` naming one row of model `K` by a unique key. */
export type UniqueWhere<K extends ModelKey> = Operations<K>["findUnique"]["args"]["where"];
/** An `orderBy` of model `K`. */
export type OrderBy<K extends ModelKey> = NonNullable<Operations<K>["findMany"]["args"]["orderBy"]>;

/** The table of model `K`: its name in snake_case (`packTestExecution` -> `pack_test_execution`), as schema.prisma maps every model. */
export function tableName(model: ModelKey): string {
  return model.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
