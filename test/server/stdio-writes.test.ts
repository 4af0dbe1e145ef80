import { PassThrough, Writable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadConfig } from "../../src/config.js";
import { startRuntime, type Runtime } from "../../src/runtime.js";
import { createMcpServer } from "../../src/server.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { StdioTransport } from "../../src/transports/stdio.js";
import { MAX_MCP_MESSAGE_BYTES } from "../../src/transports/lifecycle.js";
import { waitFor } from "../fixtures/stack.js";

/**
 * The server's own stdio transport, in process, over streams that record each write: a detailed
 * list goes out as the rest of the message and the items' JSON written once (pieces, one line),
 * and what the client reads is the same result the API's records make.
 */

/** Each write the server made on "stdout", in order, as text. */
const writes: string[] = [];
let sandbox: Sandbox;
let runtime: Runtime;
let client: Client;

/** The client's end: lines to the server's stdin, and the server's stdout read back as messages. */
class PipeClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly readBuffer = new ReadBuffer();
  constructor(private readonly stdin: PassThrough) {}
  async start(): Promise<void> {}
  receive(chunk: string): void {
    this.readBuffer.append(Buffer.from(chunk, "utf8"));
    for (let message = this.readBuffer.readMessage(); message !== null; message = this.readBuffer.readMessage()) this.onmessage?.(message);
  }
  async send(message: JSONRPCMessage): Promise<void> {
    this.stdin.write(serializeMessage(message));
  }
  async close(): Promise<void> {
    this.onclose?.();
  }
}

beforeAll(async () => {
  sandbox = await startSandbox();
  runtime = await startRuntime(loadConfig([], { LEADPANTHER_BASE_URL: sandbox.baseUrl, LEADPANTHER_API_KEY: DEMO.keys.directAll, LEADPANTHER_LOG_LEVEL: "error" }));
  const stdin = new PassThrough();
  const clientEnd = new PipeClientTransport(stdin);
  const stdout = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
      writes.push(text);
      clientEnd.receive(text);
      callback();
    },
  });
  const mcp = createMcpServer(runtime.context, { followAccess: true });
  await mcp.connect(new StdioTransport(MAX_MCP_MESSAGE_BYTES, stdin, stdout));
  client = new Client({ name: "stdio-writes", version: "1.0.0" });
  await client.connect(clientEnd);
  await waitFor(async () => (await client.listTools()).tools.some((tool) => tool.name === "list_posts"));
});
afterAll(async () => {
  await client.close();
  await runtime.close();
  await sandbox.close();
});

async function writesOfOneCall(args: Record<string, unknown>): Promise<{ result: CallToolResult; pieces: string[] }> {
  const before = writes.length;
  const result = (await client.callTool({ name: "list_posts", arguments: args })) as CallToolResult;
  return { result, pieces: writes.slice(before) };
}

test("a detailed list goes out as the message around its items and the items' JSON, on one line, and reads back as the API's records", async () => {
  const { result, pieces } = await writesOfOneCall({ limit: 20, response_format: "detailed" });
  const raw = (await (await fetch(`${sandbox.baseUrl}/posts?limit=20`, { headers: { authorization: `Bearer ${DEMO.keys.directAll}` } })).json()) as { data: unknown[] };
  expect(pieces).toHaveLength(4);
  expect(pieces[1]).toBe(JSON.stringify(raw.data));
  expect(pieces[3]).toBe("\n");
  expect(pieces.slice(0, 3).join("")).not.toContain("\n");
  const line = JSON.parse(pieces.join("")) as { result: CallToolResult };
  expect(pieces.join("")).toBe(`${JSON.stringify(line)}\n`);
  expect((result.structuredContent as { data: unknown[] }).data).toEqual(raw.data);
  expect(line.result.structuredContent).toEqual(result.structuredContent);
});

test("a concise list is one piece and the line's end", async () => {
  const { result, pieces } = await writesOfOneCall({ limit: 20 });
  expect(pieces).toHaveLength(2);
  expect(pieces[1]).toBe("\n");
  expect((JSON.parse(pieces[0] ?? "") as { result: CallToolResult }).result).toEqual(result);
});
