import { z } from "zod";
import { withErrorMapping, type DbClient } from "./common/index.ts";
import { ipAddress, ipAllowListEntry, parseInput } from "./common/input-validation.ts";

const ENTITY = "webhook_rate_limit";

const webhookKey = z.string().min(1).max(64);

const checkInput = z.object({
  webhookKey,
  maxRequests: z.number().int().min(1).max(10000),
  windowSeconds: z.number().int().min(1).max(3600),
});

const currentCountInput = checkInput.pick({ webhookKey: true, windowSeconds: true });

const ipCheckInput = z.object({ sourceIp: ipAddress, whitelist: z.array(ipAllowListEntry) });

/**
 * Per-key request counters in fixed time windows (table `webhook_rate_limit`),
 * driven by the SQL function `check_webhook_rate_limit`, plus the IP
 * allow-list check `check_webhook_ip_whitelist`. All times are the database's.
 */
export class WebhookRateLimitRepository {
  private readonly db: DbClient;

  constructor(db: DbClient) {
    this.db = withErrorMapping(db, ENTITY);
  }

  /**
   * Counts one request for `webhookKey` in the current window of
   * `windowSeconds` and returns whether the key is still within
   * `maxRequests` for that window (the request that exceeds the limit is
   * counted too). As a side effect the function deletes windows older than
   * an hour.
   */
  async check(webhookKey: string, maxRequests: number, windowSeconds: number): Promise<boolean> {
    const input = parseInput(ENTITY, checkInput, { webhookKey, maxRequests, windowSeconds });
    const rows = await this.db.$queryRaw<Array<{ allowed: boolean }>>`
      SELECT check_webhook_rate_limit(${input.webhookKey}::varchar, ${input.maxRequests}::integer, ${input.windowSeconds}::integer) AS allowed`;
    return rows[0]?.allowed === true;
  }

  /**
   * Requests counted for `webhookKey` in the window that {@link check} would
   * use now for windows of `windowSeconds` (default 60); 0 when none.
   */
  async currentCount(webhookKey: string, windowSeconds = 60): Promise<number> {
    const input = parseInput(ENTITY, currentCountInput, { webhookKey, windowSeconds });
    // The same window start as check_webhook_rate_limit computes.
    const rows = await this.db.$queryRaw<Array<{ request_count: number }>>`
      SELECT request_count FROM webhook_rate_limit
      WHERE webhook_key = ${input.webhookKey}::varchar
        AND window_start = date_trunc('minute', now())
          - ((EXTRACT(EPOCH FROM date_trunc('minute', now()))::integer % ${input.windowSeconds}::integer) || ' seconds')::interval`;
    return Number(rows[0]?.request_count ?? 0);
  }

  /**
   * Whether `sourceIp` lies inside any entry of `whitelist` (single addresses
   * or CIDR blocks). An empty whitelist allows nothing.
   */
  async isIpAllowed(sourceIp: string, whitelist: readonly string[]): Promise<boolean> {
    const input = parseInput(ENTITY, ipCheckInput, { sourceIp, whitelist });
    const rows = await this.db.$queryRaw<Array<{ allowed: boolean }>>`
      SELECT check_webhook_ip_whitelist(${input.sourceIp}::inet, ${input.whitelist}::text[]) AS allowed`;
    return rows[0]?.allowed === true;
  }

  /** Deletes the windows that started more than an hour ago (what check() also does); returns how many. */
  async purgeExpired(): Promise<number> {
    return this.db.$executeRaw`DELETE FROM webhook_rate_limit WHERE window_start < now() - interval '1 hour'`;
  }
}
