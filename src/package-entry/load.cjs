// Loads a module of attune-db for package consumers: the compiled build
// (dist/, from `npm run build`) when there is one, else the TypeScript source
// through tsx, so the package also works straight from a git checkout.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..", "..");

module.exports = function load(modulePath) {
  const compiled = path.join(root, "dist", "src", `${modulePath}.js`);
  if (fs.existsSync(compiled)) return require(compiled);
  require("tsx/cjs");
  return require(path.join(root, "src", `${modulePath}.ts`));
};
