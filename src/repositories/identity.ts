import { z } from "zod";
import type { Identity } from "../../prisma/generated/client.ts";
import { editableRepository } from "./common/index.ts";
import { indexedText, jsonInput } from "./common/input-validation.ts";

const createInput = z.object({
  login: indexedText.min(1, "must not be empty"),
  displayName: z.string().nullish(),
  /** An Argon2 hash (never a clear-text password); null for service or external accounts. */
  passwordHash: indexedText.min(1, "must not be empty").nullish(),
  attributes: jsonInput.optional(),
});
export type CreateIdentityInput = z.input<typeof createInput>;

const updateInput = createInput.omit({ login: true }).partial();
export type UpdateIdentityInput = z.input<typeof updateInput>;

/**
 * Identities: users and service accounts. Listed by login.
 *
 * `delete` takes its permission assignments with it (CASCADE); executions it
 * ran, inquiries assigned to it and pack installations it made keep their
 * rows with executor / assigned_to / installed_by set to NULL. Refused with a
 * ForeignKeyError (`key.owner_identity -> identity`) while it owns keys.
 */
export class IdentityRepository extends editableRepository({ model: "identity", order: { login: "asc" }, create: createInput, update: updateInput }) {
  async findByLogin(login: string): Promise<Identity | null> {
    return this.findUnique({ login });
  }

  async getByLogin(login: string): Promise<Identity> {
    return this.getUnique({ login });
  }
}
