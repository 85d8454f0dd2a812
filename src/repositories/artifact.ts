import { z } from "zod";
import type { Artifact } from "../../prisma/generated/client.ts";
import { ArtifactRetention, ArtifactType, OwnerType } from "../../prisma/generated/enums.ts";
import { editableRepository, MAX_PER_PAGE, modelInput, NEWEST_FIRST } from "./common/index.ts";
import { count, indexedText } from "./common/input-validation.ts";

const createInput = z.object({
  /** Not unique: several artifacts (versions) may share a ref. */
  ref: indexedText.min(1, "must not be empty"),
  scope: z.enum(OwnerType).optional(),
  owner: indexedText.optional(),
  type: z.enum(ArtifactType),
  retentionPolicy: z.enum(ArtifactRetention).optional(),
  /** How many versions / days / hours / minutes to keep. The table has no CHECK; negative values are refused here. */
  retentionLimit: count.optional(),
});
export type CreateArtifactInput = z.input<typeof createInput>;

const updateInput = createInput.partial();
export type UpdateArtifactInput = z.input<typeof updateInput>;

/** What the finders filter on; the enums are validated so that a bad value names its field. */
const finderFilter = modelInput("artifact", "where", createInput.omit({ retentionLimit: true }).extend({ ref: z.string() }).partial());

/**
 * Artifacts: files, logs, progress records and URLs produced by executions,
 * with a retention policy. Run-time records: listed newest first; the
 * finders return at most 1000 rows, newest first. Nothing references
 * artifacts, so `delete` never refuses.
 */
export class ArtifactRepository extends editableRepository({ model: "artifact", create: createInput, update: updateInput }) {
  /**
   * Every artifact with this ref, newest first. `artifact.ref` is not unique
   * (the Rust repository returned an arbitrary first match); take `[0]` for
   * the newest.
   */
  async findByRef(ref: string): Promise<Artifact[]> {
    return this.find({ ref });
  }

  async findByScope(scope: OwnerType): Promise<Artifact[]> {
    return this.find({ scope });
  }

  async findByOwner(owner: string): Promise<Artifact[]> {
    return this.find({ owner });
  }

  async findByScopeAndOwner(scope: OwnerType, owner: string): Promise<Artifact[]> {
    return this.find({ scope, owner });
  }

  async findByType(type: ArtifactType): Promise<Artifact[]> {
    return this.find({ type });
  }

  async findByRetentionPolicy(retentionPolicy: ArtifactRetention): Promise<Artifact[]> {
    return this.find({ retentionPolicy });
  }

  private async find(filter: z.input<typeof finderFilter>): Promise<Artifact[]> {
    return this.findWhere(this.parse(finderFilter, filter), MAX_PER_PAGE);
  }
}
