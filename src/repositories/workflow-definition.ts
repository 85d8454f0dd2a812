import { z } from "zod";
import type { Prisma, WorkflowDefinition } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, parseInput } from "./common/input-validation.ts";
import { jsonInput, nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "workflow_definition";

/** What the finders return at most (the Rust repository's cap). */
const FINDER_LIMIT = 1000;

// workflow_definition has no CHECK constraints: ref is not format-checked by
// the database, only bounded by varchar(255). The lengths are checked here so
// that an overlong value is a ValidationError naming the field rather than a
// "value too long" error from PostgreSQL.
const createWorkflowDefinitionInput = z.object({
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
  tags: z.array(z.string()).optional(),
  enabled: z.boolean().optional(),
});
export type CreateWorkflowDefinitionInput = z.input<typeof createWorkflowDefinitionInput>;

const updateWorkflowDefinitionInput = createWorkflowDefinitionInput
  .omit({ ref: true, packId: true, packRef: true })
  .partial();
export type UpdateWorkflowDefinitionInput = z.input<typeof updateWorkflowDefinitionInput>;

const BY_REF = { ref: "asc" } satisfies Prisma.WorkflowDefinitionOrderByWithRelationInput;

/**
 * Workflow definitions: parsed workflows belonging to a pack. Listed by ref;
 * the finders return at most 1000 rows, by ref.
 *
 * `tags` is a nullable `text[]` in the table (default empty) but `String[]` in
 * Prisma; rows written through this repository never hold NULL there. A NULL
 * written by other code reads back as `[]` (see WorkflowExecutionRepository).
 */
export class WorkflowDefinitionRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<WorkflowDefinition | null> {
    return mapErrors(ENTITY, () => this.db.workflowDefinition.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<WorkflowDefinition | null> {
    return mapErrors(ENTITY, () => this.db.workflowDefinition.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<WorkflowDefinition> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async getByRef(ref: string): Promise<WorkflowDefinition> {
    return (await this.findByRef(ref)) ?? notFound({ ref });
  }

  /** One page of workflow definitions, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<WorkflowDefinition>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.workflowDefinition.findMany({ orderBy: BY_REF, ...window }),
      () => this.db.workflowDefinition.count(),
    );
  }

  /** A missing pack is a {@link ForeignKeyError}; a taken ref a {@link ConflictError} on `ref`. */
  async create(input: CreateWorkflowDefinitionInput): Promise<WorkflowDefinition> {
    const data = parseInput(ENTITY, createWorkflowDefinitionInput, input);
    return mapErrors(ENTITY, () =>
      this.db.workflowDefinition.create({ data: data as Prisma.WorkflowDefinitionUncheckedCreateInput }),
    );
  }

  /**
   * Changes only the given fields (label, description, version, schemas,
   * definition, tags, enabled); `updated` is set by the database.
   */
  async update(id: Id, input: UpdateWorkflowDefinitionInput): Promise<WorkflowDefinition> {
    const data = parseInput(ENTITY, updateWorkflowDefinitionInput, input);
    return mapErrors(
      ENTITY,
      () =>
        this.db.workflowDefinition.update({ where: { id: toId(id) }, data: data as Prisma.WorkflowDefinitionUpdateInput }),
      { id: toId(id) },
    );
  }

  /**
   * Deletes the definition and, through ON DELETE CASCADE, the actions linked
   * to it (`action.workflow_def`). Refused with a {@link ForeignKeyError}
   * naming the relation while workflow executions reference it
   * (`workflow_execution.workflow_def -> workflow_definition` has no ON DELETE
   * action), or while the linked actions have executions. Returns whether a
   * row was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () =>
      this.db.workflowDefinition.deleteMany({ where: { id: toId(id) } }),
    );
    return count > 0;
  }

  /** The pack's workflow definitions (by pack id), by ref. */
  async findByPack(packId: Id): Promise<WorkflowDefinition[]> {
    return this.findMany({ packId: toId(packId) });
  }

  /** The pack's workflow definitions (by the denormalised pack_ref), by ref. */
  async findByPackRef(packRef: string): Promise<WorkflowDefinition[]> {
    return this.findMany({ packRef });
  }

  /** How many workflow definitions carry this pack_ref. */
  async countByPack(packRef: string): Promise<number> {
    return mapErrors(ENTITY, () => this.db.workflowDefinition.count({ where: { packRef } }));
  }

  /** Enabled workflow definitions, by ref. */
  async findEnabled(): Promise<WorkflowDefinition[]> {
    return this.findMany({ enabled: true });
  }

  /** Workflow definitions whose tags contain `tag`, by ref. */
  async findByTag(tag: string): Promise<WorkflowDefinition[]> {
    return this.findMany({ tags: { has: tag } });
  }

  private async findMany(where: Prisma.WorkflowDefinitionWhereInput): Promise<WorkflowDefinition[]> {
    return mapErrors(ENTITY, () =>
      this.db.workflowDefinition.findMany({ where, orderBy: BY_REF, take: FINDER_LIMIT }),
    );
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
