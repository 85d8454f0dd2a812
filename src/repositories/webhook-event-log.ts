import { z } from "zod";
import type { Prisma, WebhookEventLog } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, parseInput } from "./common/input-validation.ts";
import { nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";
import { ipAddress } from "./webhook-rate-limit.ts";

const ENTITY = "webhook_event_log";

const createWebhookEventLogInput = z.object({
  triggerId: id,
  triggerRef: z.string().min(1).max(255),
  webhookKey: z.string().min(1).max(64),
  eventId: id.nullish(),
  /** Stored in an `inet` column. */
  sourceIp: ipAddress.nullish(),
  userAgent: z.string().nullish(),
  payloadSizeBytes: z.number().int().min(0).max(2147483647).nullish(),
  headers: nullableJsonInput.optional(),
  /** The HTTP status returned to the caller. */
  statusCode: z.number().int().min(100).max(599),
  errorMessage: z.string().nullish(),
  processingTimeMs: z.number().int().min(0).max(2147483647).nullish(),
  hmacVerified: z.boolean().nullish(),
  rateLimited: z.boolean().nullish(),
  ipAllowed: z.boolean().nullish(),
});
export type CreateWebhookEventLogInput = z.input<typeof createWebhookEventLogInput>;

const daysInput = z.object({ days: z.number().int().min(0) });

const NEWEST_FIRST = [{ created: "desc" }, { id: "desc" }] satisfies Prisma.WebhookEventLogOrderByWithRelationInput[];

/** Audit log of incoming webhook requests, newest first. Rows are never updated. */
export class WebhookEventLogRepository {
  constructor(private readonly db: DbClient) {}

  /**
   * Logs one webhook request. An unknown `triggerId` or `eventId` is a
   * {@link ForeignKeyError} (`webhook_event_log.trigger_id -> trigger`,
   * `webhook_event_log.event_id -> event`).
   */
  async create(input: CreateWebhookEventLogInput): Promise<WebhookEventLog> {
    const data = parseInput(ENTITY, createWebhookEventLogInput, input);
    return mapErrors(ENTITY, () =>
      this.db.webhookEventLog.create({ data: data as Prisma.WebhookEventLogUncheckedCreateInput }),
    );
  }

  async findById(id: Id): Promise<WebhookEventLog | null> {
    return mapErrors(ENTITY, () => this.db.webhookEventLog.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<WebhookEventLog> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of a trigger's log, newest first. */
  async listByTrigger(triggerId: Id, page?: PageRequest): Promise<Page<WebhookEventLog>> {
    const where = { triggerId: toId(triggerId) };
    return paginate(
      ENTITY,
      page,
      (window) => this.db.webhookEventLog.findMany({ where, orderBy: NEWEST_FIRST, ...window }),
      () => this.db.webhookEventLog.count({ where }),
    );
  }

  /** One page of the requests received on `webhookKey`, newest first (also for keys since regenerated). */
  async listByWebhookKey(webhookKey: string, page?: PageRequest): Promise<Page<WebhookEventLog>> {
    const where = { webhookKey };
    return paginate(
      ENTITY,
      page,
      (window) => this.db.webhookEventLog.findMany({ where, orderBy: NEWEST_FIRST, ...window }),
      () => this.db.webhookEventLog.count({ where }),
    );
  }

  /** Deletes the rows created more than `days` days ago (database clock); returns how many. */
  async deleteOlderThan(days: number): Promise<number> {
    const input = parseInput(ENTITY, daysInput, { days });
    return mapErrors(ENTITY, () =>
      this.db.$executeRaw`DELETE FROM webhook_event_log WHERE created < now() - make_interval(days => ${input.days}::integer)`,
    );
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
