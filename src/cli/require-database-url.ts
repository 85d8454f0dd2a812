import { loadDatabaseConfig } from "../config/load-database-config.ts";
import { ConfigError } from "../errors/config-error.ts";

/**
 * The server a command (`migrate`, `status`) that changes or reports on a real database works on:
 * `--url`, else `DATABASE_URL`. Never an embedded server: that one is thrown
 * away when the command ends, so migrating it or reporting its status would
 * only look like success.
 */
export function requireDatabaseUrl(command: string, url: string | undefined): string {
  const resolved = url ?? loadDatabaseConfig().url;
  if (resolved === undefined) {
    throw new ConfigError(
      `${command} needs a database: set DATABASE_URL or pass --url. ` +
        "(The embedded PostgreSQL is only for tests and the demo: it is thrown away when the command ends.)",
      "DATABASE_URL",
    );
  }
  return resolved;
}
