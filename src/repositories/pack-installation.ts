import { z } from "zod";
import type { PackInstallation } from "../../prisma/generated/client.ts";
import { modelInput, modelRepository, type Id, type Page, type PageRequest } from "./common/index.ts";
import { id, nullableJsonInput } from "./common/input-validation.ts";

/** The values of CHECK pack_installation_source_type_check. */
export const PACK_SOURCE_TYPES = ["git", "archive", "local_directory", "local_archive", "registry"] as const;
export type PackSourceType = (typeof PACK_SOURCE_TYPES)[number];

/** The values of CHECK pack_installation_installation_method_check (NULL also passes). */
export const PACK_INSTALLATION_METHODS = ["manual", "api", "cli", "auto"] as const;
export type PackInstallationMethod = (typeof PACK_INSTALLATION_METHODS)[number];

const sourceType = z.enum(PACK_SOURCE_TYPES);

/** A SHA-256 digest in hex (checksum is varchar(64)). Either case is accepted and stored as given. */
const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, "must be a SHA-256 digest: 64 hexadecimal characters");

/**
 * A second installation of the same pack is a ConflictError on `packId`; a
 * missing pack or installing identity a ForeignKeyError.
 */
const createInput = z.object({
  packId: id,
  sourceType,
  sourceUrl: z.string().nullish(),
  /** Git ref (branch, tag, commit) or registry version. */
  sourceRef: z.string().nullish(),
  checksum: sha256Hex.nullish(),
  checksumVerified: z.boolean().nullish(),
  installedById: id.nullish(),
  installationMethod: z.enum(PACK_INSTALLATION_METHODS).nullish(),
  /** File-system path where the pack is stored. */
  storagePath: z.string().min(1, "must not be empty"),
  /** Installation metadata (default `{}`; `null` stores SQL NULL). */
  meta: nullableJsonInput.optional(),
});
export type CreatePackInstallationInput = z.input<typeof createInput>;

const updateChecksumInput = modelInput("packInstallation", "update", z.object({ checksum: sha256Hex, checksumVerified: z.boolean() }));
const updateMetaInput = modelInput("packInstallation", "update", z.object({ meta: nullableJsonInput }));

/**
 * Where and how each pack was installed: at most one row per pack
 * (`pack_installation_unique_pack`), deleted with its pack. Listed by
 * installation time, newest first (rows with a NULL installed_at last).
 *
 * Several columns are nullable in the table despite their defaults
 * (checksum_verified, installed_at, installation_method, meta, created,
 * updated) and are typed so.
 */
export class PackInstallationRepository extends modelRepository({
  model: "packInstallation",
  order: [{ installedAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
  create: createInput,
}) {
  async findByPackId(packId: Id): Promise<PackInstallation | null> {
    return this.findUnique({ packId: this.toId(packId, "packId") });
  }

  async getByPackId(packId: Id): Promise<PackInstallation> {
    return this.getUnique({ packId: this.toId(packId, "packId") });
  }

  /** One page of the installations from one kind of source, newest installed_at first. */
  async listBySourceType(type: PackSourceType, page?: PageRequest): Promise<Page<PackInstallation>> {
    return this.page(this.parse(z.object({ sourceType }), { sourceType: type }), page);
  }

  /** Sets the checksum (64 hex characters) and whether it was verified; `updated` is set by the database. */
  async updateChecksum(id: Id, checksum: string, verified: boolean): Promise<PackInstallation> {
    const data = this.parse(updateChecksumInput, { checksum, checksumVerified: verified });
    return this.db.packInstallation.update({ where: { id: this.toId(id) }, data });
  }

  /** Replaces the meta document (`null` stores SQL NULL); `updated` is set by the database. */
  async updateMeta(id: Id, meta: unknown): Promise<PackInstallation> {
    const data = this.parse(updateMetaInput, { meta });
    return this.db.packInstallation.update({ where: { id: this.toId(id) }, data });
  }

  /** Deletes the pack's installation record (not the pack). Returns whether a row was deleted. */
  async deleteByPackId(packId: Id): Promise<boolean> {
    const { count } = await this.db.packInstallation.deleteMany({ where: { packId: this.toId(packId, "packId") } });
    return count > 0;
  }

  async existsForPack(packId: Id): Promise<boolean> {
    return (await this.db.packInstallation.count({ where: { packId: this.toId(packId, "packId") } })) > 0;
  }
}
