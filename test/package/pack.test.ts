import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./paths.js";

const run = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

interface PackResult {
  filename: string;
  /** The tarball's size in bytes (compressed). */
  size: number;
  unpackedSize: number;
  files: { path: string; mode: number }[];
}

/** 0.32 MB packed and 1.04 MB unpacked when measured: the CLI bundle, its chunks and the view. */
const PACKED_BUDGET = 512 * 1024;
const UNPACKED_BUDGET = 1.5 * 1024 * 1024;

let workDir: string;
let packed: PackResult;
let appDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "leadpanther-mcp-pack-"));
  // dist/ is built by the global setup; --ignore-scripts skips prepack's second build.
  const { stdout } = await run(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", workDir], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  packed = (JSON.parse(stdout) as PackResult[])[0] as PackResult;

  appDir = join(workDir, "app");
  await mkdir(appDir);
  await writeFile(join(appDir, "package.json"), JSON.stringify({ name: "pack-check", version: "1.0.0", private: true }));
  const tarball = join(workDir, packed.filename);
  const install = (mode: string): Promise<unknown> =>
    run(npm, ["install", "--no-audit", "--no-fund", "--no-package-lock", mode, tarball], { cwd: appDir, maxBuffer: 16 * 1024 * 1024 });
  // The package has no dependencies, so nothing is fetched: --offline proves it.
  await install("--offline");
}, 240_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("npm package", () => {
  it("holds only what runs: the CLI bundle, its chunks and the app view, plus the README and the example", () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toContain("package.json");
    expect(paths).toContain("dist/cli.js");
    expect(paths).toContain("dist/app/board.html");
    expect(paths).toContain("mcp.json.example");
    const runtime = (path: string): boolean => path === "dist/cli.js" || path === "dist/app/board.html" || /^dist\/chunks\/[\w-]+\.js(\.LEGAL\.txt)?$/.test(path);
    expect(paths.filter((path) => !runtime(path) && !["package.json", "README.md", "LICENSE", "mcp.json.example"].includes(path))).toEqual([]);
    expect(paths.some((path) => path.endsWith(".ts"))).toBe(false);
  });

  it("stays under its size budget", () => {
    expect(packed.size).toBeLessThan(PACKED_BUDGET);
    expect(packed.unpackedSize).toBeLessThan(UNPACKED_BUDGET);
  });

  it("declares no run-time dependency: everything it runs is bundled", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies"]) expect(manifest[field], field).toBeUndefined();
    // Nothing imports the package as a library; tsc's unbundled output is not shipped.
    expect(manifest.main).toBeUndefined();
    expect(manifest.exports).toBeUndefined();
  });

  it("installs alone, with an executable bin that starts with a shebang", () => {
    // npx installs this: the package and nothing else.
    expect(readdirSync(join(appDir, "node_modules")).filter((name) => !name.startsWith("."))).toEqual(["leadpanther-mcp"]);
    const installed = join(appDir, "node_modules", "leadpanther-mcp");
    expect(readFileSync(join(installed, "dist", "cli.js"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(existsSync(join(appDir, "node_modules", ".bin", process.platform === "win32" ? "leadpanther-mcp.cmd" : "leadpanther-mcp"))).toBe(true);
    for (const dev of ["typescript", "vitest", "fast-check", "@types/node"]) {
      expect(existsSync(join(appDir, "node_modules", dev)), dev).toBe(false);
    }
  });

  it("runs the installed binary over stdio to a tools/list", { timeout: 60_000 }, async () => {
    const bin = join(appDir, "node_modules", ".bin", process.platform === "win32" ? "leadpanther-mcp.cmd" : "leadpanther-mcp");
    const transport = new StdioClientTransport({
      command: bin,
      args: ["--sandbox"],
      cwd: appDir,
      env: { PATH: process.env.PATH ?? "", LEADPANTHER_LOG_LEVEL: "warn" },
      stderr: "pipe",
    });
    const client = new Client({ name: "pack-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(20);
      const info = (await client.callTool({ name: "get_api_info", arguments: {} })) as CallToolResult;
      expect(info.isError).toBeFalsy();
      expect(client.getServerVersion()?.name).toBe("leadpanther-mcp");
    } finally {
      await client.close();
    }
  });
});
