import { z } from "zod";
import type { Action, Prisma } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, packScopedRef, parseInput } from "./common/input-validation.ts";
import { nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { textSearchWhere } from "./common/text-search.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "action";

const createActionInput = z.object({
  ref: packScopedRef,
  packId: id,
  packRef: z.string().min(1),
  label: z.string().min(1),
  description: z.string(),
  entrypoint: z.string().min(1),
  runtimeId: id.nullish(),
  paramSchema: nullableJsonInput.optional(),
  outSchema: nullableJsonInput.optional(),
});
export type CreateActionInput = z.input<typeof createActionInput>;

const updateActionInput = createActionInput
  .pick({ label: true, description: true, entrypoint: true, runtimeId: true, paramSchema: true, outSchema: true })
  .partial();
export type UpdateActionInput = z.input<typeof updateActionInput>;

const linkInput = z.object({ actionId: id, workflowDefId: id });

/** Actions: executable operations of a pack (some are workflows). Listed by ref. */
export class ActionRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Action | null> {
    return mapErrors(ENTITY, () => this.db.action.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<Action | null> {
    return mapErrors(ENTITY, () => this.db.action.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<Action> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async getByRef(ref: string): Promise<Action> {
    return (await this.findByRef(ref)) ?? notFound({ ref });
  }

  /** One page of actions, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<Action>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.action.findMany({ orderBy: { ref: "asc" }, ...window }),
      () => this.db.action.count(),
    );
  }

  /**
   * Creates an action. The ref must be `pack.name`; a duplicate ref is a
   * {@link ConflictError} on `ref`, a missing pack or runtime a
   * {@link ForeignKeyError} naming the relation.
   */
  async create(input: CreateActionInput): Promise<Action> {
    const data = parseInput(ENTITY, createActionInput, input);
    return mapErrors(ENTITY, () => this.db.action.create({ data: data as Prisma.ActionUncheckedCreateInput }));
  }

  /** Changes only the given fields (`updated` is set by the database). `runtimeId: null` detaches the runtime. */
  async update(id: Id, input: UpdateActionInput): Promise<Action> {
    const data = parseInput(ENTITY, updateActionInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.action.update({ where: { id: toId(id) }, data: data as Prisma.ActionUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /**
   * Deletes the action and, through ON DELETE CASCADE, its policies, queue
   * stats and the keys it owns. Refused with a {@link ForeignKeyError} while
   * executions or rules still point at it. Returns whether a row was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.action.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Actions of a pack, by ref. */
  async findByPack(packId: Id): Promise<Action[]> {
    return this.db.action.findMany({ where: { packId: toId(packId) }, orderBy: { ref: "asc" } });
  }

  /** Actions that run on a runtime, by ref. */
  async findByRuntime(runtimeId: Id): Promise<Action[]> {
    return this.db.action.findMany({ where: { runtimeId: toId(runtimeId) }, orderBy: { ref: "asc" } });
  }

  /** Case-insensitive substring search over ref, label and description. */
  async search(text: string, page?: PageRequest): Promise<Page<Action>> {
    const where: Prisma.ActionWhereInput = textSearchWhere(text, ["ref", "label", "description"]);
    return paginate(
      ENTITY,
      page,
      (window) => this.db.action.findMany({ where, orderBy: { ref: "asc" }, ...window }),
      () => this.db.action.count({ where }),
    );
  }

  /** Workflow actions (`isWorkflow` true), by ref. */
  async findWorkflows(): Promise<Action[]> {
    return this.db.action.findMany({ where: { isWorkflow: true }, orderBy: { ref: "asc" } });
  }

  /**
   * Actions linked to a workflow definition, by ref. `workflow_def` is not
   * unique in the database, so this is a list (normally of one).
   */
  async findByWorkflowDef(workflowDefId: Id): Promise<Action[]> {
    return this.db.action.findMany({ where: { workflowDefId: toId(workflowDefId) }, orderBy: { ref: "asc" } });
  }

  /**
   * Makes the action a workflow backed by `workflowDefId` (sets `isWorkflow`
   * and `workflowDefId`). {@link NotFoundError} for a missing action,
   * {@link ForeignKeyError} for a missing workflow definition.
   */
  async linkWorkflowDef(actionId: Id, workflowDefId: Id): Promise<Action> {
    const ids = parseInput(ENTITY, linkInput, { actionId, workflowDefId });
    return mapErrors(
      ENTITY,
      () => this.db.action.update({ where: { id: ids.actionId }, data: { isWorkflow: true, workflowDefId: ids.workflowDefId } }),
      { id: ids.actionId },
    );
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
