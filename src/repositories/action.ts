import { z } from "zod";
import type { Action } from "../../prisma/generated/client.ts";
import { catalogRepository, textSearchWhere, type Id, type Page, type PageRequest } from "./common/index.ts";
import { id, nullableJsonInput, packScopedRef } from "./common/input-validation.ts";

const createInput = z.object({
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
/** The ref must be `pack.name`; a duplicate ref is a ConflictError, a missing pack or runtime a ForeignKeyError naming the relation. */
export type CreateActionInput = z.input<typeof createInput>;

/** `runtimeId: null` detaches the runtime. */
const updateInput = createInput
  .pick({ label: true, description: true, entrypoint: true, runtimeId: true, paramSchema: true, outSchema: true })
  .partial();
export type UpdateActionInput = z.input<typeof updateInput>;

const linkInput = z.object({ actionId: id, workflowDefId: id });

/**
 * Actions: executable operations of a pack (some are workflows). Listed by ref.
 *
 * `delete` removes the action and, through ON DELETE CASCADE, its policies,
 * queue stats and the keys it owns; refused with a ForeignKeyError while
 * executions or rules still point at it.
 */
export class ActionRepository extends catalogRepository({ model: "action", create: createInput, update: updateInput }) {
  async findByPack(packId: Id): Promise<Action[]> {
    return this.findWhere({ packId: this.toId(packId, "packId") });
  }

  async findByRuntime(runtimeId: Id): Promise<Action[]> {
    return this.findWhere({ runtimeId: this.toId(runtimeId, "runtimeId") });
  }

  /** Case-insensitive substring search over ref, label and description. */
  async search(text: string, page?: PageRequest): Promise<Page<Action>> {
    return this.page(textSearchWhere(text, ["ref", "label", "description"]), page);
  }

  async findWorkflows(): Promise<Action[]> {
    return this.findWhere({ isWorkflow: true });
  }

  /**
   * Actions linked to a workflow definition, by ref. `workflow_def` is not
   * unique in the database, so this is a list (normally of one).
   */
  async findByWorkflowDef(workflowDefId: Id): Promise<Action[]> {
    return this.findWhere({ workflowDefId: this.toId(workflowDefId, "workflowDefId") });
  }

  /**
   * Makes the action a workflow backed by `workflowDefId` (sets `isWorkflow`
   * and `workflowDefId`). NotFoundError for a missing action,
   * ForeignKeyError for a missing workflow definition.
   */
  async linkWorkflowDef(actionId: Id, workflowDefId: Id): Promise<Action> {
    const ids = this.parse(linkInput, { actionId, workflowDefId });
    return this.db.action.update({ where: { id: ids.actionId }, data: { isWorkflow: true, workflowDefId: ids.workflowDefId } });
  }
}
