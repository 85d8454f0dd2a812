/** @attune-schema none */
import v8 from "node:v8";
import vm from "node:vm";
import { installModuleCompileCache } from "../../src/jest/module-compile-cache.ts";

// The Jest environment installs it in every worker; here it is driven directly, the way Jest compiles a module.
const stats = installModuleCompileCache();
const compileIn = (context: vm.Context, code: string, filename = "/virtual/module.js") =>
  vm.compileFunction(code, ["module"], { filename, parsingContext: context });

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
