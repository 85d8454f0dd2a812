import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_MIGRATIONS_DIR } from "../../src/migrations/migration-files.ts";

/** A throwaway copy of prisma/migrations that a test may edit; removed by `remove()`. */
export function copyMigrations(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "attune-db-migrations-"));
  fs.cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function addMigration(dir: string, name: string, sql: string): void {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
}
