#!/usr/bin/env node
// The `attune-db` command of the installed package (compiled by `npm run build`).
require("../dist/src/cli/main.js").main();
