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
 * It wraps `vm.compileFunction`, which Jest calls for each CommonJS module
 * with the file's context as `parsingContext`; calls without one, or that
 * bring their own cache, are passed through untouched. A cache is used only
 * for the very source it was made from (an edited file, in watch mode, is
 * compiled afresh).
 */
const INSTALLED = Symbol.for("attune-db.moduleCompileCache");

type CompileFunction = typeof vm.compileFunction;
type Options = NonNullable<Parameters<CompileFunction>[2]>;

export interface ModuleCompileCacheStats {
  compiled: number;
  fromCache: number;
  rejected: number;
}

export function installModuleCompileCache(): ModuleCompileCacheStats {
  const holder = vm as unknown as { [INSTALLED]?: ModuleCompileCacheStats };
  if (holder[INSTALLED]) return holder[INSTALLED];
  const stats: ModuleCompileCacheStats = { compiled: 0, fromCache: 0, rejected: 0 };
  // By file: the source it was compiled from (compared whole: V8's own check of a cache is only
  // the source's length) and V8's cache for it.
  const cache = new Map<string, { code: string; params: string; data: Buffer }>();
  const original = vm.compileFunction;
  const cached: CompileFunction = (code, params, options?: Options) => {
    if (!options?.parsingContext || options.cachedData || options.produceCachedData) return original(code, params, options);
    const key = options.filename ?? "";
    const paramList = params?.join(",") ?? "";
    const hit = cache.get(key);
    const data = hit && hit.code === code && hit.params === paramList ? hit.data : undefined;
    const fn = original(code, params, data ? { ...options, cachedData: data } : { ...options, produceCachedData: true });
    const result = fn as typeof fn & { cachedData?: Buffer; cachedDataRejected?: boolean };
    if (!data) {
      stats.compiled++;
      // A copy: Node makes the cache a Buffer of the compiling context's realm, and keeping that
      // kept the whole test file's realm alive (~2-4 MB a file, and GC time growing with the heap).
      if (result.cachedData) cache.set(key, { code, params: paramList, data: Buffer.from(result.cachedData) });
    } else if (result.cachedDataRejected) {
      stats.rejected++;
      cache.delete(key);
    } else {
      stats.fromCache++;
    }
    return fn;
  };
  vm.compileFunction = cached;
  holder[INSTALLED] = stats;
  return stats;
}
