import pg from "pg";
import { connectPgClient } from "../client/connect-pg-client.ts";
import { requireDirectConnection } from "../client/connection-pooler.ts";
import { connectionConfig } from "../client/create-pg-pool.ts";
import { DISCONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS } from "./provisioner-timeouts.ts";
import { REGISTRY_SCHEMA } from "./test-schema-registry.ts";

/**
 * Connections of the provisioner: search_path on the registry schema, and a
 * statement timeout so that no statement can hang forever (lock waits get
 * their own, shorter bound per transaction: see provisioner-timeouts.ts).
 */
export function provisionerConnectionConfig(url: string, applicationName: string): pg.ClientConfig {
  requireDirectConnection(url, "The test schema provisioner");
  const base = connectionConfig(url, REGISTRY_SCHEMA);
  return {
    ...base,
    options: `${base.options ?? ""} -c statement_timeout=${STATEMENT_TIMEOUT_MS} -c lock_timeout=${STATEMENT_TIMEOUT_MS}`.trim(),
    application_name: applicationName,
  };
}

export async function connectProvisionerClient(url: string, applicationName: string): Promise<pg.Client> {
  return connectPgClient(url, REGISTRY_SCHEMA, provisionerConnectionConfig(url, applicationName));
}

/**
 * Lets the process exit while this connection is open (Jest workers must not
 * wait for the provisioner). pg exposes no API for it, so this reaches into
 * `client.connection.stream` (a net.Socket); tests/isolation/pg-internals.test.ts
 * breaks if a pg release moves it. pg-pool refs a client again each time it is
 * checked out, so pools call this on every "acquire".
 */
export function unrefConnection(client: pg.ClientBase): void {
  socketOf(client).unref();
}

/** Ends a client within {@link DISCONNECT_TIMEOUT_MS}, destroying its socket if the server does not answer. */
export async function endWithin(client: pg.ClientBase & { end(): Promise<void> }, ms = DISCONNECT_TIMEOUT_MS): Promise<void> {
  await within(client.end().catch(() => {}), ms, () => socketOf(client).destroy());
}

/** Ends a pool within `ms`; clients still checked out are abandoned (their sockets destroyed by their own timeouts). */
export async function endPoolWithin(pool: pg.Pool, ms = DISCONNECT_TIMEOUT_MS): Promise<void> {
  await within(pool.end().catch(() => {}), ms, () => {});
}

async function within(work: Promise<void>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
    timer.unref();
  });
  const outcome = await Promise.race([work, timedOut]);
  clearTimeout(timer);
  if (outcome === "timeout") onTimeout();
}

function socketOf(client: pg.ClientBase): { unref(): void; destroy(): void } {
  return (client as unknown as { connection: { stream: { unref(): void; destroy(): void } } }).connection.stream;
}

/** Every connection of a run's provisioners carries this name, so the run's teardown can wait for them to end. */
export function provisionerApplicationName(runId: string): string {
  return `attune-db:provisioner:${runId}`;
}
