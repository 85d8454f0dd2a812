import { InvalidDatabaseUrlError, InvalidSchemaNameError, maskPassword, schemaFromUrl, withSchema } from "../../src/index.ts";

describe("withSchema / schemaFromUrl", () => {
  const base = "postgresql://app:s3cret@db.example:6543/attune?sslmode=require&connect_timeout=3";

  it("sets ?schema= and keeps every other parameter", () => {
    const url = withSchema(base, "tenant_a");
    const parsed = new URL(url);
    expect(parsed.searchParams.get("schema")).toBe("tenant_a");
    expect(parsed.searchParams.get("sslmode")).toBe("require");
    expect(parsed.searchParams.get("connect_timeout")).toBe("3");
    expect(parsed.username).toBe("app");
    expect(parsed.password).toBe("s3cret");
    expect(parsed.host).toBe("db.example:6543");
    expect(parsed.pathname).toBe("/attune");
  });

  it("replaces an existing schema", () => {
    const url = withSchema(withSchema(base, "one"), "two");
    expect(new URL(url).searchParams.getAll("schema")).toEqual(["two"]);
  });

  it("round-trips", () => {
    expect(schemaFromUrl(withSchema(base, "test_x1"))).toBe("test_x1");
    expect(schemaFromUrl(base)).toBeUndefined();
  });

  it("rejects a bad ?schema= in a URL, saying where it came from", () => {
    expect(() => schemaFromUrl("postgresql://h/db?schema=pg_catalog")).toThrow(InvalidSchemaNameError);
    expect(() => schemaFromUrl("postgresql://h/db?schema=pg_catalog")).toThrow(/from the \?schema= of the database URL/);
    expect(() => schemaFromUrl(`postgresql://h/db?schema=${encodeURIComponent('x"; DROP SCHEMA public;--')}`)).toThrow(
      InvalidSchemaNameError,
    );
    expect(() => schemaFromUrl("postgresql://h/db?schema=")).toThrow(/empty/);
  });

  it("rejects a bad schema name before building a URL", () => {
    expect(() => withSchema(base, "École")).toThrow(InvalidSchemaNameError);
  });

  it("rejects URLs that are not PostgreSQL URLs", () => {
    expect(() => withSchema("not a url", "a")).toThrow(InvalidDatabaseUrlError);
    expect(() => withSchema("mysql://h/db", "a")).toThrow(/expected a postgresql:\/\//);
  });

  it("masks passwords for printing", () => {
    expect(maskPassword(base)).toContain("app:****@db.example");
    expect(maskPassword(base)).not.toContain("s3cret");
    const inQuery = "postgresql://db.example/attune?password=q_secret&sslpassword=ssl_secret&schema=attune";
    expect(maskPassword(inQuery)).toBe("postgresql://db.example/attune?password=****&sslpassword=****&schema=attune");
    expect(maskPassword("not a url ?password=q_secret&x=1")).toBe("not a url ?password=****&x=1");
  });
});
