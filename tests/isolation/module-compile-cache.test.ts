/** @attune-schema none */
import v8 from "node:v8";
import vm from "node:vm";
import { installModuleCompileCache } from "../../src/jest/module-compile-cache.ts";

// The Jest environment installs it in every worker; here it is driven directly, the way Jest compiles a module.
const { stats, cachedBytes, refresh } = installModuleCompileCache();
const compileIn = (context: vm.Context, code: string, filename = "/virtual/module.js") =>
  vm.compileFunction(code, ["module"], { filename, parsingContext: context });
/** Without a parsing context the cache passes the call through: Node's own compile, for comparison. */
const compileUncached = (code: string, filename: string) => vm.compileFunction(code, ["module"], { filename });
const unique = (name: string) => `/virtual/${name}-${Date.now()}-${Math.random()}.js`;
/** Where the error thrown by `run` points: the frames' file:line:column. */
const framesOf = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return ((error as Error).stack ?? "").split("\n").filter((line) => line.includes("/virtual/")).map((line) => line.replace(/^.*\(|\)$|^\s*at /g, ""));
  }
  throw new Error("nothing was thrown");
};

describe("the per-worker module compile cache", () => {
  it("compiles a source once; later contexts get V8's cache, and evaluate it in their own realm", () => {
    const source = `module.exports = { made: new Date(0), list: [1, 2, 3], id: ${Date.now()} };`;
    const [a, b] = [vm.createContext({}), vm.createContext({})];
    const before = { ...stats };
    const [moduleA, moduleB] = [{ exports: {} as Record<string, unknown> }, { exports: {} as Record<string, unknown> }];
    compileIn(a, source)(moduleA);
    compileIn(b, source)(moduleB);
    expect(stats.compiled - before.compiled).toBe(1);
    expect(stats.fromCache - before.fromCache).toBe(1);
    expect(moduleA.exports.made).toBeInstanceOf(vm.runInContext("Date", a));
    expect(moduleB.exports.made).toBeInstanceOf(vm.runInContext("Date", b));
    expect(moduleB.exports.made).not.toBeInstanceOf(vm.runInContext("Date", a));
    expect(moduleA.exports).not.toBe(moduleB.exports);
  });

  it("never runs stale code: an edit of the same length is compiled afresh", () => {
    const file = `/virtual/edited-${Date.now()}.js`;
    const context = vm.createContext({});
    const run = (code: string) => {
      const module = { exports: {} as { value?: number } };
      compileIn(context, code, file)(module);
      return module.exports.value;
    };
    expect(run("module.exports = { value: 1 };")).toBe(1);
    expect(run("module.exports = { value: 2 };")).toBe(2); // same length: V8's own check would accept the old cache
    expect(run("module.exports = { value: 2 };")).toBe(2);
  });

  it("after a file ran a module, its cache holds the functions that file called (V8 compiles functions when first called)", () => {
    // A function big enough that its compiled code shows in the cache's size.
    const body = Array.from({ length: 200 }, (_, i) => `total += Math.sqrt(total + ${i}) * ${i};`).join("\n");
    const source = `module.exports = { work() { let total = 0;\n${body}\nreturn total; } };`;
    const cacheSize = (filename: string, callWork: boolean) => {
      refresh(); // what this file compiled before is refreshed now, not below
      const before = cachedBytes();
      const module = { exports: {} as { work(): number } };
      compileIn(vm.createContext({}), source, filename)(module);
      if (callWork) expect(module.exports.work()).toBeGreaterThan(0);
      refresh();
      return cachedBytes() - before;
    };
    const notCalled = cacheSize(unique("lazy"), false);
    const called = cacheSize(unique("called"), true);
    expect(notCalled).toBeGreaterThan(0);
    expect(called).toBeGreaterThan(notCalled + 2_000);

    // The next file gets that cache, and runs the same.
    const before = { ...stats };
    const filename = unique("called-again");
    cacheSize(filename, true);
    const module = { exports: {} as { work(): number } };
    compileIn(vm.createContext({}), source, filename)(module);
    expect(stats.fromCache - before.fromCache).toBe(1);
    expect(stats.rejected - before.rejected).toBe(0);
    expect(module.exports.work()).toBe((() => { const m = { exports: {} as { work(): number } }; compileUncached(source, filename)(m); return m.exports.work(); })());
  });

  it("reports the file's own lines and columns, compiled afresh or from the cache, as Node's compile does", () => {
    const code = `const fail = (why) => { throw new Error(why); };\nmodule.exports = () =>  fail("late");\n\n   fail("early");`;
    const filename = unique("stack");
    const expected = framesOf(() => compileUncached(code, filename)({ exports: {} }));
    expect(expected).toEqual([`${filename}:1:31`, `${filename}:4:4`]);
    expect(framesOf(() => compileIn(vm.createContext({}), code, filename)({ exports: {} }))).toEqual(expected);
    refresh();
    expect(framesOf(() => compileIn(vm.createContext({}), code, filename)({ exports: {} }))).toEqual(expected);

    const broken = `const a = 1;\nconst b = ;\n`;
    const syntaxError = (compile: () => unknown) => {
      try {
        compile();
      } catch (error) {
        return { name: (error as Error).name, where: ((error as Error).stack ?? "").split("\n").slice(0, 3) };
      }
      throw new Error("it compiled");
    };
    const brokenFile = unique("broken");
    expect(syntaxError(() => compileIn(vm.createContext({}), broken, brokenFile))).toEqual(syntaxError(() => compileUncached(broken, brokenFile)));
  });

  it("compiles a file that starts with a hashbang, as Node's compile does", () => {
    const code = `#!/usr/bin/env node\nmodule.exports = { answer: 42, where: new Error("here").stack };`;
    const filename = unique("hashbang");
    const module = { exports: {} as { answer: number; where: string } };
    compileIn(vm.createContext({}), code, filename)(module);
    expect(module.exports.answer).toBe(42);
    expect(module.exports.where).toContain(`${filename}:2:`);
  });

  it("leaves compiles without a parsing context (not Jest's modules) alone", () => {
    const before = { ...stats };
    vm.compileFunction("return 1", []);
    expect(stats).toEqual(before);
  });

  it("keeps no realm alive: V8's cache, made in the file's context, is copied out of it", async () => {
    // Kept as made, the cache (a Buffer of the context's realm) held every test file's realm for the
    // worker's life: ~2-4 MB a file, and a heap (and GC time) growing with every file.
    const collected = (() => {
      const context = vm.createContext({});
      compileIn(context, `module.exports = ${Date.now()};`, `/virtual/realm-${Date.now()}.js`)({ exports: {} });
      return new WeakRef(context);
    })();
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    for (let i = 0; i < 10 && collected.deref(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc();
    }
    expect(collected.deref()).toBeUndefined();
  });
});
