import { readFileSync } from "node:fs";
import { dirname, relative, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "./paths.js";

/**
 * Start-up: an MCP client waits for the server at every launch, and most of that wait is
 * loading JavaScript. The CLI is one bundle whose static imports are all the stdio server
 * loads; the sandbox, doctor and HTTP transport are chunks imported only when used.
 */
function staticallyLoaded(entry: string): Map<string, number> {
  const loaded = new Map<string, number>();
  const visit = (file: string): void => {
    if (loaded.has(file)) return;
    const code = readFileSync(file, "utf8");
    loaded.set(file, Buffer.byteLength(code));
    // `from"./x.js"` and `import"./x.js"`; a dynamic `import("./x.js")` is not followed.
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*"(\.{1,2}\/[^"]+)"/g)) visit(join(dirname(file), match[1] ?? ""));
  };
  visit(entry);
  return loaded;
}

describe("the CLI bundle", () => {
  it("loads at most 1 MiB of JavaScript to serve stdio: undici's Agent without its index, zod's English only", () => {
    const loaded = staticallyLoaded(CLI);
    const total = [...loaded.values()].reduce((sum, bytes) => sum + bytes, 0);
    // 0.86 MB when measured; undici's whole index adds about 0.54 MB, zod's ~50 locales 0.27 MB.
    expect(total, [...loaded].map(([file, bytes]) => `${file}: ${bytes}`).join("\n")).toBeLessThan(1024 * 1024);
    // Whatever the static imports are, none of them leaves dist/: everything is in the bundle.
    for (const file of loaded.keys()) expect(file.startsWith(dirname(CLI))).toBe(true);
  });

  it("keeps the sandbox, doctor and HTTP transport out of the stdio start", () => {
    // File names relative to dist/: the checkout's own folder may be called anything.
    const names = [...staticallyLoaded(CLI).keys()].map((file) => relative(dirname(CLI), file)).join("\n");
    expect(names).not.toMatch(/sandbox|doctor|http-/);
    expect(readFileSync(CLI, "utf8")).toMatch(/import\("\.\/chunks\/http-[^"]+"\)/);
  });
});
