import { InvalidSchemaNameError, quoteSchema, validateSchemaName } from "../../src/index.ts";

describe("validateSchemaName", () => {
  it.each(["attune", "test_abc123", "_private", "a", "tenant_42", "x".repeat(63)])("accepts %j", (name) => {
    expect(validateSchemaName(name)).toBe(name);
  });

  it.each([
    ['Robert"; DROP SCHEMA public;--', /character "R" is not allowed/],
    ["pg_catalog", /"pg_" prefix is reserved/],
    ["pg_toast_temp", /"pg_" prefix is reserved/],
    ["a".repeat(64), /64 bytes long; PostgreSQL identifiers are at most 63 bytes/],
    ["", /it is empty/],
    ["école", /character "é" is not allowed/],
    ["Attune", /character "A"/],
    ["1tenant", /character "1" is not allowed/],
    ["my-schema", /character "-"/],
    ["with space", /character " "/],
    ["select", /reserved word/],
    ["user", /reserved word/],
    ["information_schema", /reserved word/],
  ])("rejects %j", (name, message) => {
    expect(() => validateSchemaName(name)).toThrow(InvalidSchemaNameError);
    expect(() => validateSchemaName(name)).toThrow(message);
  });

  it("rejects non-strings with their type", () => {
    expect(() => validateSchemaName(undefined)).toThrow(/expected a string, got undefined/);
    expect(() => validateSchemaName(null)).toThrow(/got null/);
  });

  it("counts bytes, not characters", () => {
    // 32 two-byte characters would be 64 bytes, but they are also outside [a-z0-9_]
    expect(() => validateSchemaName("é".repeat(32))).toThrow(/64 bytes long/);
  });

  it("carries the rejected name and the reason", () => {
    try {
      validateSchemaName("pg_x");
      throw new Error("not thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidSchemaNameError);
      expect((error as InvalidSchemaNameError).schema).toBe("pg_x");
      expect((error as InvalidSchemaNameError).reason).toMatch(/pg_/);
    }
  });

  it("quoteSchema validates before quoting", () => {
    expect(quoteSchema("test_abc")).toBe('"test_abc"');
    expect(() => quoteSchema('x"; DROP TABLE y; --')).toThrow(InvalidSchemaNameError);
  });
});
