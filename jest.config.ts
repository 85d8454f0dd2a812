/** @jest-config-loader esbuild-register */
import type { Config } from "jest";

const swc = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
} as const;

const config: Config = {
  testMatch: ["<rootDir>/tests/**/*.test.ts"],
  testEnvironment: "<rootDir>/src/jest/environment.ts",
  transform: {
    "^.+\\.(ts|js|mjs)$": ["@swc/jest", swc],
  },
  // Prisma 7's generated client loads its query compiler from @prisma/client/runtime.
  transformIgnorePatterns: ["/node_modules/(?!@prisma/client/runtime/)"],
  moduleFileExtensions: ["ts", "js", "mjs", "cjs", "json"],
  globalSetup: "<rootDir>/src/jest/global-setup.ts",
  globalTeardown: "<rootDir>/src/jest/global-teardown.ts",
  maxWorkers: 4,
  // Generous: two runs at once on a 2-core CI machine are slow; a hang still fails.
  testTimeout: 120_000,
};

export default config;
