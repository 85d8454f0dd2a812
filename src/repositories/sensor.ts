import { z } from "zod";
import type { Prisma, Sensor } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, packScopedRef, parseInput } from "./common/input-validation.ts";
import { nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "sensor";

const createSensorInput = z.object({
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
export type CreateSensorInput = z.input<typeof createSensorInput>;

const updateSensorInput = createSensorInput
  .pick({ label: true, description: true, entrypoint: true, enabled: true, paramSchema: true, config: true })
  .partial();
export type UpdateSensorInput = z.input<typeof updateSensorInput>;

/** Sensors: monitors that emit events for a trigger. Listed by ref. */
export class SensorRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Sensor | null> {
    return mapErrors(ENTITY, () => this.db.sensor.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<Sensor | null> {
    return mapErrors(ENTITY, () => this.db.sensor.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<Sensor> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async getByRef(ref: string): Promise<Sensor> {
    return (await this.findByRef(ref)) ?? notFound({ ref });
  }

  /** One page of sensors, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<Sensor>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.sensor.findMany({ orderBy: { ref: "asc" }, ...window }),
      () => this.db.sensor.count(),
    );
  }

  /**
   * Creates a sensor. Unknown `packId`, `runtimeId` or `triggerId` is a
   * {@link ForeignKeyError} naming the relation (`sensor.runtime -> runtime`...).
   * The `*Ref` columns are stored as given (the database does not check them).
   */
  async create(input: CreateSensorInput): Promise<Sensor> {
    const data = parseInput(ENTITY, createSensorInput, input);
    return mapErrors(ENTITY, () => this.db.sensor.create({ data: data as Prisma.SensorUncheckedCreateInput }));
  }

  /** Changes only the given fields of label, description, entrypoint, enabled, paramSchema and config (`updated` is set by the database). */
  async update(id: Id, input: UpdateSensorInput): Promise<Sensor> {
    const data = parseInput(ENTITY, updateSensorInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.sensor.update({ where: { id: toId(id) }, data: data as Prisma.SensorUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /**
   * Deletes the sensor and, through ON DELETE CASCADE, the keys it owns.
   * Refused with a {@link ForeignKeyError} (`event.source -> sensor`) while
   * events it emitted still point at it. Returns whether a row was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.sensor.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** The sensors of a trigger, by ref. */
  async findByTrigger(triggerId: Id): Promise<Sensor[]> {
    return mapErrors(ENTITY, () =>
      this.db.sensor.findMany({ where: { triggerId: toId(triggerId) }, orderBy: { ref: "asc" } }),
    );
  }

  /** Enabled sensors, by ref. */
  async findEnabled(): Promise<Sensor[]> {
    return mapErrors(ENTITY, () => this.db.sensor.findMany({ where: { enabled: true }, orderBy: { ref: "asc" } }));
  }

  /** The sensors of a pack, by ref. */
  async findByPack(packId: Id): Promise<Sensor[]> {
    return mapErrors(ENTITY, () => this.db.sensor.findMany({ where: { packId: toId(packId) }, orderBy: { ref: "asc" } }));
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
