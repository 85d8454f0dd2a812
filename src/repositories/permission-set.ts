import { z } from "zod";
import type { PermissionSet, Prisma } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, packScopedRef, parseInput } from "./common/input-validation.ts";
import { jsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "permission_set";

const createPermissionSetInput = z.object({
  ref: packScopedRef,
  packId: id.nullish(),
  packRef: z.string().nullish(),
  label: z.string().nullish(),
  description: z.string().nullish(),
  /** The grants document (a JSON array by default). */
  grants: jsonInput.optional(),
});
export type CreatePermissionSetInput = z.input<typeof createPermissionSetInput>;

const updatePermissionSetInput = createPermissionSetInput.pick({ label: true, description: true, grants: true }).partial();
export type UpdatePermissionSetInput = z.input<typeof updatePermissionSetInput>;

/** Permission sets: named groups of grants (role-like), optionally owned by a pack. Listed by ref. */
export class PermissionSetRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<PermissionSet | null> {
    return mapErrors(ENTITY, () => this.db.permissionSet.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<PermissionSet | null> {
    return mapErrors(ENTITY, () => this.db.permissionSet.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<PermissionSet> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of permission sets, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<PermissionSet>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.permissionSet.findMany({ orderBy: { ref: "asc" }, ...window }),
      () => this.db.permissionSet.count(),
    );
  }

  async create(input: CreatePermissionSetInput): Promise<PermissionSet> {
    const data = parseInput(ENTITY, createPermissionSetInput, input);
    return mapErrors(ENTITY, () =>
      this.db.permissionSet.create({ data: data as Prisma.PermissionSetUncheckedCreateInput }),
    );
  }

  /** Changes only the given fields (label, description, grants); `updated` is set by the database. */
  async update(id: Id, input: UpdatePermissionSetInput): Promise<PermissionSet> {
    const data = parseInput(ENTITY, updatePermissionSetInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.permissionSet.update({ where: { id: toId(id) }, data: data as Prisma.PermissionSetUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Deletes the permission set and, through ON DELETE CASCADE, its assignments. Returns whether a row was deleted. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.permissionSet.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
