import { z } from "zod";
import type { Sensor } from "../../prisma/generated/client.ts";
import { catalogRepository, type Id } from "./common/index.ts";
import { id, nullableJsonInput, packScopedRef } from "./common/input-validation.ts";

const createInput = z.object({
  ref: packScopedRef,
  packId: id.nullish(),
  packRef: z.string().min(1).nullish(),
  label: z.string().min(1),
  description: z.string(),
  entrypoint: z.string().min(1),
  runtimeId: id,
  runtimeRef: z.string().min(1),
  triggerId: id,
  triggerRef: z.string().min(1),
  /** NOT NULL without a default in the database, so required here. */
  enabled: z.boolean(),
  paramSchema: nullableJsonInput.optional(),
  config: nullableJsonInput.optional(),
});
/**
 * Unknown `packId`, `runtimeId` or `triggerId` is a ForeignKeyError naming the
 * relation (`sensor.runtime -> runtime`...). The `*Ref` columns are stored as
 * given (the database does not check them).
 */
export type CreateSensorInput = z.input<typeof createInput>;

const updateInput = createInput.pick({ label: true, description: true, entrypoint: true, enabled: true, paramSchema: true, config: true }).partial();
export type UpdateSensorInput = z.input<typeof updateInput>;

/**
 * Sensors: monitors that emit events for a trigger. Listed by ref. `delete`
 * takes the keys it owns with it (ON DELETE CASCADE) and is refused with a
 * ForeignKeyError (`event.source -> sensor`) while events it emitted still
 * point at it.
 */
export class SensorRepository extends catalogRepository({ model: "sensor", create: createInput, update: updateInput }) {
  async findByTrigger(triggerId: Id): Promise<Sensor[]> {
    return this.findWhere({ triggerId: this.toId(triggerId, "triggerId") });
  }

  async findEnabled(): Promise<Sensor[]> {
    return this.findWhere({ enabled: true });
  }

  async findByPack(packId: Id): Promise<Sensor[]> {
    return this.findWhere({ packId: this.toId(packId, "packId") });
  }
}
