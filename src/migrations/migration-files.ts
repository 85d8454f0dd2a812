import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AttuneDbError } from "../errors/attune-db-error.ts";

/** `prisma/migrations` of this package, from the source (src/migrations) or the build (dist/src/migrations). */
export const DEFAULT_MIGRATIONS_DIR = path.resolve(packageRoot(__dirname), "prisma/migrations");

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, "../..");
  }
}

export interface MigrationFile {
  /** Folder name, e.g. `20250101000001_initial_setup` (Prisma's `migration_name`). */
  readonly name: string;
  readonly sql: string;
  /** sha256 hex of migration.sql, as Prisma stores it in `_prisma_migrations.checksum`. */
  readonly checksum: string;
}

const cache = new Map<string, { stamp: string; files: readonly MigrationFile[] }>();

/** The migrations of `dir` in the order Prisma applies them (folder name order). */
export function readMigrationFiles(dir: string = DEFAULT_MIGRATIONS_DIR): readonly MigrationFile[] {
  if (!fs.existsSync(dir)) throw new AttuneDbError(`Migrations folder ${dir} does not exist`);
  const folders = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const stamp = folders.map((name) => `${name}:${fs.statSync(path.join(dir, name, "migration.sql"), { throwIfNoEntry: false })?.mtimeMs}`).join("|");
  const cached = cache.get(dir);
  if (cached?.stamp === stamp) return cached.files;

  const files = folders.map((name) => {
    const file = path.join(dir, name, "migration.sql");
    if (!fs.existsSync(file)) throw new AttuneDbError(`Migration folder ${name} has no migration.sql (in ${dir})`);
    const bytes = fs.readFileSync(file);
    return { name, sql: bytes.toString("utf8"), checksum: crypto.createHash("sha256").update(bytes).digest("hex") };
  });
  cache.set(dir, { stamp, files });
  return files;
}

/**
 * A hash of every migration (names and contents): a schema migrated for one
 * fingerprint is never taken for another.
 */
export function migrationsFingerprint(dir: string = DEFAULT_MIGRATIONS_DIR): string {
  const hash = crypto.createHash("sha256");
  for (const file of readMigrationFiles(dir)) hash.update(`${file.name}\0${file.checksum}\0`);
  return hash.digest("hex").slice(0, 16);
}
