/**
 * `attune-db/vitest`: the Vitest configuration that gives every test file its
 * own migrated schema. Spread it into `test`:
 *
 * ```ts
 * import { defineConfig } from "vitest/config";
 * import { attuneDbVitest } from "attune-db/vitest";
 * export default defineConfig({ test: { ...attuneDbVitest() } });
 * ```
 *
 * which is the same as `globalSetup: ["attune-db/vitest/global-setup"]` and
 * `setupFiles: ["attune-db/vitest/setup"]`.
 */
export function attuneDbVitest(): { globalSetup: string[]; setupFiles: string[] } {
  return { globalSetup: ["attune-db/vitest/global-setup"], setupFiles: ["attune-db/vitest/setup"] };
}
