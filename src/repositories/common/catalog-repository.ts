import type { z } from "zod";
import { EditableRepository, type EditableSpec } from "./editable-repository.ts";
import { bindSpec } from "./model-repository.ts";
import { BY_REF } from "./orders.ts";
import type { ModelKey, Row, UniqueWhere } from "./model-types.ts";

/** The models whose `ref` is unique: the catalogue entities (packs, actions, rules...). */
export type RefModel = { [K in ModelKey]: { ref: string } extends UniqueWhere<K> ? K : never }[ModelKey];

/** An {@link EditableRepository} of a catalogue entity, also found by its unique `ref`. */
export abstract class CatalogRepository<K extends RefModel, Create extends z.ZodType, Update extends z.ZodType> extends EditableRepository<
  K,
  Create,
  Update
> {
  protected override get defaultOrder(): object {
    return BY_REF;
  }

  async findByRef(ref: string): Promise<Row<K> | null> {
    return this.rows.findUnique({ where: { ref } });
  }

  async getByRef(ref: string): Promise<Row<K>> {
    return (await this.findByRef(ref)) ?? this.notFound({ ref });
  }
}

/** The {@link CatalogRepository} class of `spec`, for a repository to extend with what is particular to its model. */
export const catalogRepository = <K extends RefModel, Create extends z.ZodType, Update extends z.ZodType>(spec: EditableSpec<K, Create, Update>) =>
  bindSpec(CatalogRepository<K, Create, Update>, spec);
