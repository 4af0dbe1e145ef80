// Bundles the CLI into dist/cli.js (replacing tsc's unbundled entry) with its dependencies, so
// start-up loads a few files instead of hundreds: the MCP client waits on that at every launch.
// Dynamic imports (the sandbox, doctor, the HTTP transport) become chunks loaded only when used.
import { build } from "esbuild";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

// zod re-exports every one of its ~50 message locales as `z.locales` (about 270 KB bundled) and
// esbuild cannot drop a re-exported namespace. The server formats its own messages and zod only
// ever uses English (its default, imported directly by its schemas), so `z.locales` holds `en`.
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: args.importer, namespace: "zod-locales" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: 'export { default as en } from "../locales/en.js";',
      resolveDir: dirname(args.path),
    }));
  },
};

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
  minify: process.env.LP_NO_MINIFY !== "1",
  legalComments: "linked",
  // Some bundled CommonJS (undici) calls require(); ESM output needs one.
  banner: { js: "import { createRequire as __lpCreateRequire } from 'node:module'; const require = __lpCreateRequire(import.meta.url);" },
  logLevel: "warning",
  plugins: [zodEnglishOnly],
  // src/version.ts: the version as a constant, so start-up reads no package.json.
  define: { __LEADPANTHER_VERSION__: JSON.stringify(JSON.parse(readFileSync(`${root}/package.json`, "utf8")).version) },
});
chmodSync(`${root}/dist/cli.js`, 0o755);

// The app view (src/app/view): one HTML file with its script and styles inline, because a host
// renders it in a sandboxed frame with no origin to load anything else from.
const view = await build({
  absWorkingDir: root,
  entryPoints: ["src/app/view/main.ts"],
  bundle: true,
  write: false,
  format: "iife",
  platform: "browser",
  target: "es2022",
  minify: process.env.LP_NO_MINIFY !== "1",
  legalComments: "none",
  logLevel: "warning",
});
const script = (view.outputFiles[0]?.text ?? "").replaceAll("</script", "<\\/script");
const page = readFileSync(`${root}/src/app/view/board.html`, "utf8");
mkdirSync(`${root}/dist/app`, { recursive: true });
writeFileSync(`${root}/dist/app/board.html`, page.replace("/*VIEW_SCRIPT*/", () => script));
