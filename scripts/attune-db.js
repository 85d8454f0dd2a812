#!/usr/bin/env node
// The `attune-db` command straight from this checkout's TypeScript sources (tests, development).
// The package ships bin/attune-db.cjs, which runs the compiled build instead.
require("tsx/cjs");
require("../src/cli/main.ts").main();
