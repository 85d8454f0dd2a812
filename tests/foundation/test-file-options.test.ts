/** @attune-schema none */
import { ConfigError } from "../../src/errors/config-error.ts";
import { parseTestFileOptions } from "../../src/testing/test-file-options.ts";

const where = "testEnvironmentOptions.attuneDb";
const parse = (configured: unknown, env: NodeJS.ProcessEnv = {}, pragmas: Record<string, string> = {}) =>
  parseTestFileOptions(configured, pragmas, where, env);

describe("test options (testEnvironmentOptions.attuneDb, environment, pragmas: one schema)", () => {
  it("defaults to an isolated schema, a pool of 4, recycling on", () => {
    expect(parse(undefined)).toEqual({ schema: "isolated", keepOnFailure: false, poolSize: 4, recycle: true });
  });

  it("takes the pool and recycling from the configuration", () => {
    expect(parse({ poolSize: 0, recycle: false })).toMatchObject({ poolSize: 0, recycle: false });
  });

  it.each([
    ["false", false],
    ["0", false],
    ["no", false],
    ["OFF", false],
    ["true", true],
    ["1", true],
    [" yes ", true],
  ])("ATTUNE_TEST_RECYCLE=%j means recycle: %s, over the configuration", (value, recycle) => {
    expect(parse({ recycle: !recycle }, { ATTUNE_TEST_RECYCLE: value }).recycle).toBe(recycle);
  });

  it("ATTUNE_TEST_POOL_SIZE overrides the configured pool size; an empty variable does not", () => {
    expect(parse({ poolSize: 2 }, { ATTUNE_TEST_POOL_SIZE: "8" }).poolSize).toBe(8);
    expect(parse({ poolSize: 2 }, { ATTUNE_TEST_POOL_SIZE: "" }).poolSize).toBe(2);
  });

  it.each([
    [{ poolSize: 65 }, {}, `${where}.poolSize: must be a whole number from 0 to 64`],
    [{ poolSize: 1.5 }, {}, `${where}.poolSize: must be a whole number from 0 to 64`],
    [{ recycle: "maybe" }, {}, `${where}.recycle: must be true or false`],
    [{ pool: 3 }, {}, `${where}: Unrecognized key: "pool"`],
    [{}, { ATTUNE_TEST_RECYCLE: "maybe" }, `ATTUNE_TEST_RECYCLE: must be true or false (or 1/0, yes/no, on/off) (got "maybe")`],
    [{}, { ATTUNE_TEST_POOL_SIZE: "lots" }, `ATTUNE_TEST_POOL_SIZE: must be a whole number from 0 to 64 (got "lots")`],
    [{}, { ATTUNE_TEST_POOL_SIZE: "-1" }, `ATTUNE_TEST_POOL_SIZE: must be a whole number from 0 to 64 (got "-1")`],
  ])("refuses %j with %j, saying where and why", (configured, env, message) => {
    let error: unknown;
    try {
      parse(configured, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
  });

  it("lets a file's pragmas choose its schema and keeping, not the run's pool", () => {
    expect(parse({ poolSize: 2 }, {}, { "attune-schema": "none", "attune-keep-on-failure": "" })).toEqual({
      schema: "none",
      keepOnFailure: true,
      poolSize: 2,
      recycle: true,
    });
  });
});
