import { z } from "zod";
import type { Prisma, Runtime } from "../../prisma/generated/client.ts";
import { RuntimeType } from "../../prisma/generated/enums.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, parseInput, runtimeRef } from "./common/input-validation.ts";
import { jsonInput, nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "runtime";

const createRuntimeInput = z.object({
  ref: runtimeRef,
  packId: id.nullish(),
  packRef: z.string().min(1).nullish(),
  description: z.string().nullish(),
  runtimeType: z.enum(RuntimeType),
  name: z.string().min(1),
  distributions: jsonInput,
  installation: nullableJsonInput.optional(),
});
export type CreateRuntimeInput = z.input<typeof createRuntimeInput>;

const updateRuntimeInput = createRuntimeInput
  .pick({ description: true, name: true, distributions: true, installation: true })
  .partial();
export type UpdateRuntimeInput = z.input<typeof updateRuntimeInput>;

/** Runtimes: execution environments for actions or sensors. Listed by ref. */
export class RuntimeRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Runtime | null> {
    return mapErrors(ENTITY, () => this.db.runtime.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<Runtime | null> {
    return mapErrors(ENTITY, () => this.db.runtime.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<Runtime> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async getByRef(ref: string): Promise<Runtime> {
    return (await this.findByRef(ref)) ?? notFound({ ref });
  }

  /** One page of runtimes, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<Runtime>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.runtime.findMany({ orderBy: { ref: "asc" }, ...window }),
      () => this.db.runtime.count(),
    );
  }

  /** Creates a runtime; a `packId` that does not exist is a {@link ForeignKeyError} (`runtime.pack -> pack`). */
  async create(input: CreateRuntimeInput): Promise<Runtime> {
    const data = parseInput(ENTITY, createRuntimeInput, input);
    return mapErrors(ENTITY, () => this.db.runtime.create({ data: data as Prisma.RuntimeUncheckedCreateInput }));
  }

  /** Changes only the given fields of description, name, distributions and installation (`updated` is set by the database). */
  async update(id: Id, input: UpdateRuntimeInput): Promise<Runtime> {
    const data = parseInput(ENTITY, updateRuntimeInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.runtime.update({ where: { id: toId(id) }, data: data as Prisma.RuntimeUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /**
   * Deletes the runtime and, through ON DELETE CASCADE, its sensors. Refused
   * with a {@link ForeignKeyError} naming the relation while workers
   * (`worker.runtime`) or actions (`action.runtime`) still use it. Returns
   * whether a row was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.runtime.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** The runtimes of a pack, by ref. */
  async findByPack(packId: Id): Promise<Runtime[]> {
    return mapErrors(ENTITY, () => this.db.runtime.findMany({ where: { packId: toId(packId) }, orderBy: { ref: "asc" } }));
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
