/**
 * Streamable HTTP transport (`leadpanther-mcp --http`), stateless: every POST to /mcp is answered
 * on its own transport by an MCP server that carries nothing of earlier requests (see
 * ServerPool), all sharing one ServerContext (settings, API client, the key's access). No
 * session lives in this process, so any number of instances can run behind an ordinary load
 * balancer. Answers are JSON, not SSE streams. A consequence of statelessness: no request can
 * carry a question back to the client, so deletes and archives are not confirmed through
 * elicitation here (the tools' destructive annotations still tell the client).
 *
 * Order of checks for /mcp, cheapest and least revealing first:
 *   shutting down (503) → Host (403, DNS rebinding) → Origin (403) → CORS preflight (204) →
 *   bearer token (401) → method (405) → body size (413) → JSON (400, -32700) → MCP.
 * `GET /healthz` answers `{"ok":true}` without a token and without the Host check (load-balancer
 * probes carry neither the token nor the public host name); it reveals nothing but liveness.
 *
 * The LeadPanther API key is never read from a request: every call uses the server's own key.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { listen } from "../listen.js";
import type { ServerContext } from "../context.js";
import { loopbackHost, type Config } from "../config.js";
import { log, type Logger } from "../log.js";
import { startRuntime } from "../runtime.js";
import { createMcpServer, MAX_MCP_MESSAGE_BYTES, SERVER_NAME, SERVER_VERSION } from "../server.js";

export const MCP_PATH = "/mcp";
export const HEALTH_PATH = "/healthz";
/** The largest request body: the largest MCP message (see MAX_MCP_MESSAGE_BYTES). */
export const MAX_BODY_BYTES = MAX_MCP_MESSAGE_BYTES;
export const SHUTDOWN_DEADLINE_MS = 10_000;
/** Idle MCP servers kept for reuse (see ServerPool); more concurrent requests build more, then drop them. */
const MAX_IDLE_SERVERS = 32;

/** JSON-RPC error codes used at the HTTP layer. */
const INVALID_REQUEST = -32600;
const PARSE_ERROR = -32700;
const INTERNAL_ERROR = -32603;
/** Implementation-defined server error (JSON-RPC reserves -32000…-32099); the SDK uses it too. */
const SERVER_ERROR = -32000;

/** Headers a browser-based MCP client sends on a cross-origin POST. */
const CORS_ALLOW_HEADERS = "authorization, content-type, accept, mcp-protocol-version, mcp-session-id, last-event-id";

export interface HttpServerOptions {
  host: string;
  port: number;
  /** When set, every /mcp request needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Origins accepted besides loopback ones; their host names are accepted in `Host` too. */
  allowedOrigins: readonly string[];
  maxBodyBytes?: number;
}

