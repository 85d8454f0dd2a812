import fs from "node:fs";
import path from "node:path";

/**
 * The first directory on the way to `file` that users other than its owner
 * cannot enter (no `x` for others), or undefined. Run as root, the embedded
 * PostgreSQL runs initdb and the server as a `postgres` system user, which
 * must reach the binaries inside the project's node_modules: a checkout in a
 * private directory (`mktemp -d` makes them 0700) stops it there.
 */
export function firstDirectoryOthersCannotEnter(file: string): string | undefined {
  const directories: string[] = [];
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    directories.unshift(dir);
    if (dir === path.dirname(dir)) break;
  }
  return directories.find((dir) => (fs.statSync(dir).mode & 0o001) === 0);
}
