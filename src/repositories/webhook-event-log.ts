import { z } from "zod";
import type { WebhookEventLog } from "../../prisma/generated/client.ts";
import { modelRepository, type Id, type Page, type PageRequest } from "./common/index.ts";
import { count, id, ipAddress, nullableJsonInput } from "./common/input-validation.ts";

/**
 * An unknown `triggerId` or `eventId` is a ForeignKeyError
 * (`webhook_event_log.trigger_id -> trigger`, `webhook_event_log.event_id -> event`).
 */
const createInput = z.object({
  triggerId: id,
  triggerRef: z.string().min(1).max(255),
  webhookKey: z.string().min(1).max(64),
  eventId: id.nullish(),
  /** Stored in an `inet` column. */
  sourceIp: ipAddress.nullish(),
  userAgent: z.string().nullish(),
  payloadSizeBytes: count.nullish(),
  headers: nullableJsonInput.optional(),
  /** The HTTP status returned to the caller. */
  statusCode: z.number().int().min(100).max(599),
  errorMessage: z.string().nullish(),
  processingTimeMs: count.nullish(),
  hmacVerified: z.boolean().nullish(),
  rateLimited: z.boolean().nullish(),
  ipAllowed: z.boolean().nullish(),
});
export type CreateWebhookEventLogInput = z.input<typeof createInput>;

/** Audit log of incoming webhook requests, newest first. Rows are never updated. */
export class WebhookEventLogRepository extends modelRepository({ model: "webhookEventLog", create: createInput }) {
  async listByTrigger(triggerId: Id, page?: PageRequest): Promise<Page<WebhookEventLog>> {
    return this.page({ triggerId: this.toId(triggerId, "triggerId") }, page);
  }

  /** One page of the requests received on `webhookKey`, newest first (also for keys since regenerated). */
  async listByWebhookKey(webhookKey: string, page?: PageRequest): Promise<Page<WebhookEventLog>> {
    return this.page({ webhookKey }, page);
  }

  /** Deletes the rows created more than `days` days ago (database clock); returns how many. */
  async deleteOlderThan(days: number): Promise<number> {
    const input = this.parse(z.object({ days: z.number().int().min(0) }), { days });
    return this.db.$executeRaw`DELETE FROM webhook_event_log WHERE created < now() - make_interval(days => ${input.days}::integer)`;
  }
}