export interface HttpServerHandle {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3333/mcp`. */
  url: string;
  port: number;
  /**
   * Stops accepting connections, lets requests in flight finish, and after `deadlineMs`
   * closes whatever is still open. Resolves when the listener is closed.
   */
  close(deadlineMs?: number): Promise<void>;
}

export async function startHttpServer(context: ServerContext, options: HttpServerOptions): Promise<HttpServerHandle> {
  const logger = context.logger;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const tokenDigest = options.token === undefined ? undefined : digest(options.token);
  const allowedOrigins = new Set(options.allowedOrigins.map((origin) => new URL(origin).origin));
  const originHostnames = new Set([...allowedOrigins].map((origin) => new URL(origin).hostname.toLowerCase()));

  const pool = new ServerPool(context, MAX_IDLE_SERVERS);
  let boundPort = options.port;
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const interfaceAddresses = localAddresses();
  const guards: Guards = {
    hostAllowed: (header) => hostAllowed(header, { boundHost: options.host, port: boundPort, originHostnames, interfaceAddresses }),
    originAllowed: (header) => originAllowed(header, allowedOrigins, { port: boundPort, tokenRequired: tokenDigest !== undefined }),
    authorized: (header) => tokenDigest === undefined || bearerMatches(header, tokenDigest),
  };

  const server = createServer({ keepAliveTimeout: 5_000, headersTimeout: 30_000, requestTimeout: 60_000 }, (req, res) => {
    inFlight += 1;
    const started = Date.now();
    // A client that goes away mid-body must not become an unhandled 'error' event.
    req.on("error", () => undefined);
    res.once("close", () => {
      inFlight -= 1;
      logger.debug("http request", { method: req.method, path: pathOf(req), status: res.statusCode, ms: Date.now() - started });
      if (closing) {
        server.closeIdleConnections();
        if (inFlight === 0) drained?.();
      }
    });
    if (closing) {
      sendError(res, 503, SERVER_ERROR, "The server is shutting down; retry on another instance.", { connection: "close" });
      return;
    }
    handleRequest(req, res, pool, guards, maxBodyBytes, logger).catch((error: unknown) => {
      logger.error("http request failed unexpectedly", { error });
      if (!res.headersSent && !res.destroyed) {
        sendError(res, 500, INTERNAL_ERROR, "Internal error in leadpanther-mcp; details are in the server's log.");
      } else {
        res.destroy();
      }
    });
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = jsonRpcError(SERVER_ERROR, "Malformed HTTP request.");
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    pool.dispose();
    throw error;
  }
  const address = server.address() as AddressInfo;
  boundPort = address.port;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${boundPort}${MCP_PATH}`,
    port: boundPort,
    close(deadlineMs = SHUTDOWN_DEADLINE_MS) {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const listenerClosed = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        const allDone = inFlight === 0 ? Promise.resolve() : new Promise<void>((done) => (drained = done));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((done) => {
          timer = setTimeout(() => {
            logger.warn("shutdown deadline reached; closing the requests still in flight", { in_flight: inFlight, deadline_ms: deadlineMs });
            done();
          }, deadlineMs);
          timer.unref();
        });
        void Promise.race([allDone, deadline]).then(async () => {
          clearTimeout(timer);
          server.closeAllConnections();
          await listenerClosed;
          pool.dispose();
          resolve();
        });
      });
      return closed;
    },
  };
}

