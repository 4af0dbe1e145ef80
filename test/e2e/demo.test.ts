import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

/** The README's first command ends in `node dist/demo.js`: what a newcomer sees must read right. */

const DEMO = fileURLToPath(new URL("../../dist/demo.js", import.meta.url));

test("the demo drives the server end to end and prints every fact it names", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [DEMO], { timeout: 60_000 });
  expect(stdout).toMatch(/^20 tools: get_api_info, get_me, /m);
  expect(stdout).toMatch(/→ post [0-9a-f-]{36} created with status draft/);
  expect(stdout).toMatch(/refused before any request, one line per problem/);
  expect(stdout).toMatch(/→ scheduled for \d{4}-\d{2}-\d{2}T09:00:00\.000Z/);
  // Leads and activity are read from the concise results the list tools return by default.
  expect(stdout).toMatch(/• Kenji Castillo — keyword GUIDE, qualified/);
  expect(stdout).toMatch(/• comment by Noor Osei: \[redacted: \d+ characters\]/);
  expect(stdout).not.toMatch(/undefined|keyword \?|by \?/);
});
