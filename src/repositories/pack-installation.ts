import { z } from "zod";
import type { PackInstallation, Prisma } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, parseInput } from "./common/input-validation.ts";
import { nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "pack_installation";

/** The values of CHECK pack_installation_source_type_check. */
export const PACK_SOURCE_TYPES = ["git", "archive", "local_directory", "local_archive", "registry"] as const;
export type PackSourceType = (typeof PACK_SOURCE_TYPES)[number];

/** The values of CHECK pack_installation_installation_method_check (NULL also passes). */
export const PACK_INSTALLATION_METHODS = ["manual", "api", "cli", "auto"] as const;
export type PackInstallationMethod = (typeof PACK_INSTALLATION_METHODS)[number];

const sourceType = z.enum(PACK_SOURCE_TYPES);

/** A SHA-256 digest in hex (checksum is varchar(64)). Either case is accepted and stored as given. */
const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, "must be a SHA-256 digest: 64 hexadecimal characters");

const createPackInstallationInput = z.object({
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
export type CreatePackInstallationInput = z.input<typeof createPackInstallationInput>;

const updateChecksumInput = z.object({ checksum: sha256Hex, checksumVerified: z.boolean() });
const updateMetaInput = z.object({ meta: nullableJsonInput });

/**
 * Where and how each pack was installed: at most one row per pack
 * (`pack_installation_unique_pack`), deleted with its pack. Listed by
 * installation time, newest first.
 *
 * Several columns are nullable in the table despite their defaults
 * (checksum_verified, installed_at, installation_method, meta, created,
 * updated) and are typed so.
 */
export class PackInstallationRepository {
  constructor(private readonly db: DbClient) {}

  /**
   * Records the installation of a pack. A second installation of the same
   * pack is a {@link ConflictError} on `packId`; a missing pack or installing
   * identity a {@link ForeignKeyError}.
   */
  async create(input: CreatePackInstallationInput): Promise<PackInstallation> {
    const data = parseInput(ENTITY, createPackInstallationInput, input);
    return mapErrors(ENTITY, () =>
      this.db.packInstallation.create({ data: data as Prisma.PackInstallationUncheckedCreateInput }),
    );
  }

  async findById(id: Id): Promise<PackInstallation | null> {
    return mapErrors(ENTITY, () => this.db.packInstallation.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<PackInstallation> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async findByPackId(packId: Id): Promise<PackInstallation | null> {
    return mapErrors(ENTITY, () => this.db.packInstallation.findUnique({ where: { packId: toId(packId) } }));
  }

  async getByPackId(packId: Id): Promise<PackInstallation> {
    return (await this.findByPackId(packId)) ?? notFound({ packId: toId(packId) });
  }

  /** One page of installations, newest installed_at first (rows with a NULL installed_at last). */
  async list(page?: PageRequest): Promise<Page<PackInstallation>> {
    return this.listWhere({}, page);
  }

  /** One page of the installations from one kind of source, newest installed_at first. */
  async listBySourceType(type: PackSourceType, page?: PageRequest): Promise<Page<PackInstallation>> {
    const parsed = parseInput(ENTITY, z.object({ sourceType }), { sourceType: type });
    return this.listWhere({ sourceType: parsed.sourceType }, page);
  }

  /** Sets the checksum (64 hex characters) and whether it was verified; `updated` is set by the database. */
  async updateChecksum(id: Id, checksum: string, verified: boolean): Promise<PackInstallation> {
    const data = parseInput(ENTITY, updateChecksumInput, { checksum, checksumVerified: verified });
    return mapErrors(ENTITY, () => this.db.packInstallation.update({ where: { id: toId(id) }, data }), {
      id: toId(id),
    });
  }

  /** Replaces the meta document (`null` stores SQL NULL); `updated` is set by the database. */
  async updateMeta(id: Id, meta: unknown): Promise<PackInstallation> {
    const data = parseInput(ENTITY, updateMetaInput, { meta });
    return mapErrors(
      ENTITY,
      () => this.db.packInstallation.update({ where: { id: toId(id) }, data: data as Prisma.PackInstallationUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Returns whether a row was deleted. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.packInstallation.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Deletes the pack's installation record (not the pack). Returns whether a row was deleted. */
  async deleteByPackId(packId: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () =>
      this.db.packInstallation.deleteMany({ where: { packId: toId(packId) } }),
    );
    return count > 0;
  }

  async existsForPack(packId: Id): Promise<boolean> {
    return (await mapErrors(ENTITY, () => this.db.packInstallation.count({ where: { packId: toId(packId) } }))) > 0;
  }

  private async listWhere(where: Prisma.PackInstallationWhereInput, page?: PageRequest): Promise<Page<PackInstallation>> {
    return paginate(
      ENTITY,
      page,
      (window) =>
        this.db.packInstallation.findMany({
          where,
          orderBy: [{ installedAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
          ...window,
        }),
      () => this.db.packInstallation.count({ where }),
    );
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
