import vm from "node:vm";

/**
 * Jest compiles every module again for every test file (one `vm` context per
 * file), so each file pays V8's parse and compile of the Prisma runtime, pg,
 * Jest's own modules and the tests' imports. This keeps V8's code cache of
 * each module source per worker process and hands it to the next compile of
 * the same source: V8 then deserializes instead of compiling. The compiled
 * code is not tied to a context: each file still evaluates every module in
 * its own realm (its own `Date`, `Error`, module state).
 *
 * A cache made when a module is compiled holds only its top-level code: V8
 * compiles a function when it is first called, so every file compiled the
 * Prisma runtime's functions again (~25 % of a one-query file). Hence each
 * module is compiled as a `vm.Script` (`vm.compileFunction` cannot make a
 * cache later), and {@link ModuleCompileCache.refresh}, called when a test
 * file ends, makes the cache again from the scripts that file ran: it then
 * holds the functions they called. Each module's cache is made again at the
 * end of the first {@link MAX_REFRESHES} files that load it, then kept.
 *
 * It wraps `vm.compileFunction`, which Jest calls for each CommonJS module
 * with the file's context as `parsingContext`; calls without one, or that
 * bring their own cache, are passed through untouched. A cache is used only
 * for the very source it was made from (an edited file, in watch mode, is
 * compiled afresh). Lines and columns in stack traces are those of the file.
 */
const INSTALLED = Symbol.for("attune-db.moduleCompileCache");

/** Each module's cache is made again at the end of this many test files (that load it), then kept. */
const MAX_REFRESHES = 2;

type CompileFunction = typeof vm.compileFunction;
type Options = NonNullable<Parameters<CompileFunction>[2]>;

export interface ModuleCompileCacheStats {
  compiled: number;
  fromCache: number;
  rejected: number;
  /** Caches made again after a test file ran their module. */
  refreshed: number;
}

export interface ModuleCompileCache {
  readonly stats: ModuleCompileCacheStats;
  /** Bytes of V8 code cache kept, over every module. */
  cachedBytes(): number;
  /** Makes the cache of the modules compiled since the last call again, with the functions they have run since. */
  refresh(): void;
}

export interface ModuleCompileCacheOptions {
  /** Changes a module's source before it is compiled (once per source and worker). */
  rewrite?(filename: string, code: string): string;
}

interface Entry {
  readonly code: string;
  readonly params: string;
  /** The source compiled: `code`, rewritten, its hashbang blanked. */
  readonly body: string;
  data?: Buffer;
  refreshes: number;
}

/** Installs the cache in this process; the first call's options apply, later calls get the same cache. */
export function installModuleCompileCache(options: ModuleCompileCacheOptions = {}): ModuleCompileCache {
  const holder = vm as unknown as { [INSTALLED]?: ModuleCompileCache };
  if (holder[INSTALLED]) return holder[INSTALLED];
  const stats: ModuleCompileCacheStats = { compiled: 0, fromCache: 0, rejected: 0, refreshed: 0 };
  // By file: the source it was compiled from (compared whole: V8's own check of a cache is only
  // the source's length) and V8's cache for it.
  const cache = new Map<string, Entry>();
  // Scripts compiled since the last refresh, whose module's cache is to be made again. A script
  // is not bound to a context: holding it keeps no test file's realm alive.
  const toRefresh = new Map<Entry, vm.Script>();
  const original = vm.compileFunction;
  const cached: CompileFunction = (code, params, compileOptions?: Options) => {
    if (!compileOptions?.parsingContext || compileOptions.cachedData || compileOptions.produceCachedData) return original(code, params, compileOptions);
    const key = compileOptions.filename ?? "";
    const paramList = (params ?? []).join(", ");
    let entry = cache.get(key);
    if (!entry || entry.code !== code || entry.params !== paramList) {
      const rewritten = options.rewrite ? options.rewrite(key, code) : code;
      // A hashbang is allowed only at a script's start: blanked to a comment of the same length.
      const body = rewritten.startsWith("#!") ? `//${rewritten.slice(2)}` : rewritten;
      cache.set(key, (entry = { code, params: paramList, body, refreshes: 0 }));
    }
    // The function's own line first, then the file from line 1 (lineOffset): stack traces point
    // into the file as compileFunction's would.
    const script = new vm.Script(`(function (${paramList}) {\n${entry.body}\n})`, {
      filename: compileOptions.filename,
      lineOffset: -1,
      cachedData: entry.data,
      importModuleDynamically: compileOptions.importModuleDynamically as vm.ScriptOptions["importModuleDynamically"],
    });
    if (entry.data && !script.cachedDataRejected) stats.fromCache++;
    else {
      if (entry.data) stats.rejected++;
      else stats.compiled++;
      // Top-level code only, for the next compile of it before this file ends (jest.resetModules()).
      entry.data = Buffer.from(script.createCachedData());
    }
    if (entry.refreshes < MAX_REFRESHES) toRefresh.set(entry, script);
    return script.runInContext(compileOptions.parsingContext) as ReturnType<CompileFunction>;
  };
  vm.compileFunction = cached;
  const refresh = () => {
    for (const [entry, script] of toRefresh) {
      // A copy, in case Node makes it a Buffer of another realm (it did for compileFunction's cache,
      // and keeping that kept the whole test file's realm alive).
      entry.data = Buffer.from(script.createCachedData());
      entry.refreshes++;
      stats.refreshed++;
    }
    toRefresh.clear();
  };
  const cachedBytes = () => [...cache.values()].reduce((sum, entry) => sum + (entry.data?.length ?? 0), 0);
  return (holder[INSTALLED] = { stats, cachedBytes, refresh });
}
