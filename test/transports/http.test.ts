import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { startRuntime, type Runtime } from "../../src/runtime.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { hostAllowed, MAX_BODY_BYTES, startHttpServer, type HttpServerHandle } from "../../src/transports/http.js";
import { CLI, ROOT } from "../package/paths.js";
import { holdListResultsToTheFullSchema } from "../fixtures/stack.js";

const TOKEN = "test-token-0123456789-abcdefghij";
const ALLOWED_ORIGIN = "https://assistant.example.com";
const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

let sandbox: Sandbox;
let runtime: Runtime;
let server: HttpServerHandle;

beforeAll(async () => {
  sandbox = await startSandbox();
  const config = loadConfig([], {
    LEADPANTHER_API_KEY: DEMO.keys.directAll,
    LEADPANTHER_BASE_URL: sandbox.baseUrl,
    LEADPANTHER_LOG_LEVEL: "error",
  });
  runtime = await startRuntime(config);
  server = await startHttpServer(runtime.context, { host: "127.0.0.1", port: 0, token: TOKEN, allowedOrigins: [ALLOWED_ORIGIN] });
});

afterAll(async () => {
  await server?.close(1_000);
  await runtime?.close();
  await sandbox?.close();
});

/** `null`: no Authorization header. */
async function connect(url: string, token: string | null = TOKEN): Promise<Client> {
  const client = new Client({ name: "http-test", version: "1.0.0" });
  holdListResultsToTheFullSchema(client);
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, not fetch: fetch refuses to set Host. */
function raw(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        // An empty string removes a default header.
        headers: Object.fromEntries(
          Object.entries({
            accept: "application/json, text/event-stream",
            "content-type": "application/json",
            authorization: `Bearer ${TOKEN}`,
            ...options.headers,
          }).filter(([, value]) => value !== ""),
        ),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

function jsonRpcErrorCode(body: string): number | undefined {
  const parsed = JSON.parse(body) as { jsonrpc?: string; error?: { code?: number } };
  expect(parsed.jsonrpc).toBe("2.0");
  return parsed.error?.code;
}

describe("Streamable HTTP transport", () => {
  it("lists every tool for a * key and runs a call", async () => {
    const client = await connect(server.url);
    try {
      // Stateless: no session to notify, so no list_changed; and no MCP log messages.
      expect(client.getServerCapabilities()).toEqual({
        tools: { listChanged: false },
        prompts: { listChanged: false },
        resources: { listChanged: false },
        completions: {},
      });
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(20);
      const result = (await client.callTool({ name: "list_posts", arguments: { limit: 2 } })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      const structured = result.structuredContent as { data: unknown[] };
      expect(structured.data).toHaveLength(2);
    } finally {
      await client.close();
    }
  });

  it("refuses a missing or wrong token with 401 and WWW-Authenticate", async () => {
    const missing = await raw("POST", "/mcp", { headers: { authorization: "" }, body: JSON.stringify(INITIALIZE) });
    expect(missing.status).toBe(401);
    expect(String(missing.headers["www-authenticate"])).toMatch(/^Bearer /);
    expect(jsonRpcErrorCode(missing.body)).toBe(-32000);

    const wrong = await raw("POST", "/mcp", { headers: { authorization: `Bearer ${TOKEN}x` }, body: JSON.stringify(INITIALIZE) });
    expect(wrong.status).toBe(401);
    expect(String(wrong.headers["www-authenticate"])).toContain('error="invalid_token"');

    const basic = await raw("POST", "/mcp", { headers: { authorization: `Basic ${TOKEN}` }, body: JSON.stringify(INITIALIZE) });
    expect(basic.status).toBe(401);

    await expect(connect(server.url, null)).rejects.toThrow(/401|nauthorized/);
    await expect(connect(server.url, "not-the-token-but-long-enough-0000")).rejects.toThrow(/401|nauthorized/);
  });

  it("refuses a foreign Origin with 403 and accepts loopback and allowed origins", async () => {
    const foreign = await raw("POST", "/mcp", { headers: { origin: "https://evil.example" }, body: JSON.stringify(INITIALIZE) });
    expect(foreign.status).toBe(403);
    expect(jsonRpcErrorCode(foreign.body)).toBe(-32000);
    const opaque = await raw("POST", "/mcp", { headers: { origin: "null" }, body: JSON.stringify(INITIALIZE) });
    expect(opaque.status).toBe(403);

    const loopback = await raw("POST", "/mcp", { headers: { origin: "http://localhost:6274" }, body: JSON.stringify(INITIALIZE) });
    expect(loopback.status).toBe(200);
    const allowed = await raw("POST", "/mcp", { headers: { origin: ALLOWED_ORIGIN }, body: JSON.stringify(INITIALIZE) });
    expect(allowed.status).toBe(200);
    expect(allowed.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);
    // A preflight carries no token; it is answered only for an allowed origin.
    const preflight = await raw("OPTIONS", "/mcp", { headers: { origin: ALLOWED_ORIGIN, authorization: "" } });
    expect(preflight.status).toBe(204);
    expect(String(preflight.headers["access-control-allow-headers"])).toContain("authorization");
  });

  it("without a token, a page on another local port is refused; this server's own origin is not", async () => {
    const open = await startHttpServer(runtime.context, { host: "127.0.0.1", port: 0, allowedOrigins: [] });
    try {
      const post = (origin: string): Promise<Response> =>
        fetch(`${open.url}`, {
          method: "POST",
          headers: { origin, "content-type": "application/json", accept: "application/json, text/event-stream" },
          body: JSON.stringify(INITIALIZE),
        });
      expect((await post("http://localhost:6274")).status).toBe(403);
      expect((await post(`http://127.0.0.1:${open.port}`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it("refuses a JSON-RPC batch with -32600 before any tool runs", async () => {
    const batch = await raw("POST", "/mcp", { body: JSON.stringify([INITIALIZE, INITIALIZE]) });
    expect(batch.status).toBe(400);
    expect(jsonRpcErrorCode(batch.body)).toBe(-32600);
  });

  it("refuses a Host that is not this server (DNS rebinding) with 403", async () => {
    const port = server.port;
    const rebound = await raw("POST", "/mcp", { headers: { host: `attacker.example:${port}` }, body: JSON.stringify(INITIALIZE) });
    expect(rebound.status).toBe(403);
    const otherPort = await raw("POST", "/mcp", { headers: { host: `127.0.0.1:${port + 1}` }, body: JSON.stringify(INITIALIZE) });
    expect(otherPort.status).toBe(403);
    const localhost = await raw("POST", "/mcp", { headers: { host: `localhost:${port}` }, body: JSON.stringify(INITIALIZE) });
    expect(localhost.status).toBe(200);
    // The host of an allowed origin (a load balancer's public name) is accepted.
    const publicName = await raw("POST", "/mcp", { headers: { host: "assistant.example.com" }, body: JSON.stringify(INITIALIZE) });
    expect(publicName.status).toBe(200);
  });

  it("checks Host values without a request", () => {
    const bound = { boundHost: "127.0.0.1", port: 3333, originHostnames: new Set<string>() };
    expect(hostAllowed("127.0.0.1:3333", bound)).toBe(true);
    expect(hostAllowed("[::1]:3333", bound)).toBe(true);
    expect(hostAllowed("LOCALHOST:3333", bound)).toBe(true);
    expect(hostAllowed("localhost", bound)).toBe(false);
    expect(hostAllowed(undefined, bound)).toBe(false);
    expect(hostAllowed("", bound)).toBe(false);
    expect(hostAllowed("user@127.0.0.1:3333", bound)).toBe(false);
    expect(hostAllowed("127.0.0.1:3333/x", bound)).toBe(false);
    expect(hostAllowed("10.0.0.5:3333", { ...bound, boundHost: "10.0.0.5" })).toBe(true);
    expect(hostAllowed("0.0.0.0:3333", { ...bound, boundHost: "0.0.0.0" })).toBe(false);
    const wildcard = { ...bound, boundHost: "0.0.0.0", interfaceAddresses: new Set(["10.0.0.5", "[fe80::1]"]) };
    expect(hostAllowed("10.0.0.5:3333", wildcard)).toBe(true);
    expect(hostAllowed("[fe80::1]:3333", wildcard)).toBe(true);
    expect(hostAllowed("10.0.0.6:3333", wildcard)).toBe(false);
    expect(hostAllowed("10.0.0.5:3334", wildcard)).toBe(false);
    expect(hostAllowed("mcp.internal.example", { ...wildcard, originHostnames: new Set(["mcp.internal.example"]) })).toBe(true);
  });

  it("answers malformed JSON with a JSON-RPC parse error and keeps serving", async () => {
    const broken = await raw("POST", "/mcp", { body: '{"jsonrpc":"2.0","id":1,"method":' });
    expect(broken.status).toBe(400);
    expect(jsonRpcErrorCode(broken.body)).toBe(-32700);

    const notJsonRpc = await raw("POST", "/mcp", { body: JSON.stringify({ hello: "world" }) });
    expect(notJsonRpc.status).toBe(400);
    expect(jsonRpcErrorCode(notJsonRpc.body)).toBe(-32700);

    const binary = await raw("POST", "/mcp", { body: Buffer.from([0xff, 0xfe, 0x00, 0x01]) });
    expect(binary.status).toBe(400);

    const health = await raw("GET", "/healthz", { headers: { authorization: "" } });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ ok: true });
    const client = await connect(server.url);
    expect((await client.listTools()).tools).toHaveLength(20);
    await client.close();
  });

  it("limits the body size (413) and answers GET/DELETE on /mcp with 405", async () => {
    const big = JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, padding: "x".repeat(MAX_BODY_BYTES) } });
    const tooLarge = await raw("POST", "/mcp", { body: big });
    expect(tooLarge.status).toBe(413);
    expect(jsonRpcErrorCode(tooLarge.body)).toBe(-32000);

    for (const method of ["GET", "DELETE"]) {
      const answer = await raw(method, "/mcp");
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe("POST");
      expect(jsonRpcErrorCode(answer.body)).toBe(-32000);
    }
    const elsewhere = await raw("POST", "/other", { body: JSON.stringify(INITIALIZE) });
    expect(elsewhere.status).toBe(404);
  });

  it("answers request headers over Node's limit with 431 naming the headers, and keeps serving", async () => {
    const oversized = await raw("POST", "/mcp", { headers: { "x-padding": "a".repeat(70_000) }, body: JSON.stringify(INITIALIZE) });
    expect(oversized.status).toBe(431);
    expect(jsonRpcErrorCode(oversized.body)).toBe(-32000);
    expect(JSON.parse(oversized.body).error.message).toMatch(/^Request headers too large/);
    const client = await connect(server.url);
    expect((await client.listTools()).tools).toHaveLength(20);
    await client.close();
  });

  it("follows a change of the key's access on the next request (no stale server is reused)", async () => {
    const client = await connect(server.url);
    try {
      for (let round = 0; round < 3; round += 1) expect((await client.listTools()).tools).toHaveLength(20);
      sandbox.keys.setScopes(DEMO.keys.directAll, ["posts:read"]);
      await runtime.context.access.refresh("test");
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["get_api_info", "get_me", "list_posts", "get_post"]);
      const refused = (await client.callTool({ name: "list_leads", arguments: {} })) as CallToolResult;
      expect(refused.isError).toBe(true);
    } finally {
      sandbox.keys.setScopes(DEMO.keys.directAll, ["*"]);
      await runtime.context.access.refresh("test");
    }
    expect((await client.listTools()).tools).toHaveLength(20);
    await client.close();
  });

  it("keeps nothing of one client's initialize for the requests of another", async () => {
    const post = sandbox.store.postsOf(DEMO.users.direct).find((item) => item.status === "draft");
    expect(post).toBeDefined();
    const headers = { "mcp-protocol-version": "2025-06-18" };
    const init = await raw("POST", "/mcp", {
      body: JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: { elicitation: {} } } }),
    });
    expect(init.status).toBe(200);
    // A server that remembered the elicitation capability would ask for a confirmation this
    // stateless request cannot carry; without it the call runs on the tool's annotations.
    const call = await raw("POST", "/mcp", {
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "delete_post", arguments: { post_id: post?.id } } }),
    });
    expect(call.status).toBe(200);
    const answer = JSON.parse(call.body) as { result: CallToolResult };
    expect(answer.result.isError).toBeFalsy();
  });

  it("never takes the LeadPanther key from a request", async () => {
    const client = new Client({ name: "http-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}`, "x-api-key": DEMO.keys.directPostsRead, "x-leadpanther-api-key": DEMO.keys.directPostsRead } },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(20);
    const result = (await client.callTool({ name: "list_leads", arguments: { limit: 1 } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    await client.close();
  });
});

interface CliServer {
  proc: ChildProcess;
  url: string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** The built CLI with --http on a free loopback port; its URL is read from the info log line on stderr. */
async function startCli(sbx: Sandbox): Promise<CliServer> {
  const proc = spawn(process.execPath, [CLI, "--http", "--port", "0"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      LEADPANTHER_API_KEY: DEMO.keys.directAll,
      LEADPANTHER_BASE_URL: sbx.baseUrl,
      LEADPANTHER_LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL on stderr:\n${stderr}`)), 20_000);
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+\/mcp)"/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    proc.once("exit", () => reject(new Error(`the CLI exited early:\n${stderr}`)));
  });
  return { proc, url, stderr: () => stderr, exited };
}

/** Resident set size of another process in bytes: the kernel's peak (VmHWM) on Linux, else the current value. */
function rssOf(pid: number): { current: number; peak: number | undefined } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string): number | undefined => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
      return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
    };
    return { current: kb("VmRSS") ?? 0, peak: kb("VmHWM") };
  } catch {
    const out = execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" });
    return { current: Number(out.trim()) * 1024, peak: undefined };
  }
}

describe("the built CLI with --http", () => {
  let cliSandbox: Sandbox | undefined;
  const started: ChildProcess[] = [];

  beforeAll(async () => {
    cliSandbox = await startSandbox();
  });

  afterAll(async () => {
    for (const proc of started) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await cliSandbox?.close();
  });

  it("serves 50 concurrent clients × 20 calls with zero errors and its RSS stays under 200 MB", { timeout: 120_000 }, async () => {
    const cli = await startCli(cliSandbox as Sandbox);
    started.push(cli.proc);
    const pid = cli.proc.pid as number;
    const clients = 50;
    const callsEach = 20;
    let sampledPeak = rssOf(pid).current;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, rssOf(pid).current);
    }, 20);
    const errors: string[] = [];
    const startedAt = Date.now();
    try {
      await Promise.all(
        Array.from({ length: clients }, async (_, index) => {
          let client: Client | undefined;
          try {
            client = await connect(cli.url, null);
            for (let call = 0; call < callsEach; call += 1) {
              const result = (await client.callTool({
                name: call % 2 === 0 ? "list_posts" : "get_api_info",
                arguments: call % 2 === 0 ? { limit: 1, offset: (index + call) % 10 } : {},
              })) as CallToolResult;
              if (result.isError) errors.push(JSON.stringify(result.content).slice(0, 200));
            }
          } catch (error) {
            errors.push(String(error));
          } finally {
            await client?.close();
          }
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    const rss = rssOf(pid);
    const peak = Math.max(sampledPeak, rss.current, rss.peak ?? 0);
    const seconds = (Date.now() - startedAt) / 1000;
    process.stderr.write(
      `http load: ${clients} clients × ${callsEach} calls in ${seconds.toFixed(1)} s (${Math.round((clients * callsEach) / seconds)} calls/s), server process peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB\n`,
    );
    cli.proc.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(errors).toEqual([]);
    expect(peak).toBeLessThan(200 * 1024 * 1024);
  });

  it("stops with a message naming --host when the host is not an address or a name this machine resolves", { timeout: 60_000 }, () => {
    // "[::1]" is loopback as URLs write it, so no token is needed to get as far as listening.
    for (const host of ["[::1]", "localhost:8080"]) {
      // The CLI's own sandbox: spawnSync blocks this process, and with it cliSandbox.
      const run = spawnSync(process.execPath, [CLI, "--sandbox", "--http", "--port", "0", "--host", host], {
        cwd: ROOT,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", LEADPANTHER_MCP_TOKEN: TOKEN },
        input: "",
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(`--host ${host}`);
      expect(run.stderr).toContain("--host 127.0.0.1");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("finishes the call in flight after SIGTERM and exits 0", { timeout: 60_000 }, async () => {
    const sbx = cliSandbox as Sandbox;
    const cli = await startCli(sbx);
    started.push(cli.proc);
    const client = await connect(cli.url, null);
    sbx.faults.inject({ path: "/posts", method: "GET", kind: "delay", ms: 1_500 });
    const slowCall = client.callTool({ name: "list_posts", arguments: { limit: 1 } }) as Promise<CallToolResult>;
    await new Promise((done) => setTimeout(done, 400));
    const signalledAt = Date.now();
    cli.proc.kill("SIGTERM");

    // New connections are refused (or told the server is stopping) while the call finishes.
    await new Promise((done) => setTimeout(done, 100));
    const late = await fetch(cli.url.replace("/mcp", "/healthz")).then(
      (response) => response.status,
      () => "refused" as const,
    );
    expect([503, "refused"]).toContain(late);

    const result = await slowCall;
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { data: unknown[] }).data).toHaveLength(1);
    expect(await cli.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(cli.stderr()).toContain("stopping");
    expect(cli.stderr()).not.toContain(DEMO.keys.directAll);
    await client.close().catch(() => undefined);
  });
});
