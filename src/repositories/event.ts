import { z } from "zod";
import type { Event } from "../../prisma/generated/client.ts";
import { editableRepository, MAX_PER_PAGE, type Id } from "./common/index.ts";
import { id, nullableJsonInput, packScopedRef } from "./common/input-validation.ts";

const createInput = z.object({
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
export type CreateEventInput = z.input<typeof createInput>;

const updateInput = createInput.pick({ config: true, payload: true }).partial();
export type UpdateEventInput = z.input<typeof updateInput>;

/**
 * Events: one firing of a trigger. Listed newest first (at most 1000 from
 * the finders). `delete` leaves its enforcements and webhook log rows in
 * place with their event set to NULL (ON DELETE SET NULL).
 */
export class EventRepository extends editableRepository({ model: "event", create: createInput, update: updateInput }) {
  async findByTrigger(triggerId: Id): Promise<Event[]> {
    return this.findWhere({ triggerId: this.toId(triggerId, "triggerId") }, MAX_PER_PAGE);
  }

  /** Also the events whose trigger was deleted. */
  async findByTriggerRef(triggerRef: string): Promise<Event[]> {
    return this.findWhere({ triggerRef }, MAX_PER_PAGE);
  }

  /**
   * Events created by the webhook endpoint (`config.source` = "webhook"),
   * optionally only those received on `webhookKey` (`config.webhook_key`).
   */
  async findWebhookEvents(webhookKey?: string): Promise<Event[]> {
    return this.findWhere(
      {
        AND: [
          { config: { path: ["source"], equals: "webhook" } },
          ...(webhookKey === undefined ? [] : [{ config: { path: ["webhook_key"], equals: webhookKey } }]),
        ],
      },
      MAX_PER_PAGE,
    );
  }
}
