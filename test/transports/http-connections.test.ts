/**
 * Connection bounds of the HTTP transport, over real sockets on 127.0.0.1: a flood of idle
 * connections that never show the token (some stuck in the middle of their headers) cannot
 * lock out a client with the token, such connections are closed after the configured time,
 * reaching the bound is logged once, and an authenticated keep-alive connection stays open.
 */
import { Agent, request as httpRequest } from "node:http";
import { connect as tcpConnect, type Socket } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { startRuntime, type Runtime } from "../../src/runtime.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { startHttpServer, type HttpServerHandle } from "../../src/transports/http.js";

const TOKEN = "bounds-token-0123456789-abcdefghij";
const MAX_CONNECTIONS = 32;
const IDLE_MS = 1_500;
const FLOOD = MAX_CONNECTIONS + 50;

let sandbox: Sandbox;
let runtime: Runtime;
let server: HttpServerHandle;
const logLines: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  runtime = await startRuntime(loadConfig([], { LEADPANTHER_API_KEY: DEMO.keys.directAll, LEADPANTHER_BASE_URL: sandbox.baseUrl, LEADPANTHER_LOG_LEVEL: "error" }));
  const logger = createLogger({ level: "warn", write: (line) => logLines.push(line) });
  server = await startHttpServer(
    { ...runtime.context, logger },
    { host: "127.0.0.1", port: 0, token: TOKEN, allowedOrigins: [], maxConnections: MAX_CONNECTIONS, unauthenticatedIdleMs: IDLE_MS },
  );
});

afterAll(async () => {
  await server?.close(1_000);
  await runtime?.close();
  await sandbox?.close();
});

interface IdleSocket {
  socket: Socket;
  openedAt: number;
  closedAt: number | undefined;
}

/** Opens a socket and waits until it is connected; every other one starts headers it never finishes. */
function openIdle(index: number): Promise<IdleSocket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(server.port, "127.0.0.1");
    const entry: IdleSocket = { socket, openedAt: 0, closedAt: undefined };
    socket.on("error", () => undefined);
    socket.once("close", () => {
      entry.closedAt = Date.now();
    });
    socket.once("connect", () => {
      entry.openedAt = Date.now();
      if (index % 2 === 1) socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nx-slow: `);
      resolve(entry);
    });
    socket.once("error", reject);
  });
}

describe("HTTP connection bounds", () => {
  it("a flood of idle unauthenticated connections does not stop an authenticated request, is closed in time, and is logged once", async () => {
    const flood: IdleSocket[] = [];
    for (let index = 0; index < FLOOD; index += 1) flood.push(await openIdle(index));

    // At the bound, each new connection closed the oldest idle one: at most the bound is open.
    await expect.poll(() => flood.filter((entry) => entry.closedAt === undefined).length, { timeout: 2_000 }).toBeLessThanOrEqual(MAX_CONNECTIONS);

    const client = new Client({ name: "bounds-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain("get_me");
    await client.close();

    // Every idle connection is gone within the configured time (plus Node's timer slack).
    await expect.poll(() => flood.every((entry) => entry.closedAt !== undefined), { timeout: IDLE_MS + 3_000, interval: 100 }).toBe(true);
    for (const entry of flood) expect((entry.closedAt ?? Infinity) - entry.openedAt).toBeLessThan(IDLE_MS + 2_000);
    // The last ones to open were not evicted: the idle deadline closed them, not earlier.
    const last = flood[flood.length - 1] as IdleSocket;
    expect((last.closedAt ?? 0) - last.openedAt).toBeGreaterThanOrEqual(IDLE_MS - 100);

    const warnings = logLines.filter((line) => line.includes("HTTP connection bound reached"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ WARN HTTP connection bound reached: closing the oldest idle connections that sent no authenticated request\. Raise LEADPANTHER_HTTP_MAX_CONNECTIONS/);
    expect(warnings[0]).toContain(`"max_connections":${MAX_CONNECTIONS}`);
  });

  it("an authenticated keep-alive connection outlives the unauthenticated deadline", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ping = (): Promise<{ status: number; reused: boolean }> =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port: server.port,
            method: "POST",
            path: "/mcp",
            agent,
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    try {
      expect(await ping()).toEqual({ status: 200, reused: false });
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 700));
      expect(await ping()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });
});
