import { z } from "zod";
import { catalogRepository } from "./common/index.ts";
import { id, jsonInput, packScopedRef } from "./common/input-validation.ts";

const createInput = z.object({
  ref: packScopedRef,
  packId: id.nullish(),
  packRef: z.string().nullish(),
  label: z.string().nullish(),
  description: z.string().nullish(),
  /** The grants document (a JSON array by default). */
  grants: jsonInput.optional(),
});
export type CreatePermissionSetInput = z.input<typeof createInput>;

const updateInput = createInput.pick({ label: true, description: true, grants: true }).partial();
export type UpdatePermissionSetInput = z.input<typeof updateInput>;

/**
 * Permission sets: named groups of grants (role-like), optionally owned by a
 * pack. Listed by ref. `delete` takes its assignments with it (ON DELETE CASCADE).
 */
export class PermissionSetRepository extends catalogRepository({ model: "permissionSet", create: createInput, update: updateInput }) {}
