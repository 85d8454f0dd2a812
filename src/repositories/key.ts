import { z } from "zod";
import type { Key, Prisma } from "../../prisma/generated/client.ts";
import { OwnerType } from "../../prisma/generated/enums.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, keyRef, parseInput } from "./common/input-validation.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "key";

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
  name: z.string().min(1),
  /** Required: the column has no default. */
  encrypted: z.boolean(),
  encryptionKeyHash: z.string().nullish(),
  /** The value, or its ciphertext when `encrypted`. */
  value: z.string(),
});

// The same rule as the validate_key_owner trigger, checked first for a message naming the field.
const createKeyInput = keyFields.superRefine((key, ctx) => {
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
});
/**
 * A new key. Exactly the owner id matching `ownerType` must be given (none for
 * `system`). There is no `owner` field: the database computes it ("system" or
 * the owner's id as text).
 */
export type CreateKeyInput = z.input<typeof createKeyInput>;

const updateKeyInput = keyFields.pick({ name: true, value: true, encrypted: true, encryptionKeyHash: true }).partial();
export type UpdateKeyInput = z.input<typeof updateKeyInput>;

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
 */
export class KeyRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Key | null> {
    return mapErrors(ENTITY, () => this.db.key.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<Key | null> {
    return mapErrors(ENTITY, () => this.db.key.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<Key> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async getByRef(ref: string): Promise<Key> {
    return (await this.findByRef(ref)) ?? notFound({ ref });
  }

  /** One page of keys, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<Key>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.key.findMany({ orderBy: { ref: "asc" }, ...window }),
      () => this.db.key.count(),
    );
  }

  /**
   * Creates a key. A duplicate ref, or a second key with the same name for the
   * same owner, is a {@link ConflictError}; a missing owner a
   * {@link ForeignKeyError}; an owner combination the trigger refuses a
   * {@link CheckViolationError} (normally caught first as a ValidationError).
   */
  async create(input: CreateKeyInput): Promise<Key> {
    const data = parseInput(ENTITY, createKeyInput, input);
    return mapErrors(ENTITY, () => this.db.key.create({ data: data as Prisma.KeyUncheckedCreateInput }));
  }

  /** Changes only the given fields (`updated` is set by the database). */
  async update(id: Id, input: UpdateKeyInput): Promise<Key> {
    const data = parseInput(ENTITY, updateKeyInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.key.update({ where: { id: toId(id) }, data: data as Prisma.KeyUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Deletes the key. Returns whether a row was deleted. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.key.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Keys of one owner type, by ref. */
  async findByOwnerType(ownerType: OwnerType): Promise<Key[]> {
    const query = parseInput(ENTITY, z.object({ ownerType: z.enum(OwnerType) }), { ownerType });
    return this.db.key.findMany({ where: { ownerType: query.ownerType }, orderBy: { ref: "asc" } });
  }

  /**
   * Keys of one owner, by ref: `findByOwner("system")`, or
   * `findByOwner("pack", packId)` (the id is required for every type but system).
   */
  async findByOwner(ownerType: OwnerType, ownerId?: Id): Promise<Key[]> {
    const query = parseInput(ENTITY, ownerQuery, { ownerType, ownerId });
    const owner = query.ownerType === "system" ? "system" : String(query.ownerId);
    return this.db.key.findMany({ where: { ownerType: query.ownerType, owner }, orderBy: { ref: "asc" } });
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
