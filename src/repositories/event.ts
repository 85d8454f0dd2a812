import { z } from "zod";
import type { Event, Prisma } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, packScopedRef, parseInput } from "./common/input-validation.ts";
import { nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { MAX_PER_PAGE, paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "event";

/** Newest first; `id` breaks ties between rows created in the same transaction. */
const NEWEST_FIRST: Prisma.EventOrderByWithRelationInput[] = [{ created: "desc" }, { id: "desc" }];

const createEventInput = z.object({
  /** The trigger that fired; null once that trigger is deleted (ON DELETE SET NULL). */
  triggerId: id.nullish(),
  /** Kept after the trigger is deleted. */
  triggerRef: packScopedRef,
  config: nullableJsonInput.optional(),
  payload: nullableJsonInput.optional(),
  /** The sensor that emitted the event. */
  sourceId: id.nullish(),
  sourceRef: packScopedRef.nullish(),
});
export type CreateEventInput = z.input<typeof createEventInput>;

const updateEventInput = createEventInput.pick({ config: true, payload: true }).partial();
export type UpdateEventInput = z.input<typeof updateEventInput>;

/** Events: one firing of a trigger. Listed newest first. */
export class EventRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Event | null> {
    return mapErrors(ENTITY, () => this.db.event.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<Event> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of events, newest first. */
  async list(page?: PageRequest): Promise<Page<Event>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.event.findMany({ orderBy: NEWEST_FIRST, ...window }),
      () => this.db.event.count(),
    );
  }

  async create(input: CreateEventInput): Promise<Event> {
    const data = parseInput(ENTITY, createEventInput, input);
    return mapErrors(ENTITY, () => this.db.event.create({ data: data as Prisma.EventUncheckedCreateInput }));
  }

  /** Changes only the given fields (config, payload); `updated` is set by the database. */
  async update(id: Id, input: UpdateEventInput): Promise<Event> {
    const data = parseInput(ENTITY, updateEventInput, input);
    return mapErrors(ENTITY, () => this.db.event.update({ where: { id: toId(id) }, data: data as Prisma.EventUncheckedUpdateInput }), {
      id: toId(id),
    });
  }

  /**
   * Deletes the event. Its enforcements and webhook log rows keep existing
   * with their event set to NULL (ON DELETE SET NULL). Returns whether a row
   * was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.event.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** The trigger's events, newest first (at most 1000). */
  async findByTrigger(triggerId: Id): Promise<Event[]> {
    return this.db.event.findMany({ where: { triggerId: toId(triggerId) }, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /** Events by trigger ref (also those whose trigger was deleted), newest first (at most 1000). */
  async findByTriggerRef(triggerRef: string): Promise<Event[]> {
    return this.db.event.findMany({ where: { triggerRef }, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /**
   * Events created by the webhook endpoint (`config.source` = "webhook"),
   * optionally only those received on `webhookKey` (`config.webhook_key`),
   * newest first (at most 1000).
   */
  async findWebhookEvents(webhookKey?: string): Promise<Event[]> {
    const where: Prisma.EventWhereInput = {
      AND: [
        { config: { path: ["source"], equals: "webhook" } },
        ...(webhookKey === undefined ? [] : [{ config: { path: ["webhook_key"], equals: webhookKey } }]),
      ],
    };
    return this.db.event.findMany({ where, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
