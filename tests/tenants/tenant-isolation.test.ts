import pLimit from "p-limit";
import { connectPgClient } from "../../src/client/connect-pg-client.ts";
import { createTenantClients, type TenantClient } from "../../src/tenants/create-tenant-clients.ts";
import { freshSchema, testSchema } from "../../src/testing/index.ts";
import { waitFor, Wakeup } from "../support/wait-for.ts";

const TENANTS = 100;
const MAX_CONNECTIONS = 5;
const ROUNDS = 3;
const CHANNEL = "tenant_isolation";
// 100 tenants queue on 5 connections: on a server busy with another run (CI) a transaction or a
// statement may wait long for one. This test is about isolation, not latency: wait generously.
const SLOW_SERVER = { maxWait: 60_000, timeout: 60_000 };

/**
 * A trigger that writes another table: each pack insert adds a notification
 * row, whose own trigger (from the migrations) NOTIFYs with the schema it
 * fired in. Deliberately NOT pinned to its schema (unlike the migrations'
 * functions): its unqualified `notification` resolves through the session's
 * search_path, so it lands in the right schema only if routing is right.
 */
function auditTrigger(schema: string): string {
  const s = `"${schema}"`;
  return `
    CREATE FUNCTION ${s}.tenant_test_pack_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO notification (channel, entity_type, entity, activity) VALUES ('${CHANNEL}', 'pack', NEW.ref, 'created');
      RETURN NEW;
    END $$;
    CREATE TRIGGER tenant_test_pack_audit AFTER INSERT ON ${s}.pack FOR EACH ROW EXECUTE FUNCTION ${s}.tenant_test_pack_audit();`;
}

/**
 * `count` migrated schemas with the audit trigger, built a few at a time: the
 * worker's provisioner has 3 build connections, and on a server shared with
 * another run (CI) 100 queued builds would outwait its 60 s connection wait.
 */
async function tenantSchemas(count: number): Promise<string[]> {
  const started = performance.now();
  const slots = pLimit(3);
  const schemas = (await Promise.all(Array.from({ length: count }, () => slots(() => freshSchema())))).map((s) => s.schema);
  const ddl = await connectPgClient(testSchema().url, testSchema().schema);
  try {
    await ddl.query(schemas.map(auditTrigger).join("\n"));
  } finally {
    await ddl.end();
  }
  if (process.env.TENANT_TEST_TIMING) console.log(`${count} schemas: ${Math.round(performance.now() - started)} ms`);
  return schemas;
}

/** Every value written for tenant `schema` starts with `<schema>-` (schema names contain no `-`). */
const owner = (value: string) => value.split("-")[0]!;

interface Outcome {
  /** Each row, notification or schema a tenant saw that was not its own. */
  readonly violations: string[];
  readonly errors: string[];
  /** Most connections pg_stat_activity showed under the clients' application_name. */
  readonly peakConnections: number;
  readonly notifications: number;
}

