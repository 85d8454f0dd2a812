import type { EnvironmentContext, JestEnvironmentConfig } from "@jest/environment";
import type { Circus } from "@jest/types";
import NodeEnvironment from "jest-environment-node";
import pg from "pg";
import { connectionConfig } from "../../../src/client/create-pg-pool.ts";
import { schemaFromUrl } from "../../../src/config/datasource-url.ts";
import type { AttuneDbTestContext } from "../../../src/testing/test-context.ts";

/** Children before parents, so that plain DELETEs never hit a foreign key. */
const CLEANUP_ORDER = [
  "webhook_event_log", "webhook_rate_limit", "queue_stats", "inquiry", "workflow_execution", "notification",
  "artifact", "pack_test_execution", "pack_installation", "permission_assignment", "execution", "enforcement",
  "event", "key", "policy", "rule", "sensor", "action", "workflow_definition", "trigger", "worker", "runtime",
  "permission_set", "identity", "pack",
];

type Callback = () => Promise<void> | void;

/**
 * The seed's "before" for the suite benchmark: every file shares one migrated
 * schema (ATTUNE_BENCH_SHARED_URL), so files must run serially, and every
 * test is followed by an ordered cleanup of all tables.
 */
export default class SharedSchemaEnvironment extends NodeEnvironment {
  private client: pg.Client | undefined;
  private readonly testEnd: Callback[] = [];
  private readonly fileEnd: Callback[] = [];

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
  }

  override async setup(): Promise<void> {
    await super.setup();
    const startedAt = performance.timeOrigin + performance.now();
    const url = process.env.ATTUNE_BENCH_SHARED_URL!;
    const schema = schemaFromUrl(url)!;
    this.client = new pg.Client(connectionConfig(url, schema));
    await this.client.connect();
    this.global.process.env.DATABASE_URL = url;
    const context: AttuneDbTestContext = {
      schema,
      url,
      startedAt,
      freshSchema: () => Promise.reject(new Error("freshSchema is not available on the shared schema")),
      onTestEnd: (fn) => void this.testEnd.push(fn),
      onFileEnd: (fn) => void this.fileEnd.push(fn),
    };
    this.global.__attuneDb = context;
  }

  async handleTestEvent(event: Circus.Event): Promise<void> {
    if (event.name !== "test_done") return;
    for (const fn of this.testEnd.splice(0)) await fn();
    await this.client!.query(CLEANUP_ORDER.map((table) => `DELETE FROM "${table}";`).join("\n"));
  }

  override async teardown(): Promise<void> {
    for (const fn of this.fileEnd.splice(0)) await fn();
    await this.client?.end();
    await super.teardown();
  }
}
