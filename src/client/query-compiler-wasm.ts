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
 *   makes; a test runner's environment can hand its compiled module to each
 *   test file's realm (see src/jest/environment.ts).
 */

const WASM_MODULE = Symbol.for("attune-db.queryCompilerWasmModule");

// Node has WebAssembly; TypeScript declares it only in the DOM libraries.
declare const WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule };
/** A compiled WebAssembly module. */
export type WasmModule = object;

type Holder = { [WASM_MODULE]?: Promise<WasmModule> };

/** Compiles Prisma's PostgreSQL query compiler (decoding its base64 source). */
export function compileQueryCompilerWasm(): WasmModule {
  const { wasm } = require("@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.js") as { wasm: string };
  return new WebAssembly.Module(Buffer.from(wasm, "base64"));
}

/**
 * Lets `realm` (another global object: a Jest test file's) use this process's
 * compiled query compiler, compiled on first use. A WebAssembly module is
 * plain code, not tied to a realm: each client still instantiates it with its
 * own realm's glue, so the objects tests see (Dates, errors) are their own.
 */
export function shareQueryCompilerWasm(realm: object): void {
  Object.defineProperty(realm, WASM_MODULE, { configurable: true, get: queryCompilerWasm.getQueryCompilerWasmModule });
}

/** The generated client's `config.compilerWasm`. */
export const queryCompilerWasm = {
  getRuntime: async () => require("@prisma/client/runtime/query_compiler_fast_bg.postgresql.js") as unknown,
  getQueryCompilerWasmModule: (): Promise<WasmModule> => {
    const holder = globalThis as Holder;
    return (holder[WASM_MODULE] ??= Promise.resolve().then(compileQueryCompilerWasm));
  },
  importName: "./query_compiler_fast_bg.js",
};
