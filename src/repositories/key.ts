import { z } from "zod";
import type { Key } from "../../prisma/generated/client.ts";
import { OwnerType } from "../../prisma/generated/enums.ts";
import { catalogRepository, type Id } from "./common/index.ts";
import { id, indexedText, keyRef } from "./common/input-validation.ts";

/** The owner id field that each non-system owner type requires (and the only one it allows). */
const OWNER_ID_FIELD = {
  identity: "ownerIdentityId",
  pack: "ownerPackId",
  action: "ownerActionId",
  sensor: "ownerSensorId",
} as const satisfies Record<Exclude<OwnerType, "system">, string>;

const OWNER_ID_FIELDS = Object.values(OWNER_ID_FIELD);

const keyFields = z.object({
  ref: keyRef,
  ownerType: z.enum(OwnerType),
  ownerIdentityId: id.nullish(),
  ownerPackId: id.nullish(),
  ownerPackRef: z.string().nullish(),
  ownerActionId: id.nullish(),
  ownerActionRef: z.string().nullish(),
  ownerSensorId: id.nullish(),
  ownerSensorRef: z.string().nullish(),
  name: indexedText.min(1),
  /** Required: the column has no default. */
  encrypted: z.boolean(),
  encryptionKeyHash: z.string().nullish(),
  /** The value, or its ciphertext when `encrypted`. */
  value: z.string(),
});

// The same rule as the validate_key_owner trigger, checked first for a message naming the field.
function checkOwner(key: z.output<typeof keyFields>, ctx: z.RefinementCtx): void {
  const required = key.ownerType === "system" ? undefined : OWNER_ID_FIELD[key.ownerType];
  for (const field of OWNER_ID_FIELDS) {
    const isSet = key[field] !== null && key[field] !== undefined;
    if (field === required && !isSet) {
      ctx.addIssue({ code: "custom", path: [field], message: `is required when ownerType is "${key.ownerType}"` });
    } else if (field !== required && isSet) {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message:
          key.ownerType === "system"
            ? 'must not be set when ownerType is "system"'
            : `must not be set when ownerType is "${key.ownerType}" (only ${required} may be)`,
      });
    }
  }
}

const createInput = keyFields.superRefine(checkOwner);
/**
 * A new key. Exactly the owner id matching `ownerType` must be given (none for
 * `system`). There is no `owner` field: the database computes it ("system" or
 * the owner's id as text).
 */
export type CreateKeyInput = z.input<typeof createInput>;

const updateInput = keyFields.pick({ name: true, value: true, encrypted: true, encryptionKeyHash: true }).partial();
export type UpdateKeyInput = z.input<typeof updateInput>;

const ownerQuery = z
  .object({ ownerType: z.enum(OwnerType), ownerId: id.optional() })
  .superRefine((query, ctx) => {
    if (query.ownerType === "system" && query.ownerId !== undefined) {
      ctx.addIssue({ code: "custom", path: ["ownerId"], message: 'must not be given when ownerType is "system"' });
    } else if (query.ownerType !== "system" && query.ownerId === undefined) {
      ctx.addIssue({ code: "custom", path: ["ownerId"], message: `is required when ownerType is "${query.ownerType}"` });
    }
  });

/**
 * Keys: configuration values and secrets scoped to an owner (system, identity,
 * pack, action or sensor). Listed by ref. `owner` is maintained by the
 * validate_key_owner trigger; (ownerType, owner, name) is unique.
 *
 * `create`: a duplicate ref, or a second key with the same name for the same
 * owner, is a ConflictError; a missing owner a ForeignKeyError; an owner
 * combination the trigger refuses a CheckViolationError (normally caught
 * first as a ValidationError).
 */
export class KeyRepository extends catalogRepository({ model: "key", create: createInput, update: updateInput }) {
  async findByOwnerType(ownerType: OwnerType): Promise<Key[]> {
    return this.findWhere(this.parse(z.object({ ownerType: z.enum(OwnerType) }), { ownerType }));
  }

  /**
   * Keys of one owner, by ref: `findByOwner("system")`, or
   * `findByOwner("pack", packId)` (the id is required for every type but system).
   */
  async findByOwner(ownerType: OwnerType, ownerId?: Id): Promise<Key[]> {
    const query = this.parse(ownerQuery, { ownerType, ownerId });
    const owner = query.ownerType === "system" ? "system" : String(query.ownerId);
    return this.findWhere({ ownerType: query.ownerType, owner });
  }
}
