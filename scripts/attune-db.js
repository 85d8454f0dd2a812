#!/usr/bin/env node
// The `attune-db` command: the compiled build when there is one, else the TypeScript source through tsx.
const fs = require("node:fs");
const path = require("node:path");

const compiled = path.join(__dirname, "..", "dist", "src", "cli", "main.js");
if (fs.existsSync(compiled)) {
  require(compiled).main();
} else {
  require("tsx/cjs");
  require(path.join(__dirname, "..", "src", "cli", "main.ts")).main();
}
