/** @attune-schema none */
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Runs the Prisma CLI of this checkout. Prisma's schema engine cannot run
 * here, so the engine is pointed at a file that is not a program: the CLI
 * loads prisma.config.ts and prints the datasource it resolved, then fails to
 * start the engine.
 */
function prisma(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/prisma/build/index.js"), ...args], {
    cwd: ROOT,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_SCHEMA_ENGINE_BINARY: path.join(ROOT, "package.json"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve) => child.on("exit", () => resolve(output)));
}

describe("prisma.config.ts (Prisma 7 reads the datasource URL from it)", () => {
  it("gives `prisma migrate deploy` the configured server and schema, ?schema= set from ATTUNE_DB_SCHEMA", async () => {
    const output = await prisma(["migrate", "deploy"], {
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres",
      ATTUNE_DB_SCHEMA: "prisma_config_check",
    });
    expect(output).toContain("Loaded Prisma config from prisma.config.ts.");
    expect(output).toContain('Datasource "db": PostgreSQL database "postgres", schema "prisma_config_check" at "127.0.0.1:5432"');
    expect(output).not.toMatch(/datasource\.url property is required/);
  });

  it("says the URL is missing when DATABASE_URL is unset (and `prisma generate` still works without one)", async () => {
    const output = await prisma(["migrate", "deploy"], { DATABASE_URL: "", ATTUNE_DB_SCHEMA: "" });
    expect(output).toMatch(/The datasource\.url property is required in your Prisma config file/);
    expect(await prisma(["validate"], { DATABASE_URL: "", ATTUNE_DB_SCHEMA: "" })).toMatch(/The schema at prisma[/\\]schema\.prisma is valid/);
  });
});
