import type pg from "pg";
import { connectPgClient } from "../client/connect-pg-client.ts";
import { resolveClientTarget } from "../config/resolve-client-target.ts";
import { quoteIdentifier } from "../schema/schema-name.ts";

/** The channel the execution trigger notifies on (database-wide, like every channel). */
export const ATTUNE_NOTIFICATIONS_CHANNEL = "attune_notifications";

export interface SchemaNotification {
  readonly channel: string;
  /** The parsed JSON payload; attune's triggers always include `schema`. */
  readonly payload: Record<string, unknown> & { schema: string };
}

export interface ListenOptions {
  readonly url?: string;
  /** Only notifications raised in this schema are delivered. Default is the URL's / configured schema. */
  readonly schema?: string;
  /** Default is `["attune_notifications"]`. */
  readonly channels?: readonly string[];
  readonly onNotification: (notification: SchemaNotification) => void;
  /** The connection failed after LISTEN (server restart...). Default is to ignore it. */
  readonly onError?: (error: Error) => void;
}

export interface NotificationListener {
  readonly schema: string;
  close(): Promise<void>;
}

/**
 * LISTENs on `channels` and delivers only the notifications whose payload
 * says they were raised in `schema`. Channels are database-wide, so many
 * schemas (parallel tests, tenants) notify on the same channel names; attune's
 * triggers put `TG_TABLE_SCHEMA` into every payload, and this filters on it.
 */
export async function listenNotifications(options: ListenOptions): Promise<NotificationListener> {
  const { url, schema } = resolveClientTarget({ url: options.url, schema: options.schema, maxConnections: 1 });
  const client = await connectPgClient(url, schema);
  const channels = options.channels ?? [ATTUNE_NOTIFICATIONS_CHANNEL];
  client.on("notification", (message: pg.Notification) => {
    const payload = parseJson(message.payload);
    if (payload?.schema === schema) {
      options.onNotification({ channel: message.channel, payload: payload as SchemaNotification["payload"] });
    }
  });
  client.on("error", (error) => options.onError?.(error));
  try {
    for (const channel of channels) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return { schema, close: () => client.end() };
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
