import { loadDatabaseConfig } from "../config/load-database-config.ts";
import { ConfigError } from "../errors/config-error.ts";
import { SchemaProvisioner } from "./schema-provisioner.ts";

export interface CreatedTestSchema extends AsyncDisposable {
  /** `test_` + 10 random lower-case characters. */
  readonly schema: string;
  /** The server URL with `?schema=` set. */
  readonly url: string;
  /** Drops the schema (and ends the session that kept it alive); `await using` calls it too. */
  drop(): Promise<void>;
}

/**
 * A new, fully migrated test schema outside Jest (scripts, other test
 * runners). While it exists, its owner session marks it alive, so no cleanup
 * drops it; if the process dies, it becomes an orphan for
 * `attune-db cleanup-test-schemas`.
 *
 * ```ts
 * await using created = await createTestSchema({ url: process.env.DATABASE_URL });
 * // ... created.url ... (dropped when the block ends)
 * ```
 */
export async function createTestSchema(options: { readonly url?: string } = {}): Promise<CreatedTestSchema> {
  const url = options.url ?? loadDatabaseConfig().url;
  if (!url) throw new ConfigError("createTestSchema needs a server: pass { url } or set DATABASE_URL", "DATABASE_URL");
  const provisioner = await SchemaProvisioner.open({ url, poolSize: 0 });
  try {
    const created = await provisioner.create();
    let dropped: Promise<void> | undefined;
    const drop = () =>
      (dropped ??= (async () => {
        await created.drop();
        await provisioner.close();
      })());
    return { schema: created.schema, url: created.url, drop, [Symbol.asyncDispose]: drop };
  } catch (error) {
    await provisioner.close();
    throw error;
  }
}
