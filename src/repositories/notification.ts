import { z } from "zod";
import type { Notification } from "../../prisma/generated/client.ts";
import { NotificationStatus } from "../../prisma/generated/enums.ts";
import { editableRepository, MAX_PER_PAGE, NEWEST_FIRST } from "./common/index.ts";
import { channelName, indexedText, nullableJsonInput } from "./common/input-validation.ts";

const notificationStatus = z.enum(NotificationStatus);

const createInput = z.object({
  /** The channel the insert is NOTIFY'd on. */
  channel: channelName,
  entityType: indexedText.min(1),
  /** The entity's id or ref, as text. */
  entity: indexedText.min(1),
  activity: z.string().min(1),
  state: notificationStatus.optional(),
  content: nullableJsonInput.optional(),
});
export type CreateNotificationInput = z.input<typeof createInput>;

/** No NOTIFY is sent for an update. */
const updateInput = createInput.pick({ state: true, content: true }).partial();
export type UpdateNotificationInput = z.input<typeof updateInput>;

/**
 * Notifications: an outbox of change notifications. Every insert is
 * NOTIFY'd by a database trigger on the row's channel, with the payload
 * `{schema, id, entity_type, entity, activity}` (not the content), delivered
 * when the inserting transaction commits. Listed newest first (at most 1000
 * from the finders).
 */
export class NotificationRepository extends editableRepository({ model: "notification", create: createInput, update: updateInput }) {
  async findByState(state: NotificationStatus): Promise<Notification[]> {
    return this.findWhere(this.parse(z.object({ state: notificationStatus }), { state }), MAX_PER_PAGE);
  }

  async findByChannel(channel: string): Promise<Notification[]> {
    return this.findWhere({ channel }, MAX_PER_PAGE);
  }

  /** Notifications about one entity, e.g. `("execution", "42")`. */
  async findByEntity(entityType: string, entity: string): Promise<Notification[]> {
    return this.findWhere({ entityType, entity }, MAX_PER_PAGE);
  }
}
