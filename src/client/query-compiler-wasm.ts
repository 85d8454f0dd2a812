/**
 * How the generated Prisma client loads its query compiler (WebAssembly).
 * scripts/patch-generated-client.cjs points the generated client here instead
 * of at Prisma's own loader, for two reasons:
 *
 * - Prisma's loader uses `import()`, which a CommonJS Jest cannot run without
 *   `--experimental-vm-modules` ("A dynamic import callback was invoked
 *   without --experimental-vm-modules"); `require()` works under every runner.
 * - The compiled module is kept per process under a global symbol, so a
 *   process compiles the 4.5 MB of base64 wasm once, however many clients it
 *   makes; a test runner's environment hands each test file's realm the
 *   worker's compilers instead (see {@link shareQueryCompilerWasm}).
 */

import { LruCache } from "../caching/lru-cache.ts";

const WASM_MODULE = Symbol.for("attune-db.queryCompilerWasmModule");
/** On a test file's realm: the worker's compilers to use. */
const SHARED_COMPILERS = Symbol.for("attune-db.sharedQueryCompilers");
/** On the worker's own global: its compilers, shared with every realm it sets up. */
const WORKER_COMPILERS = Symbol.for("attune-db.workerQueryCompilers");
const GLUE = "@prisma/client/runtime/query_compiler_fast_bg.postgresql.js";
const IMPORT_NAME = "./query_compiler_fast_bg.js";

// Node has WebAssembly; TypeScript declares it only in the DOM libraries.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> & { __wbindgen_start(): void } };
};
/** A compiled WebAssembly module. */
export type WasmModule = object;

type Holder = { [WASM_MODULE]?: Promise<WasmModule>; [SHARED_COMPILERS]?: SharedQueryCompilers; [WORKER_COMPILERS]?: SharedQueryCompilers };

/** What Prisma's runtime uses of a query compiler. */
interface QueryCompiler {
  compile(request: string): unknown;
  compileBatch(request: string): unknown;
  free(): void;
}
type CompilerParams = { datamodel: string; provider: string; connectionInfo: unknown };
type QueryCompilerClass = new (params: CompilerParams) => QueryCompiler;
type Glue = { QueryCompiler: QueryCompilerClass; __wbg_set_wasm(exports: unknown): void };

/**
 * A module that exports only an empty `__wbindgen_start`: what a realm that
 * uses the shared compilers instantiates instead of the 4.5 MB compiler
 * (Prisma's loader instantiates whatever module it is given, then calls that).
 */
const EMPTY_START_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x14, 0x01, 0x10, ...Buffer.from("__wbindgen_start"), 0x00, 0x00, // export it as __wbindgen_start
  0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // code: an empty body
]);

/** Compilers kept per process for clients to come: a worker's test files reuse a handful of (recycled) schemas. */
const MAX_SHARED_COMPILERS = 8;

/** A compiler and how many live clients use it; freed once no client uses it and the cache let it go. */
interface SharedCompiler {
  readonly compiler: QueryCompiler;
  users: number;
  cached: boolean;
}

/**
 * One instance of the query compiler per process, and its compilers by what
 * they were made for (data model, provider, connection info: the schema name
 * is in it), for the test files of a Jest worker. Each new Prisma client of a
 * test file would otherwise instantiate the compiler and parse the data model
 * again (~12 ms a client). A compiler turns a request (a string) into a query
 * plan of plain data, which the file's own Prisma runtime executes, so the
 * objects tests see are still their realm's.
 *
 * A client holds its compiler from connect to disconnect (Prisma's `free()`),
 * or until it is garbage-collected with its test file's realm; the cache
 * keeps the most recently used ones for the clients to come. (Looking the
 * compiler up at each compile instead made a file with more live schemas than
 * the cache holds build a compiler per query: 12 s of a 100-tenant test.)
 */
class SharedQueryCompilers {
  /** One instance per process: two realms asking at once must not instantiate the compiler twice. */
  private glue: Promise<Glue> | undefined;
  private readonly compilers = new LruCache<string, SharedCompiler>(MAX_SHARED_COMPILERS);
  private readonly emptyStart = new WebAssembly.Module(EMPTY_START_MODULE);
  /** Gives back the compiler of a client collected without a disconnect. */
  private readonly collected = new FinalizationRegistry<SharedCompiler>((shared) => this.release(shared));
  /** Compilers made and freed so far (for tests: one per schema in use, not one per query). */
  readonly stats = { made: 0, freed: 0 };

