import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadDatabaseConfig } from "../../src/index.ts";

// Each test runs in an empty temp directory, so no .env is read unless the test writes one.
const load = (env: Record<string, string>, warn = jest.fn()) => loadDatabaseConfig(env, { warn });

describe("loadDatabaseConfig", () => {
  const cwd = process.cwd();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "attune-db-config-"));
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("defaults: no URL, schema attune, 10 connections", () => {
    expect(load({})).toEqual({ url: undefined, schema: "attune", schemaIsExplicit: false, maxConnections: 10 });
  });

  it("reads the environment", () => {
    const config = load({ DATABASE_URL: "postgresql://h/db", ATTUNE_DB_SCHEMA: "tenant_a", ATTUNE_DB_MAX_CONNECTIONS: "25" });
    expect(config).toEqual({ url: "postgresql://h/db", schema: "tenant_a", schemaIsExplicit: true, maxConnections: 25 });
  });

  it("accepts the seed's ATTUNE__DATABASE__SCHEMA and the URL's ?schema=", () => {
    expect(load({ ATTUNE__DATABASE__SCHEMA: "legacy_s" }).schema).toBe("legacy_s");
    expect(load({ DATABASE_URL: "postgresql://h/db?schema=from_url" }).schema).toBe("from_url");
  });

  it("reads .env, with the environment winning", () => {
    fs.writeFileSync(path.join(dir, ".env"), "DATABASE_URL=postgresql://fromfile/db\nATTUNE_DB_SCHEMA=file_schema\n");
    expect(loadDatabaseConfig({})).toMatchObject({ url: "postgresql://fromfile/db", schema: "file_schema" });
    expect(loadDatabaseConfig({ ATTUNE_DB_SCHEMA: "env_schema" })).toMatchObject({ schema: "env_schema" });
  });

  it("lets the environment's ?schema= win over .env's ATTUNE_DB_SCHEMA, and the environment's variable over .env's ?schema=", () => {
    fs.writeFileSync(path.join(dir, ".env"), "ATTUNE_DB_SCHEMA=from_dotenv\n");
    expect(load({ DATABASE_URL: "postgresql://h/db?schema=from_env" })).toMatchObject({ schema: "from_env", schemaIsExplicit: true });
    fs.writeFileSync(path.join(dir, ".env"), "DATABASE_URL=postgresql://h/db?schema=from_dotenv\n");
    expect(load({ ATTUNE_DB_SCHEMA: "from_env" })).toMatchObject({ schema: "from_env" });
    fs.writeFileSync(path.join(dir, ".env"), "DATABASE_URL=postgresql://h/db?schema=a\nATTUNE_DB_SCHEMA=b\n");
    expect(() => load({})).toThrow(/ATTUNE_DB_SCHEMA=b contradicts the \?schema=a of DATABASE_URL/);
  });

  it("takes a schema given in code as explicit, over the environment", () => {
    const config = loadDatabaseConfig({ DATABASE_URL: "postgresql://h/db?schema=a", ATTUNE_DB_SCHEMA: "b" }, { schema: "code_schema" });
    expect(config).toMatchObject({ schema: "code_schema", schemaIsExplicit: true });
    expect(() => loadDatabaseConfig({}, { schema: "Bad-Name" })).toThrow(ConfigError);
  });

  it.each([
    [{ ATTUNE_DB_SCHEMA: "Bad-Name" }, /ATTUNE_DB_SCHEMA: Invalid schema name "Bad-Name"/],
    [{ ATTUNE_DB_SCHEMA: "pg_catalog" }, /pg_/],
    [{ ATTUNE_DB_MAX_CONNECTIONS: "many" }, /ATTUNE_DB_MAX_CONNECTIONS must be a whole number \(got "many"\)/],
    [{ ATTUNE_DB_MAX_CONNECTIONS: "0" }, /must be at least 1/],
    [{ DATABASE_URL: "mysql://h/db" }, /DATABASE_URL: Invalid database URL/],
    [{ DATABASE_URL: "postgresql://h/db?schema=a", ATTUNE_DB_SCHEMA: "b" }, /contradicts/],
    [{ ATTUNE_DB_SCHEMA: "a", ATTUNE__DATABASE__SCHEMA: "b" }, /disagree/],
  ])("rejects %j", (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });

  describe("in production", () => {
    it("requires an explicit schema", () => {
      expect(() => load({ NODE_ENV: "production", DATABASE_URL: "postgresql://h/db" })).toThrow(/explicit schema/);
    });

    it("accepts a schema given in code (createPrismaClient({ schema })) as explicit, without a warning", () => {
      const warn = jest.fn();
      const config = loadDatabaseConfig({ NODE_ENV: "production", DATABASE_URL: "postgresql://h/db" }, { schema: "tenant_a", warn });
      expect(config).toMatchObject({ schema: "tenant_a", schemaIsExplicit: true });
      expect(warn).not.toHaveBeenCalled();
    });

    it("requires DATABASE_URL", () => {
      expect(() => load({ NODE_ENV: "production", ATTUNE_DB_SCHEMA: "attune" })).toThrow(/DATABASE_URL must be set/);
    });

    it("accepts attune silently and warns loudly about any other schema", () => {
      const quiet = jest.fn();
      load({ NODE_ENV: "production", DATABASE_URL: "postgresql://h/db", ATTUNE_DB_SCHEMA: "attune" }, quiet);
      expect(quiet).not.toHaveBeenCalled();
      const warn = jest.fn();
      const config = load({ NODE_ENV: "production", DATABASE_URL: "postgresql://h/db?schema=other" }, warn);
      expect(config.schema).toBe("other");
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/NODE_ENV=production but the schema is "other"/));
    });
  });
});
