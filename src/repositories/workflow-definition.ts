import { z } from "zod";
import type { WorkflowDefinition } from "../../prisma/generated/client.ts";
import { catalogRepository, MAX_PER_PAGE, type Id } from "./common/index.ts";
import { id, indexedTextList, jsonInput, nullableJsonInput } from "./common/input-validation.ts";

// workflow_definition has no CHECK constraints: ref is not format-checked by
// the database, only bounded by varchar(255). The lengths are checked here so
// that an overlong value is a ValidationError naming the field rather than a
// "value too long" error from PostgreSQL.
const createInput = z.object({
  ref: z.string().min(1, "must not be empty").max(255),
  packId: id,
  packRef: z.string().min(1, "must not be empty").max(255),
  label: z.string().min(1, "must not be empty").max(255),
  description: z.string().nullish(),
  version: z.string().min(1, "must not be empty").max(50),
  paramSchema: nullableJsonInput.optional(),
  outSchema: nullableJsonInput.optional(),
  /** The parsed workflow (YAML stored as JSON). */
  definition: jsonInput,
  tags: indexedTextList.optional(),
  enabled: z.boolean().optional(),
});
/** A missing pack is a ForeignKeyError; a taken ref a ConflictError on `ref`. */
export type CreateWorkflowDefinitionInput = z.input<typeof createInput>;

const updateInput = createInput.omit({ ref: true, packId: true, packRef: true }).partial();
export type UpdateWorkflowDefinitionInput = z.input<typeof updateInput>;

/**
 * Workflow definitions: parsed workflows belonging to a pack. Listed by ref;
 * the finders return at most 1000 rows, by ref.
 *
 * `tags` is a nullable `text[]` in the table (default empty) but `String[]` in
 * Prisma; rows written through this repository never hold NULL there. A NULL
 * written by other code reads back as `[]` (see WorkflowExecutionRepository).
 *
 * `delete` takes the actions linked to it with it (`action.workflow_def`, ON
 * DELETE CASCADE); refused with a ForeignKeyError naming the relation while
 * workflow executions reference it (`workflow_execution.workflow_def ->
 * workflow_definition` has no ON DELETE action), or while the linked actions
 * have executions.
 */
export class WorkflowDefinitionRepository extends catalogRepository({ model: "workflowDefinition", create: createInput, update: updateInput }) {
  async findByPack(packId: Id): Promise<WorkflowDefinition[]> {
    return this.findWhere({ packId: this.toId(packId, "packId") }, MAX_PER_PAGE);
  }

  /** The pack's workflow definitions (by the denormalised pack_ref). */
  async findByPackRef(packRef: string): Promise<WorkflowDefinition[]> {
    return this.findWhere({ packRef }, MAX_PER_PAGE);
  }

  /** How many workflow definitions carry this pack_ref. */
  async countByPack(packRef: string): Promise<number> {
    return this.db.workflowDefinition.count({ where: { packRef } });
  }

  async findEnabled(): Promise<WorkflowDefinition[]> {
    return this.findWhere({ enabled: true }, MAX_PER_PAGE);
  }

  async findByTag(tag: string): Promise<WorkflowDefinition[]> {
    return this.findWhere({ tags: { has: tag } }, MAX_PER_PAGE);
  }
}
