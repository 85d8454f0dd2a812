import { z } from "zod";
import type { Identity, Prisma } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { parseInput } from "./common/input-validation.ts";
import { jsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "identity";

const createIdentityInput = z.object({
  login: z.string().min(1, "must not be empty"),
  displayName: z.string().nullish(),
  /** An Argon2 hash (never a clear-text password); null for service or external accounts. */
  passwordHash: z.string().min(1, "must not be empty").nullish(),
  attributes: jsonInput.optional(),
});
export type CreateIdentityInput = z.input<typeof createIdentityInput>;

const updateIdentityInput = createIdentityInput.omit({ login: true }).partial();
export type UpdateIdentityInput = z.input<typeof updateIdentityInput>;

/** Identities: users and service accounts. Listed by login. */
export class IdentityRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Identity | null> {
    return mapErrors(ENTITY, () => this.db.identity.findUnique({ where: { id: toId(id) } }));
  }

  async findByLogin(login: string): Promise<Identity | null> {
    return mapErrors(ENTITY, () => this.db.identity.findUnique({ where: { login } }));
  }

  async getById(id: Id): Promise<Identity> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of identities, ordered by login. */
  async list(page?: PageRequest): Promise<Page<Identity>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.identity.findMany({ orderBy: { login: "asc" }, ...window }),
      () => this.db.identity.count(),
    );
  }

  async create(input: CreateIdentityInput): Promise<Identity> {
    const data = parseInput(ENTITY, createIdentityInput, input);
    return mapErrors(ENTITY, () => this.db.identity.create({ data: data as Prisma.IdentityCreateInput }));
  }

  /** Changes only the given fields (display name, password hash, attributes); `updated` is set by the database. */
  async update(id: Id, input: UpdateIdentityInput): Promise<Identity> {
    const data = parseInput(ENTITY, updateIdentityInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.identity.update({ where: { id: toId(id) }, data: data as Prisma.IdentityUpdateInput }),
      { id: toId(id) },
    );
  }

  /**
   * Deletes the identity. Its permission assignments go with it (CASCADE);
   * executions it ran, inquiries assigned to it and pack installations it
   * made keep their rows with executor / assigned_to / installed_by set to
   * NULL. Refused with a {@link ForeignKeyError} (`key.owner_identity ->
   * identity`) while it owns keys. Returns whether a row was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.identity.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
