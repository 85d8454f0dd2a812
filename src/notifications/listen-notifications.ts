import { resolveClientTarget } from "../config/resolve-client-target.ts";
import type { AttuneDbError } from "../errors/attune-db-error.ts";
import { ATTUNE_NOTIFICATIONS_CHANNEL } from "./channels.ts";
import { NotificationListener } from "./notification-listener.ts";


export interface SchemaNotification {
  readonly channel: string;
  /** The parsed JSON payload; attune's triggers always include `schema`. */
  readonly payload: Record<string, unknown> & { schema: string };
}

/** A time the listener was not listening: notifications raised in it were not delivered. */
export interface NotificationGap {
  /** When the connection was found lost. */
  readonly downSince: Date;
  /** When LISTEN was active again. */
  readonly upAt: Date;
  /** Connection attempts it took. */
  readonly attempts: number;
  /** What ended the connection (a DatabaseUnavailableError). */
  readonly error: AttuneDbError;
}

export interface ListenOptions {
  readonly url?: string;
  /** Only notifications raised in this schema are delivered. Default is the URL's / configured schema. */
  readonly schema?: string;
  /** Default is `["attune_notifications"]`. */
  readonly channels?: readonly string[];
  readonly onNotification: (notification: SchemaNotification) => void;
  /**
   * After a lost connection the listener reconnects (with backoff) and LISTENs
   * again, then calls this with the gap: re-read whatever state the missed
   * notifications were about. Default is to do nothing.
   */
  readonly onReconnect?: (gap: NotificationGap) => void;
  /** Each connection loss and each failed reconnection attempt, as a DatabaseUnavailableError. Default is to ignore them. */
  readonly onError?: (error: AttuneDbError) => void;
  /** The wait between reconnection attempts: doubles from `initialDelayMs` (default 100) up to `maxDelayMs` (default 5 000), with jitter. */
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /**
   * How often, in ms, an idle connection is checked with a round trip, so that
   * a silent loss (a frozen server, a dead network) is noticed too. 0 turns it
   * off. Default is 30 000.
   */
  readonly healthCheckIntervalMs?: number;
}

export type { NotificationListener };

/**
 * LISTENs on `channels` and delivers only the notifications whose payload
 * says they were raised in `schema`. Channels are database-wide, so many
 * schemas (parallel tests, tenants) notify on the same channel names; attune's
 * triggers put `TG_TABLE_SCHEMA` into every payload, and this filters on it.
 *
 * The listener does not stop until `close()`: when its connection is lost
 * (server restart, network) it reconnects with backoff, LISTENs again, and
 * reports the gap through `onReconnect`. The first connection must succeed:
 * otherwise this rejects with a DatabaseUnreachableError.
 */
export async function listenNotifications(options: ListenOptions): Promise<NotificationListener> {
  const { url, schema } = resolveClientTarget({ url: options.url, schema: options.schema, maxConnections: 1 });
  const listener = new NotificationListener(url, schema, { ...options, channels: options.channels ?? [ATTUNE_NOTIFICATIONS_CHANNEL] });
  await listener.start();
  return listener;
}