  constructor(private readonly module: () => Promise<WasmModule>) {}

  /** The glue a realm's Prisma loader gets: its QueryCompiler uses the shared compilers; nothing to set up. */
  async realmGlue(): Promise<Glue> {
    const glue = await this.load();
    const compilers = this;
    class SharedQueryCompiler implements QueryCompiler {
      private readonly shared: SharedCompiler;
      private freed = false;
      constructor(params: CompilerParams) {
        this.shared = compilers.acquire(glue, params); // fails here, as Prisma expects, if the data model does not parse
        compilers.collected.register(this, this.shared, this);
      }
      compile(request: string): unknown {
        return this.shared.compiler.compile(request);
      }
      compileBatch(request: string): unknown {
        return this.shared.compiler.compileBatch(request);
      }
      /** Prisma calls this at disconnect (and makes a new compiler if it connects again). */
      free(): void {
        if (this.freed) return;
        this.freed = true;
        compilers.collected.unregister(this);
        compilers.release(this.shared);
      }
    }
    return { QueryCompiler: SharedQueryCompiler, __wbg_set_wasm: () => {} };
  }

  emptyStartModule(): WasmModule {
    return this.emptyStart;
  }

  private load(): Promise<Glue> {
    return (this.glue ??= this.module().then((module) => {
      const glue = require(GLUE) as Glue;
      const instance = new WebAssembly.Instance(module, { [IMPORT_NAME]: glue });
      glue.__wbg_set_wasm(instance.exports);
      instance.exports.__wbindgen_start();
      return glue;
    }));
  }

  private acquire(glue: Glue, params: CompilerParams): SharedCompiler {
    const key = `${params.provider}\n${JSON.stringify(params.connectionInfo)}\n${params.datamodel}`;
    let shared = this.compilers.get(key);
    if (!shared) {
      shared = { compiler: new glue.QueryCompiler(params), users: 0, cached: true };
      this.stats.made++;
      const evicted = this.compilers.set(key, shared)?.[1];
      if (evicted) {
        evicted.cached = false;
        if (evicted.users === 0) this.free(evicted);
      }
    }
    shared.users++;
    return shared;
  }

  private release(shared: SharedCompiler): void {
    shared.users--;
    if (shared.users === 0 && !shared.cached) this.free(shared);
  }

  private free(shared: SharedCompiler): void {
    shared.compiler.free();
    this.stats.freed++;
  }
}

/** Compiles Prisma's PostgreSQL query compiler (decoding its base64 source). */
export function compileQueryCompilerWasm(): WasmModule {
  const { wasm } = require("@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.js") as { wasm: string };
  return new WebAssembly.Module(Buffer.from(wasm, "base64"));
}

/**
 * Lets `realm` (another global object: a Jest test file's) use this process's
 * query compilers (see {@link SharedQueryCompilers}) and its compiled module,
 * compiled on first use.
 */
export function shareQueryCompilerWasm(realm: object): void {
  const holder = globalThis as Holder;
  const shared = (holder[WORKER_COMPILERS] ??= new SharedQueryCompilers(compiledModule));
  Object.defineProperty(realm, SHARED_COMPILERS, { configurable: true, value: shared });
}

/** This process's compiled query compiler module, compiled on first use. */
function compiledModule(): Promise<WasmModule> {
  const holder = globalThis as Holder;
  return (holder[WASM_MODULE] ??= Promise.resolve().then(compileQueryCompilerWasm));
}

/** The generated client's `config.compilerWasm`. */
export const queryCompilerWasm = {
  getRuntime: async (): Promise<unknown> => {
    const shared = (globalThis as Holder)[SHARED_COMPILERS];
    return shared ? shared.realmGlue() : require(GLUE);
  },
  getQueryCompilerWasmModule: (): Promise<WasmModule> => {
    const shared = (globalThis as Holder)[SHARED_COMPILERS];
    // A realm using the shared compilers needs no compiler of its own: Prisma's loader instantiates an empty module.
    return shared ? Promise.resolve(shared.emptyStartModule()) : compiledModule();
  },
  importName: IMPORT_NAME,
};
