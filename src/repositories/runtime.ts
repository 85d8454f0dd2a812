import { z } from "zod";
import type { Runtime } from "../../prisma/generated/client.ts";
import { RuntimeType } from "../../prisma/generated/enums.ts";
import { catalogRepository, type Id } from "./common/index.ts";
import { id, jsonInput, nullableJsonInput, runtimeRef } from "./common/input-validation.ts";

const createInput = z.object({
  ref: runtimeRef,
  packId: id.nullish(),
  packRef: z.string().min(1).nullish(),
  description: z.string().nullish(),
  runtimeType: z.enum(RuntimeType),
  name: z.string().min(1),
  distributions: jsonInput,
  installation: nullableJsonInput.optional(),
});
/** A `packId` that does not exist is a ForeignKeyError (`runtime.pack -> pack`). */
export type CreateRuntimeInput = z.input<typeof createInput>;

const updateInput = createInput.pick({ description: true, name: true, distributions: true, installation: true }).partial();
export type UpdateRuntimeInput = z.input<typeof updateInput>;

/**
 * Runtimes: execution environments for actions or sensors. Listed by ref.
 * `delete` takes its sensors with it (ON DELETE CASCADE) and is refused with
 * a ForeignKeyError naming the relation while workers (`worker.runtime`) or
 * actions (`action.runtime`) still use it.
 */
export class RuntimeRepository extends catalogRepository({ model: "runtime", create: createInput, update: updateInput }) {
  async findByPack(packId: Id): Promise<Runtime[]> {
    return this.findWhere({ packId: this.toId(packId, "packId") });
  }
}
