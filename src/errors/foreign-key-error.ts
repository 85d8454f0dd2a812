import { AttuneDbError } from "./attune-db-error.ts";

/**
 * A foreign key refused the write. `missing`: the row points at a parent that
 * does not exist. `referenced`: the row cannot be deleted (or its key changed)
 * because other rows still point at it through `relation`.
 */
export class ForeignKeyError extends AttuneDbError {
  constructor(
    readonly entity: string,
    readonly kind: "missing" | "referenced",
    /** The relation in `child.column -> parent` form, e.g. `execution.action -> action`. */
    readonly relation: string,
    /** The foreign key constraint name, e.g. `execution_action_fkey`. */
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      kind === "missing"
        ? `${entity} refers to a row that does not exist (${relation})`
        : `${entity} is still referenced by other rows (${relation}) and cannot be deleted`,
      options,
    );
  }
}
