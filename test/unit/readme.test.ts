import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { CATALOG } from "../../src/catalog.js";
import { renderReadme } from "../../src/docs.js";

test("README's tool and settings tables are generated from the catalog and are current (npm run readme)", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  expect(renderReadme(readme)).toBe(readme);
  for (const op of CATALOG) expect(readme).toContain(`| \`${op.name}\` |`);
});

test("README's first screen has the two quickstart commands", () => {
  const firstScreen = readFileSync(new URL("../../README.md", import.meta.url), "utf8").split("\n").slice(0, 25).join("\n");
  expect(firstScreen).toContain("npm ci && npm run demo");
  expect(firstScreen).toContain("npm ci && npm test");
});