/** `leadpanther-mcp --http`: the runtime, the listener, and a graceful stop on SIGTERM/SIGINT. */
export async function serveHttp(config: Config): Promise<void> {
  const runtime = await startRuntime(config);
  let handle: HttpServerHandle;
  try {
    handle = await startHttpServer(runtime.context, config.http);
  } catch (error) {
    await runtime.close();
    throw new Error(describeListenError(error, config.http.host, config.http.port), { cause: error });
  }
  log.info("serving MCP over Streamable HTTP", {
    url: handle.url,
    version: SERVER_VERSION,
    auth: config.http.token === undefined ? "none (loopback only)" : "bearer token",
    access: runtime.context.access.state.status,
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn("second signal while stopping: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("stopping: no new connections; waiting for calls in flight", { signal, deadline_ms: SHUTDOWN_DEADLINE_MS });
    // A call cut off at the deadline may still hold an API request open; do not wait for it.
    setTimeout(() => {
      log.warn("stopping took too long after the deadline: exiting now");
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS + 5_000).unref();
    void handle
      .close(SHUTDOWN_DEADLINE_MS)
      .then(() => runtime.close())
      .then(
        () => {
          log.info("stopped");
          process.exit(0);
        },
        (error: unknown) => {
          log.error("stopping failed", { error });
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

interface Guards {
  hostAllowed(header: string | undefined): boolean;
  originAllowed(header: string | undefined): boolean;
  authorized(header: string | undefined): boolean;
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  pool: ServerPool,
  guards: Guards,
  maxBodyBytes: number,
  logger: Logger,
): Promise<void> {
  const path = pathOf(req);
  const method = req.method ?? "GET";
  const origin = req.headers.origin;

  if (path === HEALTH_PATH) {
    if (!guards.originAllowed(origin)) return sendError(res, 403, SERVER_ERROR, "Origin not allowed.");
    if (method !== "GET" && method !== "HEAD") return sendError(res, 405, SERVER_ERROR, "Method not allowed: use GET.", { allow: "GET, HEAD" });
    return sendJson(res, 200, { ok: true });
  }
  if (path !== MCP_PATH) return sendError(res, 404, SERVER_ERROR, `Not found: the MCP endpoint is ${MCP_PATH}.`);

  if (!guards.hostAllowed(req.headers.host)) {
    return sendError(res, 403, SERVER_ERROR, "Host not allowed (DNS-rebinding protection). Add the public origin to LEADPANTHER_ALLOWED_ORIGINS.");
  }
  if (!guards.originAllowed(origin)) {
    return sendError(res, 403, SERVER_ERROR, "Origin not allowed. Add it to LEADPANTHER_ALLOWED_ORIGINS.");
  }
  // From here on the Origin (if any) is allowed: let a browser client read the answers.
  if (origin !== undefined) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("vary", "Origin");
    res.setHeader("access-control-expose-headers", "mcp-session-id, mcp-protocol-version, www-authenticate");
  }
  if (method === "OPTIONS") {
    res.writeHead(204, {
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": CORS_ALLOW_HEADERS,
      "access-control-max-age": "600",
    });
    res.end();
    return;
  }
  if (!guards.authorized(req.headers.authorization)) {
    const missing = req.headers.authorization === undefined;
    return sendError(res, 401, SERVER_ERROR, missing ? "Unauthorized: send Authorization: Bearer <LEADPANTHER_MCP_TOKEN>." : "Unauthorized: the bearer token is not accepted.", {
      "www-authenticate": missing ? `Bearer realm="${SERVER_NAME}"` : `Bearer realm="${SERVER_NAME}", error="invalid_token"`,
    });
  }
  if (method !== "POST") {
    // Stateless: no server-initiated stream to GET and no session to DELETE.
    return sendError(res, 405, SERVER_ERROR, "Method not allowed: this stateless server only accepts POST.", { allow: "POST" });
  }

  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    return sendError(res, 413, SERVER_ERROR, `Request body too large (limit ${maxBodyBytes} bytes).`, { connection: "close" });
  }
  const body = await readBody(req, maxBodyBytes);
  if (body === "too_large") {
    return sendError(res, 413, SERVER_ERROR, `Request body too large (limit ${maxBodyBytes} bytes).`, { connection: "close" });
  }
  if (body === "aborted") return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return sendError(res, 400, PARSE_ERROR, "Parse error: the body is not valid JSON.");
  }
  if (Array.isArray(parsed)) {
    // JSON-RPC batches left MCP in 2025-06-18; accepting them would let one POST start any
    // number of LeadPanther calls at once, and the SDK can drop answers that share an id.
    return sendError(res, 400, INVALID_REQUEST, "Invalid request: batches are not supported; send one JSON-RPC message per POST.");
  }

  const lease = pool.lease(reusableFor(parsed));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  transport.onerror = (error) => logger.debug("MCP transport refused a request", { error: error.message });
  res.once("close", () => lease.release());
  await lease.mcp.connect(transport);
  await transport.handleRequest(req, res, parsed);
}

/** Requests a pooled server may answer: none of them leaves anything behind on the server. */
const REUSABLE_METHODS: ReadonlySet<string> = new Set(["tools/list", "tools/call", "ping"]);

function reusableFor(message: unknown): boolean {
  return (
    typeof message === "object" &&
    message !== null &&
    !Array.isArray(message) &&
    "id" in message &&
    "method" in message &&
    typeof message.method === "string" &&
    REUSABLE_METHODS.has(message.method)
  );
}

/**
 * Stateless means that nothing of one request reaches the next, not that each request must
 * pay for building an MCP server (20 tools with their input schemas and a JSON-schema
 * validator: most of the CPU and garbage of a request). The SDK's Protocol is made to be
 * closed and connected again (close() clears every per-connection map and aborts what is in
 * flight; a late handler answers only the transport it was called on). The per-client state
 * of a server is set by `initialize` only (client capabilities and version), so a server
 * that answered one is never reused; one that answered only tools/list,
 * tools/call or ping is closed and kept for the next such request. When the key's access
 * changes (GET /me), idle servers are dropped and servers in use are not returned, so the
 * tool list always follows the current access.
 */
class ServerPool {
  private idle: McpServer[] = [];
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly context: ServerContext,
    private readonly maxIdle: number,
  ) {
    this.unsubscribe = context.access.subscribe(() => {
      this.generation += 1;
      this.idle = [];
    });
  }

  lease(reusable: boolean): { mcp: McpServer; release(): void } {
    const generation = this.generation;
    const mcp = (reusable ? this.idle.pop() : undefined) ?? createMcpServer(this.context, { followAccess: false });
    let released = false;
    return {
      mcp,
      release: () => {
        if (released) return;
        released = true;
        mcp.close().then(
          () => {
            if (reusable && generation === this.generation && this.idle.length < this.maxIdle) this.idle.push(mcp);
          },
          () => undefined,
        );
      },
    };
  }

  dispose(): void {
    this.unsubscribe();
    this.idle = [];
  }
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/** Reads the body up to `limit` bytes; beyond that the rest is left unread and the connection closes after the 413. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too_large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (value: Buffer | "too_large" | "aborted"): void => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("aborted", onAbort);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        req.pause();
        settle("too_large");
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => settle(Buffer.concat(chunks));
    const onAbort = (): void => settle("aborted");
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("aborted", onAbort);
  });
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Compares fixed-length digests in constant time, so the answer time says nothing about the token. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const token = header === undefined ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
  return timingSafeEqual(digest(token ?? ""), expected) && token !== undefined;
}

/**
 * Non-browser clients send no Origin; browsers always do on a cross-origin POST. A page served
 * from this machine is accepted on this server's own port; on any other local port (a dev server
 * showing untrusted content, say) only when every request must carry the token anyway, or when
 * its origin is listed in LEADPANTHER_ALLOWED_ORIGINS.
 */
function originAllowed(header: string | undefined, allowed: ReadonlySet<string>, bound: { port: number; tokenRequired: boolean }): boolean {
  if (header === undefined) return true;
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and garbage
  }
  if (allowed.has(url.origin)) return true;
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !loopbackHost(url.hostname)) return false;
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return bound.tokenRequired || port === bound.port;
}

/**
 * DNS-rebinding protection: a page on attacker.example that re-resolves its name to 127.0.0.1
 * still sends `Host: attacker.example`. Accepted: a loopback name or address with the bound
 * port; the bound address with the bound port (for a wildcard bind, any address of this
 * machine's interfaces); and the host name of an allowed origin (behind a load balancer the
 * public port may differ, so only the name is compared).
 */
export function hostAllowed(
  header: string | undefined,
  bound: { boundHost: string; port: number; originHostnames: ReadonlySet<string>; interfaceAddresses?: ReadonlySet<string> },
): boolean {
  if (header === undefined || header === "") return false;
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "") return false;
  const hostname = url.hostname.toLowerCase();
  const port = url.port === "" ? 80 : Number(url.port);
  if (loopbackHost(hostname)) return port === bound.port;
  const boundHost = normaliseHostname(bound.boundHost);
  const wildcard = boundHost === "0.0.0.0" || boundHost === "[::]";
  if (port === bound.port && (wildcard ? (bound.interfaceAddresses?.has(hostname) ?? false) : hostname === boundHost)) return true;
  return bound.originHostnames.has(hostname);
}

/** This machine's interface addresses as they appear in a Host header (IPv6 in brackets). */
function localAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) addresses.add(normaliseHostname(entry.address.replace(/%.*$/, "")));
  }
  return addresses;
}

function normaliseHostname(host: string): string {
  const lower = host.toLowerCase();
  return lower.includes(":") && !lower.startsWith("[") ? `[${lower}]` : lower;
}

function describeListenError(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE") return `port ${port} on ${host} is already in use. Choose another with --port (0 picks a free one).`;
  if (code === "EADDRNOTAVAIL") return `${host} is not an address of this machine. Use --host 127.0.0.1 or one of this machine's addresses.`;
  if (code === "EACCES") return `not allowed to bind ${host}:${port} (ports below 1024 usually need privileges). Use a port above 1024.`;
  return `could not listen on ${host}:${port}${code ? ` (${code})` : ""}.`;
}

function jsonRpcError(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
}

function sendError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  send(res, status, jsonRpcError(code, message), headers);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), {});
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(body);
}
