import { execFile } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { inflateRawSync } from "node:zlib";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./paths.js";

const run = promisify(execFile);

/** 0.32 MB when measured: the CLI bundle and chunks, the view and the manifest, deflated. */
const MCPB_BUDGET = 512 * 1024;

interface Entry {
  name: string;
  mode: number;
  data: Buffer;
}

/** Reads a zip through its central directory, as the MCPB installer does. */
function unzip(archive: Buffer): Entry[] {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end, "end of central directory").toBeGreaterThanOrEqual(0);
  const entries: Entry[] = [];
  let at = archive.readUInt32LE(end + 16);
  for (let index = 0; index < archive.readUInt16LE(end + 10); index += 1) {
    expect(archive.readUInt32LE(at)).toBe(0x02014b50);
    const method = archive.readUInt16LE(at + 10);
    const compressedSize = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const mode = archive.readUInt32LE(at + 38) >>> 16;
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString("utf8", at + 46, at + 46 + nameLength);
    const dataStart = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(dataStart, dataStart + compressedSize);
    entries.push({ name, mode, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

let workDir: string;
let archive: Buffer;
let entries: Entry[];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "leadpanther-mcp-mcpb-"));
  const out = join(workDir, "leadpanther-mcp.mcpb");
  // dist/ is built by the global setup.
  await run(process.execPath, [join(ROOT, "scripts", "mcpb.mjs"), out], { cwd: ROOT });
  archive = readFileSync(out);
  entries = unzip(archive);
}, 60_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("the .mcpb bundle", () => {
  it("holds the manifest at its root, the CLI bundle, its chunks and the view, and nothing else", () => {
    const names = entries.map((entry) => entry.name);
    expect(names.slice(0, 2)).toEqual(["manifest.json", "package.json"]);
    expect(names).toContain("dist/cli.js");
    expect(names).toContain("dist/app/board.html");
    expect(names.filter((name) => !["manifest.json", "package.json", "dist/cli.js", "dist/app/board.html"].includes(name) && !/^dist\/chunks\/[\w-]+\.js(\.LEGAL\.txt)?$/.test(name))).toEqual([]);
    expect(names.some((name) => name.includes("node_modules"))).toBe(false);
    // Every chunk the build made is there: the CLI imports them by name.
    const built = readFileSync(join(ROOT, "dist", "cli.js"), "utf8").match(/chunks\/[\w-]+\.js/g) ?? [];
    for (const chunk of built) expect(names).toContain(`dist/${chunk}`);
  });

  it("carries the checkout's manifest and marks the bundle as ES modules", () => {
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    expect(byName.get("manifest.json")?.data.equals(readFileSync(join(ROOT, "manifest.json")))).toBe(true);
    expect(JSON.parse(byName.get("package.json")?.data.toString("utf8") ?? "{}")).toMatchObject({ type: "module" });
    expect(byName.get("dist/cli.js")?.data.equals(readFileSync(join(ROOT, "dist", "cli.js")))).toBe(true);
    expect((byName.get("dist/cli.js")?.mode ?? 0) & 0o111).not.toBe(0);
  });

  it("stays under its size budget", () => {
    expect(archive.length).toBeLessThan(MCPB_BUDGET);
  });

  it("runs from its unpacked files alone, as Claude Desktop starts it", { timeout: 60_000 }, async () => {
    const unpacked = join(workDir, "unpacked");
    for (const entry of entries) {
      const path = join(unpacked, entry.name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, entry.data);
      chmodSync(path, entry.mode & 0o777);
    }
    const manifest = JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8")) as { server: { mcp_config: { command: string; args: string[] } } };
    const args = manifest.server.mcp_config.args.map((arg) => arg.replace("${__dirname}", unpacked));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...args, "--sandbox"],
      cwd: unpacked,
      env: { PATH: process.env.PATH ?? "", LEADPANTHER_LOG_LEVEL: "warn" },
      stderr: "pipe",
    });
    const client = new Client({ name: "mcpb-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain("list_posts");
      const info = await client.callTool({ name: "get_api_info", arguments: {} });
      expect(info.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});
