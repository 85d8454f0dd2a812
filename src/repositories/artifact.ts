import { z } from "zod";
import type { Artifact, Prisma } from "../../prisma/generated/client.ts";
import { ArtifactRetention, ArtifactType, OwnerType } from "../../prisma/generated/enums.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { parseInput } from "./common/input-validation.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "artifact";

/** What the finders return at most (the Rust repository's cap). */
const FINDER_LIMIT = 1000;

const createArtifactInput = z.object({
  /** Not unique: several artifacts (versions) may share a ref. */
  ref: z.string().min(1, "must not be empty"),
  scope: z.enum(OwnerType).optional(),
  owner: z.string().optional(),
  type: z.enum(ArtifactType),
  retentionPolicy: z.enum(ArtifactRetention).optional(),
  /** How many versions / days / hours / minutes to keep. The table has no CHECK; negative values are refused here. */
  retentionLimit: z.number().int().min(0).max(2_147_483_647).optional(),
});
export type CreateArtifactInput = z.input<typeof createArtifactInput>;

const updateArtifactInput = createArtifactInput.partial();
export type UpdateArtifactInput = z.input<typeof updateArtifactInput>;

const finderFilter = z
  .object({
    ref: z.string(),
    scope: z.enum(OwnerType),
    owner: z.string(),
    type: z.enum(ArtifactType),
    retentionPolicy: z.enum(ArtifactRetention),
  })
  .partial();

const NEWEST_FIRST = [{ created: "desc" }, { id: "desc" }] satisfies Prisma.ArtifactOrderByWithRelationInput[];

/**
 * Artifacts: files, logs, progress records and URLs produced by executions,
 * with a retention policy. Run-time records: listed newest first; the
 * finders return at most 1000 rows, newest first.
 */
export class ArtifactRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Artifact | null> {
    return mapErrors(ENTITY, () => this.db.artifact.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<Artifact> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of artifacts, newest first. */
  async list(page?: PageRequest): Promise<Page<Artifact>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.artifact.findMany({ orderBy: NEWEST_FIRST, ...window }),
      () => this.db.artifact.count(),
    );
  }

  async create(input: CreateArtifactInput): Promise<Artifact> {
    const data = parseInput(ENTITY, createArtifactInput, input);
    return mapErrors(ENTITY, () => this.db.artifact.create({ data: data as Prisma.ArtifactCreateInput }));
  }

  /** Changes only the given fields (ref, type, retention, scope, owner); `updated` is set by the database. */
  async update(id: Id, input: UpdateArtifactInput): Promise<Artifact> {
    const data = parseInput(ENTITY, updateArtifactInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.artifact.update({ where: { id: toId(id) }, data: data as Prisma.ArtifactUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Returns whether a row was deleted (nothing references artifacts). */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.artifact.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /**
   * Every artifact with this ref, newest first. `artifact.ref` is not unique
   * (the Rust repository returned an arbitrary first match); take `[0]` for
   * the newest.
   */
  async findByRef(ref: string): Promise<Artifact[]> {
    return this.findMany({ ref });
  }

  async findByScope(scope: OwnerType): Promise<Artifact[]> {
    return this.findMany({ scope });
  }

  async findByOwner(owner: string): Promise<Artifact[]> {
    return this.findMany({ owner });
  }

  async findByScopeAndOwner(scope: OwnerType, owner: string): Promise<Artifact[]> {
    return this.findMany({ scope, owner });
  }

  async findByType(type: ArtifactType): Promise<Artifact[]> {
    return this.findMany({ type });
  }

  async findByRetentionPolicy(retentionPolicy: ArtifactRetention): Promise<Artifact[]> {
    return this.findMany({ retentionPolicy });
  }

  /** Validates the finder's arguments (enums name the field) and runs the capped, newest-first query. */
  private async findMany(filter: z.input<typeof finderFilter>): Promise<Artifact[]> {
    const where = parseInput(ENTITY, finderFilter, filter);
    return mapErrors(ENTITY, () => this.db.artifact.findMany({ where, orderBy: NEWEST_FIRST, take: FINDER_LIMIT }));
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
