// Run after `prisma generate`: points the generated client's query-compiler
// loader at src/client/query-compiler-wasm.ts (require() instead of import(),
// compiled once per process; see that file). Fails loudly if a Prisma release
// changes the generated code so that the patch no longer applies.
const fs = require("node:fs");
const path = require("node:path");

const file = path.join(__dirname, "..", "prisma", "generated", "internal", "class.ts");
const source = fs.readFileSync(file, "utf8");
const MARK = "// attune-db: query compiler loaded by src/client/query-compiler-wasm.ts";
if (source.includes(MARK)) process.exit(0);

const block = /config\.compilerWasm = \{\n  getRuntime: async \(\) => await import\("@prisma\/client\/runtime\/query_compiler_fast_bg\.postgresql\.js"\),[\s\S]*?\n\}\n/;
if (!block.test(source)) {
  console.error(`patch-generated-client: the query compiler block in ${file} is not where it used to be; update scripts/patch-generated-client.cjs for this Prisma version`);
  process.exit(1);
}
const patched = source
  .replace(block, `${MARK}\nconfig.compilerWasm = queryCompilerWasm\n`)
  .replace(/^(import \* as runtime from "@prisma\/client\/runtime\/client"\n)/m, `$1import { queryCompilerWasm } from "../../../src/client/query-compiler-wasm.ts"\n`);
if (!patched.includes('import { queryCompilerWasm }')) {
  console.error(`patch-generated-client: could not add the import to ${file}`);
  process.exit(1);
}
fs.writeFileSync(file, patched.replace(/\nasync function decodeBase64AsWasm[\s\S]*?\n\}\n/, "\n"));
