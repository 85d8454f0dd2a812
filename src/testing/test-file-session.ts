import type { TestSchema } from "../provisioner/schema-provisioner.ts";
import type { AttuneDbTestContext } from "./test-context.ts";
import type { TestFileOptions } from "./test-file-options.ts";
import { workerMode, workerProvisioner } from "./worker-provisioner.ts";

type Callback = () => Promise<void> | void;

/**
 * One test file's life with attune-db, as a plain class that the Jest
 * environment and the Vitest setup file drive: acquire the file's schema,
 * expose it to the tests, hand out per-test schemas, and release it all
 * whatever the tests did.
 */
export class TestFileSession {
  private fileSchema: TestSchema | undefined;
  private testSchemas: TestSchema[] = [];
  private testEnd: Callback[] = [];
  private fileEnd: Callback[] = [];
  private failed = false;

  constructor(
    private readonly options: TestFileOptions,
    private readonly testPath: string,
  ) {}

  /** Before the file's code runs: its schema, `DATABASE_URL` and the context of `attune-db/testing` on `global`. */
  async start(global: typeof globalThis): Promise<void> {
    const startedAt = performance.timeOrigin + performance.now();
    if (this.options.schema === "isolated") {
      this.fileSchema = await (await workerProvisioner(this.options)).acquire();
      global.process.env.DATABASE_URL = this.fileSchema.url;
      global.process.env.ATTUNE_DB_SCHEMA = this.fileSchema.schema;
    }
    const context: AttuneDbTestContext = {
      schema: this.fileSchema?.schema,
      url: this.fileSchema?.url,
      startedAt,
      freshSchema: async (options) => {
        const provisioner = await workerProvisioner(this.options);
        const schema = options?.empty ? await provisioner.reserve() : await provisioner.acquire();
        this.testSchemas.push(schema);
        return { schema: schema.schema, url: schema.url, release: () => this.giveBackNow(schema) };
      },
      onTestEnd: (fn) => void this.testEnd.push(fn),
      onFileEnd: (fn) => void this.fileEnd.push(fn),
    };
    global.__attuneDb = context;
  }

  /** A test ended: its callbacks run and its fresh schemas are given back. */
  async endTest(failed: boolean): Promise<void> {
    if (failed) this.failed = true;
    await runAll(this.testEnd.splice(0));
    await Promise.all(this.testSchemas.splice(0).map(giveBack));
  }

  /** Something failed outside a test (a hook): counts for keeping the schema. */
  markFailed(): void {
    this.failed = true;
  }

  /** The file ended: everything is given back (or the schema kept, if asked and something failed). */
  async end(): Promise<void> {
    await this.endTest(false);
    await runAll(this.fileEnd.splice(0));
    const schema = this.fileSchema;
    this.fileSchema = undefined;
    if (!schema) return;
    if (this.failed && this.options.keepOnFailure) {
      await (await workerProvisioner(this.options)).release(schema.schema, { keep: true });
      console.warn(`attune-db: kept schema ${schema.schema} of failed test file ${this.testPath} (url: ${schema.url})`);
    } else {
      await giveBack(schema);
    }
  }

  private async giveBackNow(schema: TestSchema): Promise<void> {
    this.testSchemas = this.testSchemas.filter((s) => s !== schema);
    await giveBack(schema);
  }
}

/**
 * Under a global setup/teardown, a released schema is recycled or dropped in
 * the background (the run's teardown sweeps what is left). Under the
 * environment alone nothing runs after the last file, so it is dropped now.
 */
function giveBack(schema: TestSchema): Promise<void> {
  return workerMode() === "managed" ? schema.release() : schema.drop();
}

/** Runs every callback even if some throw; rethrows the first failure. */
async function runAll(callbacks: Callback[]): Promise<void> {
  const results = await Promise.allSettled(callbacks.map(async (fn) => fn()));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
}
