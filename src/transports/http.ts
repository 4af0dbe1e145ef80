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
 * Who may connect: http-guards.ts; which MCP server answers: http-pool.ts; how many connections
 * stay open, and for how long without the token: http-connections.ts; stopping: lifecycle.ts.
 */
import { createServer, maxHeaderSize, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { errorCodeOf, readCapped } from "../api/http.js";
import type { ServerContext } from "../context.js";
import type { Config } from "../config.js";
import { listen } from "../listen.js";
import { log, type Logger } from "../log.js";
import { startRuntime } from "../runtime.js";
import { SERVER_NAME, SERVER_VERSION } from "../version.js";
import { ConnectionLimiter } from "./http-connections.js";
import { createGuards, type Guards } from "./http-guards.js";
import { reusableFor, ServerPool } from "./http-pool.js";
import { CallTracker, MAX_MCP_MESSAGE_BYTES, SHUTDOWN_DEADLINE_MS, stopOnSignals } from "./lifecycle.js";

export { hostAllowed } from "./http-guards.js";

export const MCP_PATH = "/mcp";
export const HEALTH_PATH = "/healthz";
/** The largest request body: the largest MCP message (see MAX_MCP_MESSAGE_BYTES). */
export const MAX_BODY_BYTES = MAX_MCP_MESSAGE_BYTES;
/** Idle MCP servers kept for reuse (see ServerPool); more concurrent requests build more, then drop them. */
const MAX_IDLE_SERVERS = 32;
/** Open connections kept at most (LEADPANTHER_HTTP_MAX_CONNECTIONS's default). */
export const DEFAULT_MAX_CONNECTIONS = 512;
/** A connection that has sent no authenticated request this long after opening is closed. */
export const UNAUTHENTICATED_IDLE_MS = 5_000;
/**
 * Node's own limits, set deliberately: request headers must arrive within 10 s of the first
 * byte; a whole request (a 20 MiB upload included) within 60 s; an idle keep-alive connection
 * is closed after 5 s. Node checks them every second rather than every 30.
 */
const SERVER_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 60_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 };

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
  /** Open connections kept at most; default DEFAULT_MAX_CONNECTIONS. */
  maxConnections?: number;
  /** How long a connection may stay open without an authenticated request; default UNAUTHENTICATED_IDLE_MS. */
  unauthenticatedIdleMs?: number;
}

export interface HttpServerHandle {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3333/mcp`. */
  url: string;
  port: number;
  /** Requests whose response has not closed yet. */
  inProgress(): number;
  /**
   * Stops accepting connections, lets requests in flight finish, and after `deadlineMs`
   * closes whatever is still open. Resolves when the listener is closed.
   */
  close(deadlineMs?: number): Promise<void>;
}

export async function startHttpServer(context: ServerContext, options: HttpServerOptions): Promise<HttpServerHandle> {
  const logger = context.logger;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const pool = new ServerPool(context, MAX_IDLE_SERVERS);
  const requests = new CallTracker();
  let boundPort = options.port;
  let closing = false;
  const guards = createGuards({ host: options.host, token: options.token, allowedOrigins: options.allowedOrigins, port: () => boundPort });

  const server = createServer(SERVER_TIMEOUTS, (req, res) => {
    requests.enter();
    const requestDone = connections.requestStarted(req.socket);
    const started = Date.now();
    // A client that goes away mid-body must not become an unhandled 'error' event.
    req.on("error", () => undefined);
    res.once("close", () => {
      requestDone();
      requests.leave();
      logger.debug("http request", { method: req.method, path: pathOf(req), status: res.statusCode, ms: Date.now() - started });
      if (closing) server.closeIdleConnections();
    });
    if (closing) {
      sendError(res, 503, SERVER_ERROR, "The server is shutting down; retry on another instance.", { connection: "close" });
      return;
    }
    handleRequest(req, res, pool, guards, maxBodyBytes, logger, () => connections.authenticated(req.socket)).catch((error: unknown) => {
      logger.error("http request failed unexpectedly", { error });
      if (!res.headersSent && !res.destroyed) {
        sendError(res, 500, INTERNAL_ERROR, "Internal error in leadpanther-mcp; details are in the server's log.");
      } else {
        res.destroy();
      }
    });
  });
  const connections = new ConnectionLimiter(
    { maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, unauthenticatedIdleMs: options.unauthenticatedIdleMs ?? UNAUTHENTICATED_IDLE_MS },
    logger,
  );
  connections.attach(server);
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    // Node's header limit (16 KiB by default) is the client's to fix, not a malformed request.
    const [status, message] =
      error.code === "HPE_HEADER_OVERFLOW"
        ? ["431 Request Header Fields Too Large", `Request headers too large (limit ${maxHeaderSize} bytes in all).`]
        : ["400 Bad Request", "Malformed HTTP request."];
    const body = jsonRpcError(SERVER_ERROR, message);
    socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
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
    inProgress: () => requests.inProgress,
    close(deadlineMs = SHUTDOWN_DEADLINE_MS) {
      closed ??= (async () => {
        closing = true;
        const listenerClosed = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        if (!(await requests.idle(deadlineMs))) {
          logger.warn("shutdown deadline reached; closing the requests still in flight", { in_flight: requests.inProgress, deadline_ms: deadlineMs });
        }
        server.closeAllConnections();
        await listenerClosed;
        pool.dispose();
      })();
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

  stopOnSignals((signal) => {
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
  }, () => handle.inProgress());
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  pool: ServerPool,
  guards: Guards,
  maxBodyBytes: number,
  logger: Logger,
  onAuthenticated: () => void,
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
  onAuthenticated();
  if (method !== "POST") {
    // Stateless: no server-initiated stream to GET and no session to DELETE.
    return sendError(res, 405, SERVER_ERROR, "Method not allowed: this stateless server only accepts POST.", { allow: "POST" });
  }

  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    return sendError(res, 413, SERVER_ERROR, `Request body too large (limit ${maxBodyBytes} bytes).`, { connection: "close" });
  }
  let body: { bytes: Buffer; complete: boolean };
  try {
    body = await readCapped(req, maxBodyBytes);
  } catch {
    return; // the client went away mid-body
  }
  if (!body.complete) {
    // The rest is left unread; the connection closes after the 413.
    return sendError(res, 413, SERVER_ERROR, `Request body too large (limit ${maxBodyBytes} bytes).`, { connection: "close" });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.bytes.toString("utf8"));
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

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

function describeListenError(error: unknown, host: string, port: number): string {
  const code = errorCodeOf(error);
  if (code === "EADDRINUSE") return `port ${port} on ${host} is already in use. Choose another with --port (0 picks a free one).`;
  if (code === "EADDRNOTAVAIL") return `${host} is not an address of this machine. Use --host 127.0.0.1 or one of this machine's addresses.`;
  if (code === "ENOTFOUND") {
    return `--host ${host}: not an address of this machine nor a name it resolves. Give a bare IP address or host name (no brackets, no port: the port goes in --port), e.g. --host 127.0.0.1.`;
  }
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
