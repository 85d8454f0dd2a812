import { z } from "zod";
import type { Pack, Prisma } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { packRef, parseInput, semver } from "./common/input-validation.ts";
import { jsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { textSearchWhere } from "./common/text-search.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "pack";

const createPackInput = z.object({
  ref: packRef,
  label: z.string().min(1),
  description: z.string().nullish(),
  version: semver,
  confSchema: jsonInput.optional(),
  config: jsonInput.optional(),
  meta: jsonInput.optional(),
  tags: z.array(z.string()).optional(),
  runtimeDeps: z.array(z.string()).optional(),
  isStandard: z.boolean().optional(),
});
export type CreatePackInput = z.input<typeof createPackInput>;

const updatePackInput = createPackInput.omit({ ref: true }).partial();
export type UpdatePackInput = z.input<typeof updatePackInput>;

/** Packs: bundles of actions, triggers, sensors and rules. Listed by ref. */
export class PackRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Pack | null> {
    return mapErrors(ENTITY, () => this.db.pack.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<Pack | null> {
    return mapErrors(ENTITY, () => this.db.pack.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<Pack> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async getByRef(ref: string): Promise<Pack> {
    return (await this.findByRef(ref)) ?? notFound({ ref });
  }

  /** One page of packs, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<Pack>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.pack.findMany({ orderBy: { ref: "asc" }, ...window }),
      () => this.db.pack.count(),
    );
  }

  async count(): Promise<number> {
    return this.db.pack.count();
  }

  async existsByRef(ref: string): Promise<boolean> {
    return (await this.db.pack.count({ where: { ref } })) > 0;
  }

  async create(input: CreatePackInput): Promise<Pack> {
    const data = parseInput(ENTITY, createPackInput, input);
    return mapErrors(ENTITY, () => this.db.pack.create({ data: data as Prisma.PackCreateInput }));
  }

  /** Changes only the given fields (`updated` is set by the database). */
  async update(id: Id, input: UpdatePackInput): Promise<Pack> {
    const data = parseInput(ENTITY, updatePackInput, input);
    return mapErrors(ENTITY, () => this.db.pack.update({ where: { id: toId(id) }, data: data as Prisma.PackUpdateInput }), {
      id: toId(id),
    });
  }

  /**
   * Deletes the pack and, through ON DELETE CASCADE, its runtimes, triggers,
   * sensors, actions, rules, policies, permission sets, workflows, test runs
   * and installation. Refused with a {@link ForeignKeyError} naming the
   * relation while rows that do not cascade still point at it (executions of
   * its actions, keys it owns, events from its sensors...). Returns whether a
   * row was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.pack.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Packs whose tags contain `tag`, by ref. */
  async findByTag(tag: string): Promise<Pack[]> {
    return this.db.pack.findMany({ where: { tags: { has: tag } }, orderBy: { ref: "asc" } });
  }

  /** Standard (built-in) packs, by ref. */
  async findStandard(): Promise<Pack[]> {
    return this.db.pack.findMany({ where: { isStandard: true }, orderBy: { ref: "asc" } });
  }

  /** Case-insensitive substring search over ref, label and description. */
  async search(text: string, page?: PageRequest): Promise<Page<Pack>> {
    const where: Prisma.PackWhereInput = textSearchWhere(text, ["ref", "label", "description"]);
    return paginate(
      ENTITY,
      page,
      (window) => this.db.pack.findMany({ where, orderBy: { ref: "asc" }, ...window }),
      () => this.db.pack.count({ where }),
    );
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
