/** @attune-schema none */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { firstDirectoryOthersCannotEnter } from "../../src/embedded/postgres-user-access.ts";

// Run as root, the embedded PostgreSQL runs as a `postgres` user that must reach node_modules.
describe("firstDirectoryOthersCannotEnter", () => {
  const made: string[] = [];
  afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  const tree = (mode: number) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "attune-access-"));
    made.push(root);
    fs.chmodSync(root, mode);
    const file = path.join(root, "node_modules", "pkg", "bin", "initdb");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "");
    return { root, file };
  };

  it("names a private directory (mktemp -d makes them 0700) on the way to the file", () => {
    const { root, file } = tree(0o700);
    expect(firstDirectoryOthersCannotEnter(file)).toBe(root);
  });

  it("finds nothing when others can enter every directory on the way", () => {
    const { file } = tree(0o755);
    expect(firstDirectoryOthersCannotEnter(file)).toBeUndefined();
  });
});
