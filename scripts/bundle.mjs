// Bundles the CLI into dist/cli.js (replacing tsc's unbundled entry) with its dependencies, so
// start-up loads a few files instead of hundreds: the MCP client waits on that at every launch.
// Dynamic imports (the sandbox, doctor, the HTTP transport) become chunks loaded only when used.
import { build } from "esbuild";
import { chmodSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

// Chunk names carry a content hash: without this, every build would leave the last one's behind.
rmSync(`${root}/dist/chunks`, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.18",
  minify: true,
  legalComments: "linked",
  // Some bundled CommonJS (undici) calls require(); ESM output needs one.
  banner: { js: "import { createRequire as __lpCreateRequire } from 'node:module'; const require = __lpCreateRequire(import.meta.url);" },
  logLevel: "warning",
});
chmodSync(`${root}/dist/cli.js`, 0o755);
