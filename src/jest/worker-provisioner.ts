import { SchemaProvisioner } from "../provisioner/schema-provisioner.ts";
import { ConfigError } from "../errors/config-error.ts";

// On globalThis rather than in a module variable: with --runInBand the test
// environment and globalTeardown run in one process, and must see one instance
// even if a transform loads this module twice.
const KEY = Symbol.for("attune-db.workerProvisioner");
type Holder = { [KEY]?: Promise<SchemaProvisioner> };
const holder = globalThis as Holder;

/**
 * One provisioner per Jest worker process, shared by every test file that
 * worker runs. Its connections do not keep the worker alive: when Jest ends
 * the worker, the server sees the session end and the worker's schemas become
 * reapable (globalTeardown drops them).
 */
export function workerProvisioner(): Promise<SchemaProvisioner> {
  const existing = holder[KEY];
  if (existing) return existing;
  const created = (async () => {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new ConfigError(
        "DATABASE_URL is not set in the Jest worker: add attune-db's globalSetup/globalTeardown " +
          '("attune-db/jest-global-setup", "attune-db/jest-global-teardown") to your Jest config',
        "DATABASE_URL",
      );
    }
    return SchemaProvisioner.open({ url, unref: true, log: (line) => console.warn(line) });
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
