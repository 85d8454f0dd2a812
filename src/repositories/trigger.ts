import { z } from "zod";
import type { Trigger } from "../../prisma/generated/client.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import { catalogRepository, type Id } from "./common/index.ts";
import { id, ipAllowListEntry, nullableJsonInput, packScopedRef } from "./common/input-validation.ts";
import { WebhookEventLogRepository, type CreateWebhookEventLogInput } from "./webhook-event-log.ts";

const createInput = z.object({
  ref: packScopedRef,
  packId: id.nullish(),
  packRef: z.string().min(1).nullish(),
  label: z.string().min(1),
  description: z.string().nullish(),
  enabled: z.boolean().optional(),
  paramSchema: nullableJsonInput.optional(),
  outSchema: nullableJsonInput.optional(),
});
/** Enabled by default, webhook disabled; an unknown `packId` is a ForeignKeyError (`trigger.pack -> pack`). */
export type CreateTriggerInput = z.input<typeof createInput>;

const updateInput = createInput.pick({ label: true, description: true, enabled: true, paramSchema: true, outSchema: true }).partial();
export type UpdateTriggerInput = z.input<typeof updateInput>;

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
 *
 * `delete` takes its sensors and webhook log with it (ON DELETE CASCADE); its
 * events keep their `triggerRef` with `triggerId` set to null. Refused with a
 * ForeignKeyError (`rule.trigger -> trigger`) while rules use it.
 */
export class TriggerRepository extends catalogRepository({ model: "trigger", create: createInput, update: updateInput }) {
  async findByPack(packId: Id): Promise<Trigger[]> {
    return this.findWhere({ packId: this.toId(packId, "packId") });
  }

  async findEnabled(): Promise<Trigger[]> {
    return this.findWhere({ enabled: true });
  }

  /**
   * The trigger whose webhook key is `webhookKey`, or null. A disabled
   * webhook keeps its key, so check `webhookEnabled` before accepting a request.
   */
  async findByWebhookKey(webhookKey: string): Promise<Trigger | null> {
    return this.findUnique({ webhookKey });
  }

  /**
   * Enables the trigger's webhook (SQL `enable_trigger_webhook`): keeps the
   * existing key or generates one, and stores `config` with defaults for the
   * missing `hmac`, `rate_limit` and `ip_whitelist` keys (replacing the
   * previous configuration). NotFoundError for an unknown id.
   */
  async enableWebhook(id: Id, config?: WebhookConfigInput): Promise<WebhookEnabled> {
    const input = this.parse(enableWebhookInput, { config });
    const key = { id: this.toId(id) };
    const [enabled] = await this.webhookFunction(
      key,
      this.db.$queryRaw<WebhookEnabled[]>`
        SELECT webhook_enabled AS "webhookEnabled", webhook_key AS "webhookKey", webhook_url AS "webhookUrl", webhook_config AS "webhookConfig"
        FROM enable_trigger_webhook(${key.id}::bigint, ${JSON.stringify(input.config ?? {})}::jsonb)`,
    );
    return enabled ?? this.notFound(key);
  }

  /**
   * Disables the trigger's webhook (SQL `disable_trigger_webhook`); the key
   * and configuration are kept. NotFoundError for an unknown id.
   */
  async disableWebhook(id: Id): Promise<boolean> {
    const key = { id: this.toId(id) };
    const [row] = await this.webhookFunction(
      key,
      this.db.$queryRaw<Array<{ disabled: boolean }>>`SELECT disable_trigger_webhook(${key.id}::bigint) AS disabled`,
    );
    return row?.disabled === true;
  }

  /**
   * Replaces the trigger's webhook key with a new one (SQL
   * `regenerate_trigger_webhook_key`); the old key stops working at once.
   * NotFoundError for an unknown id.
   */
  async regenerateWebhookKey(id: Id): Promise<WebhookKeyRegenerated> {
    const key = { id: this.toId(id) };
    const [regenerated] = await this.webhookFunction(
      key,
      this.db.$queryRaw<WebhookKeyRegenerated[]>`
        SELECT webhook_key AS "webhookKey", previous_key_revoked AS "previousKeyRevoked" FROM regenerate_trigger_webhook_key(${key.id}::bigint)`,
    );
    return regenerated ?? this.notFound(key);
  }

  /**
   * Replaces the trigger's webhook configuration with `config` (validated;
   * no defaults are merged in), leaving the enabled flag and key alone.
   */
  async updateWebhookConfig(id: Id, config: WebhookConfigInput): Promise<Trigger> {
    const input = this.parse(updateWebhookConfigInput, { config });
    return this.db.trigger.update({ where: { id: this.toId(id) }, data: { webhookConfig: input.config } });
  }

  /** Logs one webhook request in `webhook_event_log` and returns the new row's id. */
  async logWebhookEvent(input: CreateWebhookEventLogInput): Promise<bigint> {
    return (await new WebhookEventLogRepository(this.db).create(input)).id;
  }

  /** The webhook functions raise no_data_found for an unknown trigger: the NotFoundError names the id. */
  private async webhookFunction<T>(key: { id: bigint }, query: Promise<T>): Promise<T> {
    return query.catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError(this.entity, key) : error;
    });
  }
}
