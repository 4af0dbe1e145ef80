import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Builds dist/ once before the e2e project's test files run, exactly as `npm run build` does: they spawn the real CLI
 * (`node dist/cli.js`) the way an MCP client does, or pack it, so they must run what ships. The unit project needs no build.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync(process.execPath, [fileURLToPath(new URL("../scripts/clean.mjs", import.meta.url))], { cwd: root, stdio: "inherit" });
  execFileSync(process.execPath, [fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url)), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
  // The shipped entry point is the bundle (as `npm run build` makes it).
  execFileSync(process.execPath, [fileURLToPath(new URL("../scripts/bundle.mjs", import.meta.url))], { cwd: root, stdio: "inherit" });
}
