import type { z } from "zod";
import type { DbClient } from "./db-client.ts";
import type { Id } from "./ids.ts";
import type { Fits } from "./model-input.ts";
import { bindSpec, ModelRepository, type ModelSpec } from "./model-repository.ts";
import type { ModelKey, Row, UpdateData } from "./model-types.ts";

/** A {@link ModelSpec} with the input of `update()`. */
export interface EditableSpec<K extends ModelKey, Create extends z.ZodType, Update extends z.ZodType> extends ModelSpec<K, Create> {
  /** Its output must fit Prisma's update data key for key (checked by tsc). */
  readonly update: Update & Fits<z.output<Update>, UpdateData<K>>;
}

/** A {@link ModelRepository} whose rows also change through `update(id, fields)`. */
export abstract class EditableRepository<K extends ModelKey, Create extends z.ZodType, Update extends z.ZodType> extends ModelRepository<
  K,
  Create
> {
  private readonly updateInput: Update;

  constructor(db: DbClient, spec: EditableSpec<K, Create, Update>) {
    super(db, spec);
    this.updateInput = spec.update;
  }

  /** Changes only the given fields (`updated` is set by the database); a missing row is a NotFoundError. */
  async update(id: Id, input: z.input<Update>): Promise<Row<K>> {
    return this.rows.update({ where: { id: this.toId(id) }, data: this.parse(this.updateInput, input) });
  }
}

/** The {@link EditableRepository} class of `spec`, for a repository to extend with what is particular to its model. */
export const editableRepository = <K extends ModelKey, Create extends z.ZodType, Update extends z.ZodType>(spec: EditableSpec<K, Create, Update>) =>
  bindSpec(EditableRepository<K, Create, Update>, spec);
