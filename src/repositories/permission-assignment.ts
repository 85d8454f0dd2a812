import { z } from "zod";
import type { PermissionAssignment, Prisma } from "../../prisma/generated/client.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, parseInput } from "./common/input-validation.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "permission_assignment";

const createPermissionAssignmentInput = z.object({
  identityId: id,
  permissionSetId: id,
});
export type CreatePermissionAssignmentInput = z.input<typeof createPermissionAssignmentInput>;

const NEWEST_FIRST = [{ created: "desc" }, { id: "desc" }] satisfies Prisma.PermissionAssignmentOrderByWithRelationInput[];

/**
 * Permission assignments: the many-to-many link identity <-> permission set
 * (unique per pair). There is no update: delete and create instead.
 */
export class PermissionAssignmentRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<PermissionAssignment | null> {
    return mapErrors(ENTITY, () => this.db.permissionAssignment.findUnique({ where: { id: toId(id) } }));
  }

  /** One page of assignments, newest first. */
  async list(page?: PageRequest): Promise<Page<PermissionAssignment>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.permissionAssignment.findMany({ orderBy: NEWEST_FIRST, ...window }),
      () => this.db.permissionAssignment.count(),
    );
  }

  /**
   * Assigns a permission set to an identity. A second assignment of the same
   * pair is a {@link ConflictError} on `identityId, permissionSetId`; a
   * missing identity or set is a {@link ForeignKeyError}.
   */
  async create(input: CreatePermissionAssignmentInput): Promise<PermissionAssignment> {
    const data = parseInput(ENTITY, createPermissionAssignmentInput, input);
    return mapErrors(ENTITY, () =>
      this.db.permissionAssignment.create({ data: data as Prisma.PermissionAssignmentUncheckedCreateInput }),
    );
  }

  /** Removes the assignment. Returns whether a row was deleted. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () =>
      this.db.permissionAssignment.deleteMany({ where: { id: toId(id) } }),
    );
    return count > 0;
  }

  /** The identity's assignments, newest first. */
  async findByIdentity(identityId: Id): Promise<PermissionAssignment[]> {
    return mapErrors(ENTITY, () =>
      this.db.permissionAssignment.findMany({ where: { identityId: toId(identityId) }, orderBy: NEWEST_FIRST }),
    );
  }
}
