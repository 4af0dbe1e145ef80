import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { YOUNG_GENERATION_FLAG, youngGenerationFlag } from "../../src/memory.js";

const MEMORY_MODULE = fileURLToPath(new URL("../../dist/memory.js", import.meta.url));

// Serves "list pages" in a loop, a few of them alive at a time, and reports the young
// generation's size before and after; with "keep" it first applies the stdio server's setting.
const WORKLOAD = `
import { getHeapSpaceStatistics } from "node:v8";
const { keepYoungGenerationSmall } = await import(process.argv[1]);
const newSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === "new_space").space_size;
const before = newSpace();
if (process.argv[2] === "keep") keepYoungGenerationSmall();
const alive = [];
for (let i = 0; i < 3000; i += 1) {
  alive.push(JSON.parse(JSON.stringify({ i, items: Array.from({ length: 50 }, (_, k) => ({ k, text: "x".repeat(200) + i })) })));
  if (alive.length > 4) alive.shift();
}
process.stdout.write(JSON.stringify({ before, after: newSpace() }));
`;

function youngGeneration(mode: "keep" | "default", nodeOptions?: string): { before: number; after: number } {
  const env = { ...process.env, NODE_OPTIONS: nodeOptions ?? "" };
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", WORKLOAD, MEMORY_MODULE, mode], { env, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { before: number; after: number };
}

describe("the stdio server's young generation", () => {
  it("stays near its initial size under a steady load, where V8's default lets it grow", () => {
    const kept = youngGeneration("keep");
    const grown = youngGeneration("default");
    expect(kept.after).toBeLessThanOrEqual(2 * kept.before);
    expect(grown.after).toBeGreaterThanOrEqual(4 * grown.before);
  });

  it("leaves an operator's own young-generation flags alone", () => {
    expect(youngGenerationFlag([], undefined)).toBe(YOUNG_GENERATION_FLAG);
    expect(youngGenerationFlag(["--enable-source-maps"], "--max-old-space-size=256")).toBe(YOUNG_GENERATION_FLAG);
    expect(youngGenerationFlag(["--max-semi-space-size=8"], undefined)).toBeUndefined();
    expect(youngGenerationFlag(["--semi_space_growth_factor=4"], undefined)).toBeUndefined();
    expect(youngGenerationFlag([], "--max-semi-space-size=8")).toBeUndefined();
    // Through NODE_OPTIONS, for real: the operator's setting wins and the space grows.
    expect(youngGeneration("keep", "--max-semi-space-size=8").after).toBeGreaterThanOrEqual(4 * 1024 * 1024);
  });
});
