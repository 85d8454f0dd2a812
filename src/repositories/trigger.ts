import { z } from "zod";
import type { Prisma, Trigger } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, packScopedRef, parseInput } from "./common/input-validation.ts";
import { nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";
import { WebhookEventLogRepository, type CreateWebhookEventLogInput } from "./webhook-event-log.ts";
import { ipAllowListEntry } from "./webhook-rate-limit.ts";

const ENTITY = "trigger";

const createTriggerInput = z.object({
  ref: packScopedRef,
  packId: id.nullish(),
  packRef: z.string().min(1).nullish(),
  label: z.string().min(1),
  description: z.string().nullish(),
  enabled: z.boolean().optional(),
  paramSchema: nullableJsonInput.optional(),
  outSchema: nullableJsonInput.optional(),
});
export type CreateTriggerInput = z.input<typeof createTriggerInput>;

const updateTriggerInput = createTriggerInput
  .pick({ label: true, description: true, enabled: true, paramSchema: true, outSchema: true })
  .partial();
export type UpdateTriggerInput = z.input<typeof updateTriggerInput>;

/**
 * `trigger.webhook_config`: the keys the API reads. Unknown keys are
 * rejected (so that a misspelt option is reported rather than ignored).
 */
const webhookConfigSchema = z.strictObject({
  hmac: z
    .strictObject({
      enabled: z.boolean(),
      secret: z.string().min(1).optional(),
      algorithm: z.enum(["sha256", "sha512", "sha1"]).default("sha256"),
    })
    .optional(),
  rate_limit: z
    .strictObject({
      enabled: z.boolean(),
      requests: z.number().int().min(1).max(10000).optional(),
      window_seconds: z.number().int().min(1).max(3600).optional(),
    })
    .optional(),
  ip_whitelist: z
    .strictObject({
      enabled: z.boolean(),
      ips: z.array(ipAllowListEntry).default([]),
    })
    .optional(),
  payload_size_limit_kb: z.number().int().min(1).optional(),
  secret: z.string().min(1).optional(),
});
/** What callers pass as a webhook configuration (every top-level key optional). */
export type WebhookConfigInput = z.input<typeof webhookConfigSchema>;
/** A validated webhook configuration, as stored. */
export type WebhookConfig = z.output<typeof webhookConfigSchema>;

const enableWebhookInput = z.object({ config: webhookConfigSchema.optional() });
const updateWebhookConfigInput = z.object({ config: webhookConfigSchema });

/** Result of {@link TriggerRepository.enableWebhook}. */
export interface WebhookEnabled {
  readonly webhookEnabled: boolean;
  readonly webhookKey: string;
  /** Relative URL, `/api/v1/webhooks/<key>`. */
  readonly webhookUrl: string;
  /** The stored configuration: the given one with defaults for the missing `hmac`, `rate_limit` and `ip_whitelist`. */
  readonly webhookConfig: WebhookConfig;
}

/** Result of {@link TriggerRepository.regenerateWebhookKey}. */
export interface WebhookKeyRegenerated {
  readonly webhookKey: string;
  /** Whether the trigger had a key before (which no longer works). */
  readonly previousKeyRevoked: boolean;
}

/**
 * Triggers: event type definitions, optionally reachable as webhooks. Listed
 * by ref. The webhook columns (`webhookEnabled`, `webhookKey`,
 * `webhookConfig`) change only through the webhook methods.
 */
export class TriggerRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Trigger | null> {
    return mapErrors(ENTITY, () => this.db.trigger.findUnique({ where: { id: toId(id) } }));
  }

  async findByRef(ref: string): Promise<Trigger | null> {
    return mapErrors(ENTITY, () => this.db.trigger.findUnique({ where: { ref } }));
  }

  async getById(id: Id): Promise<Trigger> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  async getByRef(ref: string): Promise<Trigger> {
    return (await this.findByRef(ref)) ?? notFound({ ref });
  }

  /** One page of triggers, ordered by ref. */
  async list(page?: PageRequest): Promise<Page<Trigger>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.trigger.findMany({ orderBy: { ref: "asc" }, ...window }),
      () => this.db.trigger.count(),
    );
  }

  /** Creates a trigger (enabled by default, webhook disabled); an unknown `packId` is a {@link ForeignKeyError} (`trigger.pack -> pack`). */
  async create(input: CreateTriggerInput): Promise<Trigger> {
    const data = parseInput(ENTITY, createTriggerInput, input);
    return mapErrors(ENTITY, () => this.db.trigger.create({ data: data as Prisma.TriggerUncheckedCreateInput }));
  }

  /** Changes only the given fields of label, description, enabled, paramSchema and outSchema (`updated` is set by the database). */
  async update(id: Id, input: UpdateTriggerInput): Promise<Trigger> {
    const data = parseInput(ENTITY, updateTriggerInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.trigger.update({ where: { id: toId(id) }, data: data as Prisma.TriggerUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /**
   * Deletes the trigger and, through ON DELETE CASCADE, its sensors and
   * webhook log; its events keep their `triggerRef` with `triggerId` set to
   * null. Refused with a {@link ForeignKeyError} (`rule.trigger -> trigger`)
   * while rules use it. Returns whether a row was deleted.
   */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.trigger.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** The triggers of a pack, by ref. */
  async findByPack(packId: Id): Promise<Trigger[]> {
    return mapErrors(ENTITY, () => this.db.trigger.findMany({ where: { packId: toId(packId) }, orderBy: { ref: "asc" } }));
  }

  /** Enabled triggers, by ref. */
  async findEnabled(): Promise<Trigger[]> {
    return mapErrors(ENTITY, () => this.db.trigger.findMany({ where: { enabled: true }, orderBy: { ref: "asc" } }));
  }

  /**
   * The trigger whose webhook key is `webhookKey`, or null. A disabled
   * webhook keeps its key, so check `webhookEnabled` before accepting a request.
   */
  async findByWebhookKey(webhookKey: string): Promise<Trigger | null> {
    return mapErrors(ENTITY, () => this.db.trigger.findUnique({ where: { webhookKey } }));
  }

  /**
   * Enables the trigger's webhook (SQL `enable_trigger_webhook`): keeps the
   * existing key or generates one, and stores `config` with defaults for the
   * missing `hmac`, `rate_limit` and `ip_whitelist` keys (replacing the
   * previous configuration). {@link NotFoundError} for an unknown id.
   */
  async enableWebhook(id: Id, config?: WebhookConfigInput): Promise<WebhookEnabled> {
    const input = parseInput(ENTITY, enableWebhookInput, { config });
    const key = { id: toId(id) };
    const rows = await mapErrors(
      ENTITY,
      () => this.db.$queryRaw<Array<{ webhook_enabled: boolean; webhook_key: string; webhook_url: string; webhook_config: WebhookConfig }>>`
        SELECT * FROM enable_trigger_webhook(${key.id}::bigint, ${JSON.stringify(input.config ?? {})}::jsonb)`,
      key,
    );
    const row = rows[0] ?? notFound(key);
    return {
      webhookEnabled: row.webhook_enabled,
      webhookKey: row.webhook_key,
      webhookUrl: row.webhook_url,
      webhookConfig: row.webhook_config,
    };
  }

  /**
   * Disables the trigger's webhook (SQL `disable_trigger_webhook`); the key
   * and configuration are kept. {@link NotFoundError} for an unknown id.
   */
  async disableWebhook(id: Id): Promise<boolean> {
    const key = { id: toId(id) };
    const rows = await mapErrors(
      ENTITY,
      () => this.db.$queryRaw<Array<{ disabled: boolean }>>`SELECT disable_trigger_webhook(${key.id}::bigint) AS disabled`,
      key,
    );
    return rows[0]?.disabled === true;
  }

  /**
   * Replaces the trigger's webhook key with a new one (SQL
   * `regenerate_trigger_webhook_key`); the old key stops working at once.
   * {@link NotFoundError} for an unknown id.
   */
  async regenerateWebhookKey(id: Id): Promise<WebhookKeyRegenerated> {
    const key = { id: toId(id) };
    const rows = await mapErrors(
      ENTITY,
      () => this.db.$queryRaw<Array<{ webhook_key: string; previous_key_revoked: boolean }>>`
        SELECT * FROM regenerate_trigger_webhook_key(${key.id}::bigint)`,
      key,
    );
    const row = rows[0] ?? notFound(key);
    return { webhookKey: row.webhook_key, previousKeyRevoked: row.previous_key_revoked };
  }

  /**
   * Replaces the trigger's webhook configuration with `config` (validated;
   * no defaults are merged in), leaving the enabled flag and key alone.
   */
  async updateWebhookConfig(id: Id, config: WebhookConfigInput): Promise<Trigger> {
    const input = parseInput(ENTITY, updateWebhookConfigInput, { config });
    const key = { id: toId(id) };
    return mapErrors(
      ENTITY,
      () => this.db.trigger.update({ where: key, data: { webhookConfig: input.config as Prisma.InputJsonValue } }),
      key,
    );
  }

  /** Logs one webhook request in `webhook_event_log` and returns the new row's id. */
  async logWebhookEvent(input: CreateWebhookEventLogInput): Promise<bigint> {
    return (await new WebhookEventLogRepository(this.db).create(input)).id;
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
