import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, test } from "vitest";
import { CATALOG } from "../../src/catalog.js";
import { DEMO, startSandbox } from "../../src/sandbox/index.js";
import { holdListResultsToTheFullSchema } from "../fixtures/stack.js";

/** The shipped CLI, spawned over stdio exactly as an MCP client (Claude Desktop, an IDE) runs it. */

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.();
});

async function spawnServer(args: string[], env: Record<string, string>): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...args],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: "stdio-e2e", version: "1.0.0" });
  holdListResultsToTheFullSchema(client);
  await client.connect(transport);
  open.push(() => client.close());
  return { client, stderr: () => stderr };
}

function text(result: unknown): string {
  return (result as CallToolResult).content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

describe("stdio", () => {
  test("--sandbox needs no key: 20 tools, a draft post, the activity feed; stderr holds no key", async () => {
    const { client, stderr } = await spawnServer(["--sandbox"], {});
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(CATALOG.map((op) => op.name));
    const created = (await client.callTool({ name: "create_post", arguments: { text: "Drafted over stdio" } })) as CallToolResult;
    expect(created.isError).toBeFalsy();
    expect((created.structuredContent as { data: { status: string } }).data.status).toBe("draft");
    const activity = (await client.callTool({ name: "list_activity", arguments: { limit: 3 } })) as CallToolResult;
    expect(activity.isError).toBeFalsy();
    expect(stderr()).toContain("sandbox started");
    expect(stderr()).not.toContain(DEMO.keys.directAll);
  });

  test("against a separate sandbox with a real key setting; the request log shows the calls", async () => {
    const sandbox = await startSandbox();
    open.push(() => sandbox.close());
    const { client, stderr } = await spawnServer([], { LEADPANTHER_API_KEY: DEMO.keys.agency, LEADPANTHER_BASE_URL: sandbox.baseUrl, LEADPANTHER_LOG_LEVEL: "debug" });
    const result = await client.callTool({ name: "list_posts", arguments: { client_id: DEMO.clients.full, limit: 2 } });
    expect((result as CallToolResult).isError).toBeFalsy();
    expect(sandbox.requests().map((entry) => `${entry.method} ${entry.path}`)).toContain(`GET /clients/${DEMO.clients.full}/posts`);
    expect(stderr()).toContain("LeadPanther call");
    expect(stderr()).not.toContain(DEMO.keys.agency);
    expect(stderr()).not.toContain(DEMO.clients.full);
  });

  test("no key and no --sandbox: it starts, get_me explains, stderr says the same", async () => {
    const { client, stderr } = await spawnServer([], {});
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["get_api_info", "get_me"]);
    expect(text(await client.callTool({ name: "get_me", arguments: {} }))).toContain("No API key is set");
    expect(stderr()).toContain("No API key is set");
  });

  test("a malformed setting stops start-up with a message naming it, and nothing on stdout", () => {
    const run = spawnSync(process.execPath, [CLI, "--timeout-ms", "soon"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" }, input: "" });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain('--timeout-ms: "soon" is not a whole number');
  });

  test("a refusal does not echo a secret pasted into another setting", () => {
    // Shapes the scrubber would not recognise without the configured values: no lp_ prefix, mixed case.
    const secretsByName = {
      LEADPANTHER_API_KEY: "KeyWithoutPrefix0123456789abcdef",
      LEADPANTHER_MCP_TOKEN: "TokenForTheHttpTransport0123456789",
      LEADPANTHER_CONFIRM_SECRET: "ConfirmSecretSharedByInstances0123",
    };
    const refusals: Array<{ args: string[]; env: Record<string, string>; names: string }> = [
      { args: [], env: { LEADPANTHER_CLIENT_ID: secretsByName.LEADPANTHER_API_KEY }, names: "LEADPANTHER_CLIENT_ID" },
      { args: ["--toolsets", secretsByName.LEADPANTHER_MCP_TOKEN], env: {}, names: "--toolsets" },
      { args: ["--allowed-origins", secretsByName.LEADPANTHER_CONFIRM_SECRET], env: {}, names: "--allowed-origins" },
    ];
    for (const refusal of refusals) {
      const run = spawnSync(process.execPath, [CLI, ...refusal.args], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", ...secretsByName, ...refusal.env },
        input: "",
      });
      expect(run.status).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(`${refusal.names}: `);
      expect(run.stderr).toContain("[REDACTED]");
      for (const secret of Object.values(secretsByName)) {
        expect(run.stderr).not.toContain(secret);
        expect(run.stderr.toLowerCase()).not.toContain(secret.toLowerCase());
      }
    }
  });

  test("SIGTERM lets a write in progress finish and answer, then exits 0", async () => {
    const sandbox = await startSandbox();
    open.push(() => sandbox.close());
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "delay", ms: 800 });
    const child = spawn(process.execPath, [CLI], {
      env: { PATH: process.env.PATH ?? "", LEADPANTHER_API_KEY: DEMO.keys.directAll, LEADPANTHER_BASE_URL: sandbox.baseUrl },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const responses = new Map<number, unknown>();
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const message = JSON.parse(line) as { id?: number };
      if (typeof message.id === "number") responses.set(message.id, message);
    });
    const send = (message: unknown): void => {
      child.stdin.write(`${JSON.stringify(message)}\n`);
    };
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    await waitUntil(() => responses.has(1));
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "create_post", arguments: { text: "finished during shutdown" } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const answer = responses.get(2) as { result?: CallToolResult } | undefined;
    expect(answer?.result?.isError).toBeFalsy();
    expect(sandbox.store.postsOf(DEMO.users.direct).filter((post) => post.text === "finished during shutdown")).toHaveLength(1);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
