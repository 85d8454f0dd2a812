// attune-db's jest-global-teardown from this checkout's TypeScript sources, for tests that run another project's Jest.
require("tsx/cjs");
module.exports = require("../../../src/jest/global-teardown.ts");
