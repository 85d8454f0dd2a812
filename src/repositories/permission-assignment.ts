import { z } from "zod";
import type { PermissionAssignment } from "../../prisma/generated/client.ts";
import { modelRepository, type Id } from "./common/index.ts";
import { id } from "./common/input-validation.ts";

/**
 * A second assignment of the same pair is a ConflictError on `identityId,
 * permissionSetId`; a missing identity or set is a ForeignKeyError.
 */
const createInput = z.object({ identityId: id, permissionSetId: id });
export type CreatePermissionAssignmentInput = z.input<typeof createInput>;

/**
 * Permission assignments: the many-to-many link identity <-> permission set
 * (unique per pair), listed newest first. There is no update: delete and
 * create instead.
 */
export class PermissionAssignmentRepository extends modelRepository({ model: "permissionAssignment", create: createInput }) {
  async findByIdentity(identityId: Id): Promise<PermissionAssignment[]> {
    return this.findWhere({ identityId: this.toId(identityId, "identityId") });
  }
}
