// `npm run bench`: every benchmark script in turn (each prints its own table).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const scripts = ["server-bench.mjs", "tools-size.mjs", "find-bench.mjs", "sandbox-bench.mjs", "upload-rss.mjs"];
let failed = false;
for (const script of scripts) {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  if (!existsSync(path)) continue;
  process.stdout.write(`\n== ${script}\n`);
  const run = spawnSync(process.execPath, [path], { stdio: "inherit" });
  failed ||= run.status !== 0;
}
process.exit(failed ? 1 : 0);
