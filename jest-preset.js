// `preset: "attune-db"` in a Jest config: every test file gets its own migrated
// PostgreSQL schema (see the README). Options go under testEnvironmentOptions.attuneDb.
module.exports = {
  testEnvironment: require.resolve("./dist/src/jest/environment.js"),
  globalSetup: require.resolve("./dist/src/jest/global-setup.js"),
  globalTeardown: require.resolve("./dist/src/jest/global-teardown.js"),
};