/** All tenants at once, ROUNDS times: Prisma, raw SQL, a function, a trigger and NOTIFY, each checked for foreign rows. */
async function runScenario(schemas: string[], run: string, unsafeSkipSearchPathSwitch: boolean): Promise<Outcome> {
  const url = testSchema().url;
  // Its own name in pg_stat_activity: another run of this test on the same database must not count.
  const applicationName = `attune-db:tenant-test-${run}-${testSchema().schema}`;
  // Fewer cached clients than tenants: clients are evicted (disconnected) while their requests run.
  const clients = createTenantClients({
    url,
    maxConnections: MAX_CONNECTIONS,
    maxCachedTenants: 25,
    applicationName,
    poolTimeoutMs: SLOW_SERVER.maxWait,
    unsafeSkipSearchPathSwitch,
  });
  const violations: string[] = [];
  const errors: string[] = [];
  const foreign = (tenant: string, what: string, values: string[]) => {
    for (const value of values) if (owner(value) !== tenant) violations.push(`${tenant} ${what}: ${value}`);
  };

  const listener = await connectPgClient(url, testSchema().schema);
  const ours = new Set(schemas);
  const arrivals = new Wakeup();
  let notifications = 0;
  listener.on("notification", (message) => {
    const payload = JSON.parse(message.payload ?? "{}") as { schema: string; entity: string };
    // Channels are database-wide: another run of this test on the same database notifies on it too.
    if (!payload.entity.includes(`-${run}-`) || !(ours.has(payload.schema) || ours.has(owner(payload.entity)))) return;
    notifications++;
    if (owner(payload.entity) !== payload.schema) violations.push(`NOTIFY from ${payload.schema} for ${payload.entity}`);
    arrivals.wake();
  });
  await listener.query(`LISTEN ${CHANNEL}`);
  const monitor = await connectPgClient(url, testSchema().schema);
  let peakConnections = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await monitor.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [
        applicationName,
      ]);
      peakConnections = Math.max(peakConnections, rows[0]!.n);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();

  const work = async (tenant: string, round: number) => {
    const { prisma, repositories }: TenantClient = clients.forTenant(tenant);
    const ref = `${tenant}-${run}-p${round}`;
    await prisma.pack.create({ data: { ref, label: "tenant pack", version: "1.0.0" } }); // + the audit trigger's row and NOTIFY
    await prisma.$executeRaw`INSERT INTO identity (login) VALUES (${`${tenant}-${run}-u${round}`})`;
    await prisma.$queryRaw`SELECT check_webhook_rate_limit(${tenant}, 1000, 60)`; // a function writing its table
    const rawPacks = await prisma.$queryRaw<{ ref: string }[]>`SELECT ref FROM pack`;
    const rawNotes = await prisma.$queryRaw<{ entity: string }[]>`SELECT entity FROM notification`;
    const rawLimits = await prisma.$queryRaw<{ webhook_key: string }[]>`SELECT webhook_key FROM webhook_rate_limit`;
    foreign(tenant, "raw pack", rawPacks.map((r) => r.ref));
    foreign(tenant, "raw notification", rawNotes.map((r) => r.entity));
    foreign(tenant, "raw webhook_rate_limit", rawLimits.map((r) => r.webhook_key));
    foreign(tenant, "identity", (await prisma.identity.findMany()).map((r) => r.login));
    foreign(tenant, "notification", (await prisma.notification.findMany()).map((r) => r.entity));
    foreign(tenant, "webhook_rate_limit", (await prisma.webhookRateLimit.findMany()).map((r) => r.webhookKey));
    if (!rawPacks.some((r) => r.ref === ref) || !(await repositories.packs.existsByRef(ref))) violations.push(`${tenant} lost ${ref}`);
    // A transaction keeps its connection, and its search_path, across awaits while other tenants run.
    await prisma.$transaction(async (tx) => {
      const [before] = await tx.$queryRaw<{ s: string }[]>`SELECT current_schema() AS s`;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      const packs = await tx.$queryRaw<{ ref: string }[]>`SELECT ref FROM pack`;
      foreign(tenant, "transaction current_schema", [`${before!.s}-`]);
      foreign(tenant, "transaction pack", packs.map((r) => r.ref));
    }, SLOW_SERVER);
  };

  const started = performance.now();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.allSettled(schemas.map((tenant) => work(tenant, round)));
      for (const result of results) if (result.status === "rejected") errors.push(String(result.reason));
    }
    // Every pack insert NOTIFYs once; when routing is broken some may never come, so only wait with it right.
    if (!unsafeSkipSearchPathSwitch) {
      await waitFor("every notification", () => notifications >= schemas.length * ROUNDS, { timeoutMs: 20_000, wakeup: arrivals });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(clients.connections.total).toBeLessThanOrEqual(MAX_CONNECTIONS);
  } finally {
    sampling = false;
    await sampler;
    await Promise.all([clients.close(), listener.end(), monitor.end()]);
  }
  if (process.env.TENANT_TEST_TIMING) console.log(`${run}: ${Math.round(performance.now() - started)} ms, peak ${peakConnections} connections, ${violations.length} violations, ${errors.length} errors`);
  return { violations, errors, peakConnections, notifications };
}

describe("createTenantClients with 100 tenants on 5 connections", () => {
  // One test, so that both phases share the 100 schemas: building them is most of its time
  // (the provisioner builds 3 at once). The broken phase runs last: its misrouted writes cannot
  // reach the checked phase.
  it("lets no tenant see or write another tenant's rows (Prisma, raw SQL, a function, a trigger, NOTIFY); broken routing is caught", async () => {
    const schemas = await tenantSchemas(TENANTS);

    const outcome = await runScenario(schemas, "ok", false);
    expect(outcome.errors).toEqual([]);
    expect(outcome.violations).toEqual([]);
    expect(outcome.notifications).toBe(TENANTS * ROUNDS);
    expect(outcome.peakConnections).toBeGreaterThan(0);
    expect(outcome.peakConnections).toBeLessThanOrEqual(MAX_CONNECTIONS);

    // The test of the test: the same scenario with connections keeping the first tenant's search_path.
    const broken = await runScenario(schemas, "broken", true);
    expect(broken.violations.some((v) => / raw (pack|notification|webhook_rate_limit): /.test(v))).toBe(true);
    expect(broken.violations.some((v) => v.startsWith("NOTIFY from "))).toBe(true);
    expect(broken.peakConnections).toBeLessThanOrEqual(MAX_CONNECTIONS);
  }, 600_000); // 100 schema builds: ~15 s alone, a few minutes on a server busy with another run
});
