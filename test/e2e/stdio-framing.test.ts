import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, test } from "vitest";
import { MAX_MCP_MESSAGE_BYTES } from "../../src/transports/lifecycle.js";
import { DEMO, startSandbox, type FaultSpec, type Sandbox } from "../../src/sandbox/index.js";

/**
 * The stdio transport, byte by byte as a client writes it: a line that is not a JSON-RPC message
 * gets the JSON-RPC error it calls for and the session goes on; a 15 MB PDF fits in one
 * message; an oversize message is refused, not fatal; an answer finishing after stdin closed is
 * still written.
 */

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

interface Message {
  id?: number | string | null;
  result?: unknown;
  error?: { code: number; message: string };
}

interface Raw {
  child: ChildProcessWithoutNullStreams;
  messages: Message[];
  stderr: () => string;
  send(line: string): void;
  exited: Promise<number | null>;
  waitFor(check: (messages: Message[]) => boolean): Promise<void>;
}

const running: Raw[] = [];
afterEach(() => {
  for (const raw of running.splice(0)) raw.child.kill("SIGKILL");
});

async function rawServer(args: string[], env: Record<string, string> = {}, capabilities: Record<string, unknown> = {}): Promise<Raw> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const messages: Message[] = [];
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  createInterface({ input: child.stdout }).on("line", (line) => messages.push(JSON.parse(line) as Message));
  const raw: Raw = {
    child,
    messages,
    stderr: () => stderr,
    send: (line) => void child.stdin.write(line),
    exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
    async waitFor(check) {
      const deadline = Date.now() + 20_000;
      while (!check(messages)) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(messages).slice(0, 500)}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
  running.push(raw);
  raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: "init", method: "initialize", params: { protocolVersion: "2025-06-18", capabilities, clientInfo: { name: "raw", version: "1" } } })}\n`);
  await raw.waitFor((all) => all.some((message) => message.id === "init"));
  // Only capabilities the server delivers: list_changed for tools, prompts and resources when the
  // key's access changes, completions for their arguments, no MCP logging.
  expect((byId(messages, "init")[0]?.result as { capabilities?: unknown }).capabilities).toEqual({
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: { listChanged: true },
    completions: {},
  });
  raw.send(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  return raw;
}

const byId = (messages: Message[], id: number | string | null): Message[] => messages.filter((message) => message.id === id);

/** A tools/call as one stdio line. */
const toolCall = (id: number, name: string, args: Record<string, unknown>): string =>
  `${JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } })}\n`;
const sleep = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

/** The CLI (no --sandbox) against a sandbox of this process, optionally delaying one route. */
async function withSlowApi(fault: FaultSpec | undefined, body: (raw: Raw, sandbox: Sandbox) => Promise<void>, capabilities: Record<string, unknown> = {}): Promise<void> {
  const sandbox = await startSandbox();
  try {
    if (fault) sandbox.faults.inject(fault);
    await body(await rawServer([], { LEADPANTHER_API_KEY: DEMO.keys.directAll, LEADPANTHER_BASE_URL: sandbox.baseUrl }, capabilities), sandbox);
  } finally {
    await sandbox.close();
  }
}

describe("stdio framing", () => {
  test("a bad line is answered with its JSON-RPC error (id null when unreadable) and the session goes on", async () => {
    const raw = await rawServer(["--sandbox"]);
    raw.send("not json\n");
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list", params: null })}\n`);
    raw.send("[1,2]\n");
    raw.send("\n");
    // A request with an id but a bad method, and one whose id is unusable, are answered.
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: 4, method: 5 })}\n`);
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: true, method: "ping" })}\n`);
    // A malformed notification and a response to nothing get no answer, by JSON-RPC's rules;
    // a response nested deep enough to break JSON.stringify does not bring the server down.
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", method: 5 })}\n`);
    raw.send(`{"jsonrpc":"2.0","id":5,"error":{"code":1,"message":"x","data":${"[".repeat(5000)}${"]".repeat(5000)}}}\n`);
    // A request with a stray error member is still a request.
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: 11, method: "ping", error: null })}\n`);
    // Then a ping over CRLF.
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: 8, method: "ping" })}\r\n`);
    await raw.waitFor((all) => byId(all, 8).length === 1);
    const unreadable = byId(raw.messages, null);
    expect(unreadable.map((message) => message.error?.code)).toEqual([-32700, -32600, -32600]);
    expect(unreadable[1]?.error?.message).toContain("batches are not supported");
    expect(byId(raw.messages, 7)[0]?.error?.code).toBe(-32600);
    expect(byId(raw.messages, 4)[0]?.error?.code).toBe(-32600);
    expect(byId(raw.messages, 11)[0]?.error?.code).toBe(-32600);
    expect(byId(raw.messages, 8)[0]?.result).toEqual({});
    // init, -32700, -32600 (id 7), -32600 (batch), -32600 (id 4), -32600 (id true → null), -32600 (id 11), ping
    expect(raw.messages).toHaveLength(8);
    expect(raw.stderr()).toContain("refused a message on stdin");
  });

  test("a 14 MiB PDF as content_base64 (19 MiB on one line) is uploaded; a larger message is refused, not fatal", async () => {
    const raw = await rawServer(["--sandbox"]);
    const pdf = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(14 * 1024 * 1024, 0x41)]);
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "upload_media", arguments: { content_base64: pdf.toString("base64"), file_name: "deck.pdf" } } })}\n`);
    await raw.waitFor((all) => byId(all, 1).length === 1);
    const upload = byId(raw.messages, 1)[0]?.result as CallToolResult;
    expect(upload.isError, JSON.stringify(upload.content)).toBeFalsy();
    expect(upload.structuredContent).toMatchObject({ data: { content_type: "application/pdf", size: pdf.length } });

    // Written in pieces, as a pipe delivers it: the limit holds across chunks.
    // The id last, as the SDK's client writes requests ({ ...request, jsonrpc, id }).
    const oversize = `${JSON.stringify({ method: "ping", params: { _meta: { pad: "x".repeat(MAX_MCP_MESSAGE_BYTES) } }, jsonrpc: "2.0", id: 2 })}\n`;
    for (let start = 0; start < oversize.length; start += 4 * 1024 * 1024) raw.send(oversize.slice(start, start + 4 * 1024 * 1024));
    raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: 3, method: "ping" })}\n`);
    await raw.waitFor((all) => byId(all, 3).length === 1);
    // Answered with its own id (read from the line's end), so the client need not time out.
    const refused = byId(raw.messages, 2)[0];
    expect(refused?.error?.code).toBe(-32600);
    expect(refused?.error?.message).toContain(`larger than ${MAX_MCP_MESSAGE_BYTES.toLocaleString("en-US")} bytes`);
    expect(byId(raw.messages, null)).toEqual([]);
    expect(byId(raw.messages, 3)[0]?.result).toEqual({});
  });

  test("when stdin closes during a call, the call's answer is still written before the process exits 0", async () => {
    await withSlowApi({ method: "GET", path: "/posts", kind: "delay", ms: 800 }, async (raw) => {
      raw.send(toolCall(1, "list_posts", { limit: 2 }));
      await sleep(300);
      raw.child.stdin.end();
      expect(await raw.exited).toBe(0);
      const answer = byId(raw.messages, 1)[0]?.result as CallToolResult | undefined;
      expect(answer?.isError, JSON.stringify(answer)).toBeFalsy();
      expect((answer?.structuredContent as { data: unknown[] }).data).toHaveLength(2);
    });
  });

  test("when the client closes stdout, a write in flight still completes; the server exits 0 without a stack trace", async () => {
    await withSlowApi({ method: "POST", path: "/posts", kind: "delay", ms: 800 }, async (raw, sandbox) => {
      raw.send(toolCall(1, "create_post", { text: "written while the client left" }));
      await sleep(200);
      // The client dies: stdout and stderr close with it.
      raw.child.stdout.destroy();
      raw.child.stderr.destroy();
      raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" })}\n`);
      expect(await raw.exited).toBe(0);
      expect(sandbox.store.postsOf(DEMO.users.direct).filter((post) => post.text === "written while the client left")).toHaveLength(1);
    });
  });

  test("after SIGTERM a new call is refused unrun; a second SIGTERM exits at once (143)", async () => {
    await withSlowApi({ method: "GET", path: "/posts", kind: "delay", ms: 5_000 }, async (raw, sandbox) => {
      raw.send(toolCall(1, "list_posts", {}));
      await sleep(300);
      raw.child.kill("SIGTERM");
      await sleep(200);
      raw.send(toolCall(2, "create_post", { text: "sent after SIGTERM" }));
      await raw.waitFor((all) => byId(all, 2).length === 1);
      expect(byId(raw.messages, 2)[0]?.error?.message).toContain("shutting down: this request was not run");
      raw.child.kill("SIGTERM");
      expect(await raw.exited).toBe(143);
      expect(raw.stderr()).toContain("SIGTERM again");
      expect(sandbox.store.postsOf(DEMO.users.direct).filter((post) => post.text === "sent after SIGTERM")).toEqual([]);
    });
  });

  test("an MCP client's close (stdin ends, SIGTERM shortly after) lets a write in flight finish", async () => {
    await withSlowApi({ method: "POST", path: "/posts", kind: "delay", ms: 1_500 }, async (raw, sandbox) => {
      raw.send(toolCall(1, "create_post", { text: "finished after the client closed" }));
      await sleep(200);
      raw.child.stdin.end();
      await sleep(300);
      raw.child.kill("SIGTERM");
      expect(await raw.exited).toBe(0);
      expect(sandbox.store.postsOf(DEMO.users.direct).filter((post) => post.text === "finished after the client closed")).toHaveLength(1);
    });
  });

  test("during a shutdown, the person's answer to a delete confirmation is still read", async () => {
    await withSlowApi(
      undefined,
      async (raw, sandbox) => {
        const post = sandbox.store.postsOf(DEMO.users.direct).find((candidate) => candidate.status === "draft");
        raw.send(toolCall(1, "delete_post", { post_id: post?.id }));
        await raw.waitFor((all) => all.some((message) => (message as { method?: string }).method === "elicitation/create"));
        const prompt = raw.messages.find((message) => (message as { method?: string }).method === "elicitation/create") as Message;
        raw.child.kill("SIGTERM");
        await sleep(300);
        raw.send(`${JSON.stringify({ jsonrpc: "2.0", id: prompt.id, result: { action: "accept", content: { confirm: true } } })}\n`);
        await raw.waitFor((all) => byId(all, 1).length === 1);
        expect((byId(raw.messages, 1)[0]?.result as CallToolResult).isError, JSON.stringify(byId(raw.messages, 1))).toBeFalsy();
        expect(await raw.exited).toBe(0);
        expect(sandbox.store.postsOf(DEMO.users.direct).some((candidate) => candidate.id === post?.id)).toBe(false);
      },
      { elicitation: {} },
    );
  });
});
