import { customAlphabet } from "nanoid";
import { createPrismaClient } from "../client/create-prisma-client.ts";
import { withPgClient } from "../client/connect-pg-client.ts";
import { EXTENSIONS_SCHEMA } from "../client/shared-schemas.ts";
import { loadDatabaseConfig } from "../config/load-database-config.ts";
import { describeServer } from "../config/datasource-url.ts";
import { useDatabaseServer } from "../embedded/database-server.ts";
import { migrate } from "../migrations/migrate.ts";
import { migrationStatus } from "../migrations/migration-status.ts";
import { listenNotifications, type SchemaNotification } from "../notifications/listen-notifications.ts";
import { createRepositories } from "../repositories/create-repositories.ts";
import { EXECUTION_STATUS_CHANGED_CHANNEL } from "../notifications/channels.ts";
import { dropEmptySchema } from "../provisioner/drop-empty-schema.ts";
import { toJson } from "../json/attune-json.ts";
import { DemoError } from "../errors/demo-error.ts";
import { dropSharedExtensionsIfCreated, readSharedExtensionsFootprint } from "./shared-extensions-footprint.ts";

export interface DemoOptions {
  /** Leave the demo's rows (and the schema, if the demo created it) in place. Default is false. */
  readonly keep?: boolean;
  readonly log?: (line: string) => void;
}

const STATUSES = ["scheduling", "scheduled", "running", "completed"] as const;
const suffix = customAlphabet("abcdefghijklmnopqrstuvwxyz0123456789", 6);

