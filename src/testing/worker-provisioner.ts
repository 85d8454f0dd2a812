import { SchemaProvisioner } from "../provisioner/schema-provisioner.ts";
import { ConfigError } from "../errors/config-error.ts";
import type { TestFileOptions } from "./test-file-options.ts";

/**
 * Set by attune-db's globalSetup (to the run id) for the workers it starts:
 * the run has a globalTeardown that drops whatever the workers leave, so they
 * may keep a pool of ready schemas and recycle in the background.
 */
export const RUN_MANAGED_VARIABLE = "ATTUNE_TEST_MANAGED_RUN";

// On globalThis rather than in a module variable: with --runInBand the test
// environment and globalTeardown run in one process, and must see one instance
// even if a transform loads this module twice.
const KEY = Symbol.for("attune-db.workerProvisioner");
type Holder = { [KEY]?: Promise<SchemaProvisioner> };
const holder = globalThis as Holder;

/**
 * Whether this worker runs under attune-db's globalSetup/globalTeardown
 * (`managed`), or under the environment alone (`standalone`): then nothing
 * runs after the last test file, so there is no pool (each file's schema is
 * built for it) and each schema is dropped before its file ends.
 */
export function workerMode(): "managed" | "standalone" {
  return process.env[RUN_MANAGED_VARIABLE] ? "managed" : "standalone";
}

/**
 * One provisioner per Jest worker process, shared by every test file that
 * worker runs. Its connections do not keep the worker alive: when Jest ends
 * the worker, the server sees the session end and the worker's schemas become
 * reapable (globalTeardown drops them). The first caller's pool options
 * apply to the worker.
 */
export function workerProvisioner(options: Pick<TestFileOptions, "poolSize" | "recycle">): Promise<SchemaProvisioner> {
  const existing = holder[KEY];
  if (existing) return existing;
  const created = (async () => {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new ConfigError(
        "DATABASE_URL is not set in the Jest worker. Either set it to a PostgreSQL server, or let attune-db start an " +
          'embedded one: add globalSetup: "attune-db/jest-global-setup" and globalTeardown: "attune-db/jest-global-teardown" ' +
          "to your Jest config",
        "DATABASE_URL",
      );
    }
    const standalone = workerMode() === "standalone";
    return SchemaProvisioner.open({
      url,
      unref: true,
      log: (line) => console.warn(line),
      poolSize: standalone ? 0 : options.poolSize,
      recycle: options.recycle,
    });
  })();
  holder[KEY] = created;
  created.catch(() => {
    if (holder[KEY] === created) holder[KEY] = undefined;
  });
  return created;
}

/**
 * Closes this process's worker provisioner, if it has one (tests ran in band,
 * in the globalTeardown's own process), so that its ready schemas are
 * released and its sessions end before the server stops.
 */
export async function closeWorkerProvisioner(): Promise<void> {
  const existing = holder[KEY];
  holder[KEY] = undefined;
  if (existing) await (await existing.catch(() => undefined))?.close();
}
