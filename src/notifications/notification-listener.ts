import type pg from "pg";
import { connectPgClient } from "../client/connect-pg-client.ts";
import { AttuneDbError } from "../errors/attune-db-error.ts";
import { DatabaseUnavailableError } from "../errors/database-unavailable-error.ts";
import { mapDatabaseError } from "../errors/map-database-error.ts";
import { quoteIdentifier } from "../schema/schema-name.ts";
import type { ListenOptions, SchemaNotification } from "./listen-notifications.ts";

const WHO = "notification listener";
/** How long the health check's round trip may take before the connection counts as lost. */
const HEALTH_CHECK_TIMEOUT_MS = 5_000;

/** One schema's LISTEN connection, kept alive across connection losses (see listenNotifications). */
export class NotificationListener {
  private client: pg.Client | undefined;
  private closed = false;
  private downSince: Date | undefined;
  private lostBy: AttuneDbError | undefined;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly healthTimer: NodeJS.Timeout | undefined;
  private readonly channels: readonly string[];

  constructor(
    private readonly url: string,
    readonly schema: string,
    private readonly options: ListenOptions & { readonly channels: readonly string[] },
  ) {
    this.channels = options.channels;
    const interval = options.healthCheckIntervalMs ?? 30_000;
    if (interval > 0) {
      this.healthTimer = setInterval(() => void this.checkHealth(), interval);
      this.healthTimer.unref();
    }
  }

  /** Whether LISTEN is active right now (false while reconnecting). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** The first connection: its failure is the caller's. */
  async start(): Promise<void> {
    try {
      this.client = await this.connect();
    } catch (error) {
      await this.close();
      throw typed(error);
    }
  }

  /** `await using listener = await listenNotifications(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.healthTimer);
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<pg.Client> {
    const client = await connectPgClient(this.url, this.schema);
    client.on("notification", (message) => this.deliver(message));
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("Connection terminated")));
    try {
      for (const channel of this.channels) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    } catch (error) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  }

  private deliver(message: pg.Notification): void {
    const payload = parseJson(message.payload);
    if (payload?.schema === this.schema) {
      this.options.onNotification({ channel: message.channel, payload: payload as SchemaNotification["payload"] });
    }
  }

  /** The connection `client` broke: report it once, drop it, and start reconnecting. */
  private lost(client: pg.Client, cause: unknown): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners("end");
    client.end().catch(() => {});
    this.downSince = new Date();
    this.lostBy = typed(cause);
    this.attempts = 0;
    this.options.onError?.(this.lostBy);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const initial = this.options.reconnect?.initialDelayMs ?? 100;
    const max = this.options.reconnect?.maxDelayMs ?? 5_000;
    const delay = Math.min(max, initial * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.retryTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    this.attempts++;
    let client: pg.Client;
    try {
      client = await this.connect();
    } catch (error) {
      if (this.closed) return;
      this.options.onError?.(typed(error));
      return this.scheduleReconnect();
    }
    if (this.closed) return void (await client.end().catch(() => {}));
    this.client = client;
    const gap = { downSince: this.downSince!, upAt: new Date(), attempts: this.attempts, error: this.lostBy! };
    this.downSince = this.lostBy = undefined;
    this.options.onReconnect?.(gap);
  }

  /** A round trip on the idle connection; no answer in time means it is lost, even if no socket error says so. */
  private async checkHealth(): Promise<void> {
    const client = this.client;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DatabaseUnavailableError("connection-lost", `no answer to a health check within ${HEALTH_CHECK_TIMEOUT_MS} ms`)),
        HEALTH_CHECK_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([client.query("SELECT 1"), timeout]);
    } catch (error) {
      this.lost(client, error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A connection failure as an attune-db error (DatabaseUnavailableError, or DatabaseUnreachableError for a failed connect). */
function typed(error: unknown): AttuneDbError {
  const mapped = mapDatabaseError(WHO, error);
  if (mapped instanceof AttuneDbError) return mapped;
  return new DatabaseUnavailableError("connection-lost", error instanceof Error ? error.message : String(error), { entity: WHO, cause: error });
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
