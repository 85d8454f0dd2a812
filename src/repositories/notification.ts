import { z } from "zod";
import type { Notification, Prisma } from "../../prisma/generated/client.ts";
import { NotificationStatus } from "../../prisma/generated/enums.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { parseInput } from "./common/input-validation.ts";
import { nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { MAX_PER_PAGE, paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "notification";

/** Newest first; `id` breaks ties between rows created in the same transaction. */
const NEWEST_FIRST: Prisma.NotificationOrderByWithRelationInput[] = [{ created: "desc" }, { id: "desc" }];

const notificationStatus = z.enum(NotificationStatus);

const createNotificationInput = z.object({
  /** The channel the insert is NOTIFY'd on: a PostgreSQL channel name, 1 to 63 bytes. */
  channel: z
    .string()
    .min(1)
    .refine((value) => Buffer.byteLength(value) <= 63, "must be at most 63 bytes (a PostgreSQL channel name)"),
  entityType: z.string().min(1),
  /** The entity's id or ref, as text. */
  entity: z.string().min(1),
  activity: z.string().min(1),
  state: notificationStatus.optional(),
  content: nullableJsonInput.optional(),
});
export type CreateNotificationInput = z.input<typeof createNotificationInput>;

const updateNotificationInput = createNotificationInput.pick({ state: true, content: true }).partial();
export type UpdateNotificationInput = z.input<typeof updateNotificationInput>;

/**
 * Notifications: an outbox of change notifications. Every insert is
 * NOTIFY'd by a database trigger on the row's channel, with the payload
 * `{schema, id, entity_type, entity, activity}` (not the content), delivered
 * when the inserting transaction commits. Listed newest first.
 */
export class NotificationRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Notification | null> {
    return mapErrors(ENTITY, () => this.db.notification.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<Notification> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of notifications, newest first. */
  async list(page?: PageRequest): Promise<Page<Notification>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.notification.findMany({ orderBy: NEWEST_FIRST, ...window }),
      () => this.db.notification.count(),
    );
  }

  async create(input: CreateNotificationInput): Promise<Notification> {
    const data = parseInput(ENTITY, createNotificationInput, input);
    return mapErrors(ENTITY, () => this.db.notification.create({ data: data as Prisma.NotificationCreateInput }));
  }

  /** Changes only the given fields (state, content); `updated` is set by the database. No NOTIFY is sent. */
  async update(id: Id, input: UpdateNotificationInput): Promise<Notification> {
    const data = parseInput(ENTITY, updateNotificationInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.notification.update({ where: { id: toId(id) }, data: data as Prisma.NotificationUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Deletes the notification. Returns whether a row was deleted. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.notification.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Notifications in `state`, newest first (at most 1000). */
  async findByState(state: NotificationStatus): Promise<Notification[]> {
    const where = parseInput(ENTITY, z.object({ state: notificationStatus }), { state });
    return this.db.notification.findMany({ where, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /** Notifications written to `channel`, newest first (at most 1000). */
  async findByChannel(channel: string): Promise<Notification[]> {
    return this.db.notification.findMany({ where: { channel }, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /** Notifications about one entity (e.g. `("execution", "42")`), newest first (at most 1000). */
  async findByEntity(entityType: string, entity: string): Promise<Notification[]> {
    return this.db.notification.findMany({ where: { entityType, entity }, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
