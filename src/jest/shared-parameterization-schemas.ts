/**
 * Every Prisma client decodes its data model's parameterization schema (the
 * graph of which query arguments may be parameters: ~150 KB of base64 for
 * attune's 40 models) into a few thousand objects when it is constructed:
 * ~8 ms of each test file, in a realm whose code runs cold. The decoded graph
 * is plain data that Prisma's runtime only reads (it copies what it returns),
 * so a Jest worker decodes it once and every test file's runtime reads the
 * worker's copy: nothing a test sees or compares comes from it.
 *
 * Prisma's runtime has no option for this. {@link rewritePrismaRuntime}
 * changes its one decoding function, as Jest compiles it, to ask the realm's
 * global first; a runtime whose code differs is left as it is (the decoding
 * then runs per client, as before), and the tests check that the installed
 * Prisma is rewritten.
 */

/** On a test file's global: the worker's decoded schemas, by their encoded graph. */
const SHARED = Symbol.for("attune-db.sharedParameterizationSchemas");
const RUNTIME_FILE = /[\\/]@prisma[\\/]client[\\/]runtime[\\/]client\.js$/;
// Prisma 7's minified `function Ba(e){return new Li(e).deserialize()}`: names differ between releases,
// and a transform (this repository's own Jest config runs the runtime through SWC) may reformat it.
const DECODE = /function\s+([\w$]+)\s*\(\s*([\w$]+)\s*\)\s*\{\s*return\s+new\s+([\w$]+)\s*\(\s*\2\s*\)\s*\.\s*deserialize\s*\(\s*\)\s*;?\s*\}/g;

/** The encoded schema in the generated client: strings and a base64url graph. */
interface EncodedSchema {
  readonly graph: string;
}
/** What the environment puts on a test file's global; `stats` counts over the worker. */
export interface SharedParameterizationSchemas {
  (encoded: EncodedSchema, decode: () => object): object;
  readonly stats: { decoded: number; shared: number };
}

/** Prisma's runtime source with its decoding function asking {@link SHARED} first; other sources unchanged. */
export function rewritePrismaRuntime(filename: string, code: string): string {
  if (!RUNTIME_FILE.test(filename)) return code;
  const matches = [...code.matchAll(DECODE)];
  if (matches.length !== 1) return code;
  const [found, name, arg, decoder] = matches[0]!;
  const decode = `new ${decoder}(${arg}).deserialize()`;
  const rewritten = `function ${name}(${arg}){let s=globalThis[Symbol.for(${JSON.stringify(SHARED.description)})];return s?s(${arg},()=>${decode}):${decode}}`;
  // As many lines as before: the lines after it stay where the source map says.
  return code.replace(found, () => rewritten + "\n".repeat(found.split("\n").length - 1));
}

const workerSchemas = new Map<string, object>();

/**
 * The worker's lookup: the first realm to need a schema decodes it; the worker
 * keeps a copy made in its own realm (a structured clone), so that no test
 * file's realm is kept alive by it.
 */
const shared: SharedParameterizationSchemas = Object.assign(
  (encoded: EncodedSchema, decode: () => object): object => {
    if (typeof encoded?.graph !== "string") return decode(); // not the encoding this was written for
    const known = workerSchemas.get(encoded.graph);
    if (known) {
      shared.stats.shared++;
      return known;
    }
    shared.stats.decoded++;
    const decoded = decode();
    let copy: object;
    try {
      copy = structuredClone(decoded);
    } catch {
      return decoded; // not plain data (a Prisma that decodes differently): this client keeps its own
    }
    workerSchemas.set(encoded.graph, copy);
    return copy;
  },
  { stats: { decoded: 0, shared: 0 } },
);

/** Gives a test file's realm the worker's decoded schemas. */
export function shareParameterizationSchemas(realm: object): void {
  Object.defineProperty(realm, SHARED, { configurable: true, value: shared });
}
