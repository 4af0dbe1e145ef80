import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult, ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";

/**
 * Issue 12 over stdio: the shipped CLI spawned as an MCP client runs it, against a sandbox in
 * this process whose faults and request log prove what reached LeadPanther and how often.
 */

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
let sandbox: Sandbox;
const open: Array<() => Promise<void>> = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());
afterEach(async () => {
  while (open.length > 0) await open.pop()?.();
});

interface Spawned {
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  stderr(): string;
  client: Client;
}

async function spawnServer(
  env: Record<string, string> = {},
  options: { key?: string; capabilities?: ClientCapabilities; prepare?: (client: Client) => void } = {},
): Promise<Spawned> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: {
      PATH: process.env.PATH ?? "",
      LEADPANTHER_API_KEY: options.key ?? DEMO.keys.directAll,
      LEADPANTHER_BASE_URL: sandbox.baseUrl,
      LEADPANTHER_LOG_LEVEL: "warn",
      ...env,
    },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: "writes-e2e", version: "1.0.0" }, { capabilities: options.capabilities ?? {} });
  options.prepare?.(client);
  await client.connect(transport);
  open.push(() => client.close());
  // The tool list follows GET /me; wait until the write tools are there.
  const deadline = Date.now() + 10_000;
  while (!(await client.listTools()).tools.some((tool) => tool.name === "list_posts") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    client,
    stderr: () => stderr,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
  };
}

function text(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

function writes(method: string, path: string | RegExp): Array<{ body?: string; status: number | null }> {
  return sandbox.requests().filter((entry) => entry.method === method && (typeof path === "string" ? entry.path === path : path.test(entry.path)));
}

function nonReads(): string[] {
  return sandbox.requests().filter((entry) => entry.method !== "GET").map((entry) => `${entry.method} ${entry.path}`);
}

const DAY = 24 * 60 * 60_000;
/** A future instant on a whole minute, days ahead, as UTC ISO with milliseconds. */
function future(days: number, hourUtc = 8): Date {
  const date = new Date(Date.now() + days * DAY);
  date.setUTCHours(hourUtc, 0, 0, 0);
  return date;
}

async function createDraft(server: Spawned, body: string): Promise<string> {
  const created = await server.call("create_post", { text: body });
  expect(created.isError, text(created)).toBeFalsy();
  return String((created.structuredContent as { created: { id: string } }).created.id);
}

describe("write results say what happened", () => {
  test("create_post: id, status and time in both channels", async () => {
    const server = await spawnServer();
    const at = future(3);
    const result = await server.call("create_post", { text: "Launch notes for the spring release", scheduled_at: at.toISOString() });
    expect(result.isError, text(result)).toBeFalsy();
    const structured = result.structuredContent as { outcome: string; created: { id: string; status: string; scheduled_for: string } };
    expect(structured.outcome).toBe("applied");
    expect(structured.created.status).toBe("scheduled");
    expect(structured.created.scheduled_for).toContain(`${at.toISOString().slice(0, 10)} 08:00 UTC`);
    expect(text(result)).toContain(`create_post: created post ${structured.created.id} (scheduled, scheduled for ${structured.created.scheduled_for})`);
  });

  test("update_post: each changed field old → new, times in UTC and in the caller's zone", async () => {
    const server = await spawnServer();
    const id = await createDraft(server, "Quarterly roadmap thoughts");
    const at = future(5, 9);
    const local = at.toISOString().slice(0, 16).replace(/T/, "T");
    const result = await server.call("update_post", { post_id: id, text: "Quarterly roadmap, revised", scheduled_at: local, time_zone: "UTC" });
    expect(result.isError, text(result)).toBeFalsy();
    const structured = result.structuredContent as { changes: Array<{ field: string; from: unknown; to: unknown }> };
    expect(structured.changes).toEqual([
      { field: "text", from: "Quarterly roadmap thoughts", to: "Quarterly roadmap, revised" },
      { field: "scheduled_at", from: null, to: at.toISOString() },
    ]);
    expect(text(result)).toContain(`- text: "Quarterly roadmap thoughts" → "Quarterly roadmap, revised"`);
    expect(text(result)).toContain(`- scheduled_at: (none) → ${at.toISOString().slice(0, 10)} 09:00 UTC`);
    // Sent once, in UTC with milliseconds.
    const patches = writes("PATCH", `/posts/${id}`);
    expect(patches).toHaveLength(1);
    expect(JSON.parse(patches[0]!.body!)).toEqual({ text: "Quarterly roadmap, revised", scheduled_at: at.toISOString() });
  });

  test("delete_post says what was removed; agency results name the client", async () => {
    const server = await spawnServer({ LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" });
    const id = await createDraft(server, "A draft about onboarding emails");
    const result = await server.call("delete_post", { post_id: id });
    expect(text(result)).toContain(`delete_post: done. Removed: Post ${id} (draft): "A draft about onboarding emails".`);
    const agency = await spawnServer({}, { key: DEMO.keys.agency });
    const created = await agency.call("create_post", { client_id: DEMO.clients.full, text: "Client post" });
    const client = (created.structuredContent as { client: { id: string; name: string } }).client;
    expect(client.id).toBe(DEMO.clients.full);
    expect(client.name).toMatch(/\S/);
    expect(text(created)).toContain(`client: ${client.name} (${DEMO.clients.full})`);
  });
});
