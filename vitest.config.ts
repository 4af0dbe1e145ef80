import { defineConfig } from "vitest/config";

/**
 * Tests that spawn what ships (`node dist/cli.js`, the bundle, `npm pack`) build dist/ once
 * first; every other test imports the sources and runs without a build
 * (`npx vitest run --project unit` takes seconds). `npm test` runs both.
 */
const BUILT = [
  "test/e2e/**/*.test.ts",
  "test/package/**/*.test.ts",
  "test/transports/http.test.ts",
  "test/safety-e2e/leak.test.ts",
  "test/unit/memory.test.ts",
  // The board view is read from dist/app/board.html, which the build makes.
  "test/app/board.test.ts",
  "test/app/resource.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // CI also writes a JSON report, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".vitest-tmp/report.json" },
    projects: [
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: BUILT } },
      { extends: true, test: { name: "e2e", include: BUILT, globalSetup: ["test/global-setup.ts"] } },
    ],
  },
});
