import { readFileSync } from "node:fs";

/**
 * The server's name and version, as MCP clients and `--version` see them. package.json's
 * "version" is the one truth: the bundle gets it as a constant at build time (no file read at
 * start-up); unbundled code (tests, the tsc output) reads it from package.json beside src/ or dist/.
 */
declare const __LEADPANTHER_VERSION__: string | undefined;

export const SERVER_NAME = "leadpanther-mcp";

export const SERVER_VERSION: string =
  typeof __LEADPANTHER_VERSION__ === "string" ? __LEADPANTHER_VERSION__ : packageVersion();

function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const version = (manifest as { version?: unknown }).version;
  if (typeof version !== "string") throw new Error("package.json has no version");
  return version;
}