/**
 * The data layer end to end: migrate the configured schema (default
 * `attune`), install a demo pack (runtime, webhook trigger, sensor, action,
 * rule), raise an event, create the enforcement and its execution in one
 * transaction, move the execution through its statuses, and receive its
 * NOTIFYs. Leaves the database as it found it unless `keep`.
 */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const log = options.log ?? console.log;
  const config = loadDatabaseConfig();
  const server = await useDatabaseServer({ log: (line) => log(`• ${line}`) });
  try {
    const schema = config.schema;
    const { host, port } = describeServer(server.url);
    const existed = (await migrationStatus({ url: server.url, schema })).schemaExists;
    const extensionsBefore = await withPgClient(server.url, schema, readSharedExtensionsFootprint);
    const migrated = await migrate({ url: server.url, schema });
    log(`• Schema "${schema}" on ${host}:${port}: ${migrated.applied.length} migration(s) applied, ${migrated.alreadyApplied.length} already there`);

    const prisma = createPrismaClient({ url: server.url, schema, maxConnections: 4 });
    const notifications: SchemaNotification[] = [];
    const listener = await listenNotifications({
      url: server.url,
      schema,
      channels: ["attune_notifications", EXECUTION_STATUS_CHANGED_CHANNEL],
      onNotification: (n) => notifications.push(n),
    });
    const created: { packId?: bigint; eventId?: bigint; executionId?: bigint; enforcementId?: bigint } = {};
    try {
      const repos = createRepositories(prisma);
      const ref = `demo_${suffix()}`;
      const pack = await repos.packs.create({ ref, label: "Demo pack", version: "1.0.0", description: "Installed by `npm start`" });
      created.packId = pack.id;
      const runtime = await repos.runtimes.create({
        ref: `${ref}.action.shell`, packId: pack.id, packRef: ref, runtimeType: "action", name: "shell", distributions: { linux: {} },
      });
      const sensorRuntime = await repos.runtimes.create({
        ref: `${ref}.sensor.builtin`, packId: pack.id, packRef: ref, runtimeType: "sensor", name: "builtin", distributions: {},
      });
      const trigger = await repos.triggers.create({ ref: `${ref}.push`, packId: pack.id, packRef: ref, label: "Push received" });
      const webhook = await repos.triggers.enableWebhook(trigger.id, { rate_limit: { enabled: true, requests: 100, window_seconds: 60 } });
      const sensor = await repos.sensors.create({
        ref: `${ref}.listener`, packId: pack.id, packRef: ref, label: "Webhook listener", description: "Turns webhook calls into events",
        entrypoint: "listener.py", runtimeId: sensorRuntime.id, runtimeRef: sensorRuntime.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true,
      });
      const action = await repos.actions.create({
        ref: `${ref}.notify`, packId: pack.id, packRef: ref, label: "Notify", description: "Says hello", entrypoint: "notify.sh", runtimeId: runtime.id,
      });
      const rule = await repos.rules.create({
        ref: `${ref}.on_push`, packId: pack.id, packRef: ref, label: "On push, notify", description: "Demo rule",
        actionId: action.id, actionRef: action.ref, triggerId: trigger.id, triggerRef: trigger.ref,
        actionParams: { message: "hello from the demo" }, enabled: true,
      });
      log(`• Installed pack "${ref}": runtime ${runtime.ref}, trigger ${trigger.ref} (webhook ${webhook.webhookUrl}), sensor ${sensor.ref}, action ${action.ref}, rule ${rule.ref}`);

      const event = await repos.events.create({
        triggerId: trigger.id, triggerRef: trigger.ref, sourceId: sensor.id, sourceRef: sensor.ref,
        config: { source: "webhook", webhook_key: webhook.webhookKey }, payload: { branch: "main", commits: 3 },
      });
      created.eventId = event.id;
      const { enforcement, execution } = await repos.enforcements.createForEvent({ eventId: event.id, ruleId: rule.id });
      created.enforcementId = enforcement.id;
      created.executionId = execution.id;
      log(`• Event #${event.id} -> enforcement #${enforcement.id} (${enforcement.status}) -> execution #${execution.id} (${execution.status})`);

      for (const status of STATUSES) {
        const result = status === "completed" ? { stdout: "hello from the demo", exitCode: 0 } : undefined;
        await repos.executions.updateStatus(execution.id, status, { result });
      }
      await repos.enforcements.update(enforcement.id, { status: "processed" });
      const expected = 1 + STATUSES.length; // the insert, then each status change
      const received = await waitFor(() => notifications.filter((n) => n.channel === "attune_notifications").length >= expected, 5_000);
      const finalExecution = await repos.executions.getById(execution.id);

      const changes = notifications.filter((n) => n.channel === "attune_notifications").map((n) => (n.payload.data as { status: string }).status);
      log(`• NOTIFY attune_notifications x${changes.length}: ${changes.join(" -> ")}${received ? "" : " (timed out waiting for all of them)"}`);
      log(`• NOTIFY ${EXECUTION_STATUS_CHANGED_CHANNEL} x${notifications.filter((n) => n.channel === EXECUTION_STATUS_CHANGED_CHANNEL).length} (one notification row per status change)`);
      log("");
      log("Summary");
      log(`  pack        ${pack.ref} ${pack.version}`);
      log(`  trigger     ${trigger.ref}, webhook ${webhook.webhookEnabled ? "enabled" : "disabled"} at ${webhook.webhookUrl}`);
      log(`  rule        ${rule.ref}: ${trigger.ref} -> ${action.ref}`);
      log(`  event       #${event.id} payload ${toJson(event.payload)}`);
      log(`  execution   #${finalExecution.id} ${finalExecution.status}, result ${toJson(finalExecution.result)}`);
      log(`  schema      ${schema} (${existed ? "existing" : "created by the demo"})`);
      if (!received) throw new DemoError("The execution's notifications did not all arrive within 5 s", "notifications");
    } finally {
      await listener.close();
      if (!options.keep) await removeDemoRows(prisma, created);
      await prisma.$disconnect();
    }
    if (options.keep) {
      log(`• Kept the demo's rows in schema "${schema}" (--keep).`);
    } else if (!existed) {
      if (await withPgClient(server.url, schema, (client) => dropEmptySchema(client, schema))) {
        if (extensionsBefore.schemaExists) {
          log(`• Dropped schema "${schema}", which the demo had created: the database is as it was.`);
        } else if (await withPgClient(server.url, schema, (client) => dropSharedExtensionsIfCreated(client, extensionsBefore))) {
          log(`• Dropped schema "${schema}" and the shared "${EXTENSIONS_SCHEMA}" schema, which the demo had created: the database is as it was.`);
        } else {
          log(`• Dropped schema "${schema}", which the demo had created; left the shared "${EXTENSIONS_SCHEMA}" schema it created, which something else now uses.`);
        }
      } else {
        log(`• Left schema "${schema}" in place: the demo created it, but someone else has written rows into it since.`);
      }
    } else {
      log(`• Removed the demo's rows from schema "${schema}": the database is as it was.`);
    }
  } finally {
    await server.release();
  }
}

/** Children first: executions, the enforcement and the event do not cascade from the pack. */
async function removeDemoRows(
  prisma: ReturnType<typeof createPrismaClient>,
  created: { packId?: bigint; eventId?: bigint; executionId?: bigint; enforcementId?: bigint },
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const inTx = createRepositories(tx);
    if (created.executionId !== undefined) {
      await tx.notification.deleteMany({ where: { entityType: "execution", entity: String(created.executionId) } });
      await inTx.executions.delete(created.executionId);
    }
    if (created.enforcementId !== undefined) await inTx.enforcements.delete(created.enforcementId);
    if (created.eventId !== undefined) await inTx.events.delete(created.eventId);
    if (created.packId !== undefined) await inTx.packs.delete(created.packId);
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
