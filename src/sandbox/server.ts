/**
 * The HTTP side of the sandbox: one request listener that logs, applies faults, and answers
 * /api/v1 (the API) and /storage/v1/object/upload/sign/… (the signed upload URLs).
 *
 * Order of checks on /api/v1 (documented decision; §2 leaves it open for unknown routes):
 *   X-Request-Id valid (400) → [GET / needs no key: 405 / 400 / 200 here] → auth (401) →
 *   route exists, guessed route (404), /lead-magnet-posts (501), direct-vs-agency route
 *   (404) → method (405 with Allow) → key scope (403) → UUIDs in the path (400) → agency
 *   grant active and covering the scope (403) → query (400) → body (400) → resource (404)
 *   → state (409).
 * Everything is wrapped: an unexpected exception becomes a 500 internal_error envelope.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import {
  GUESSED_ROUTES,
  MAX_JSON_BODY_BYTES,
  NOT_IMPLEMENTED_ROUTES,
  REQUEST_ID_HEADER,
  REQUEST_ID_PATTERN,
  WILDCARD_SCOPE,
} from "../contract.js";
import { BODY_TOO_LARGE_MESSAGE, BodyAbortedError, BodyTooLargeError, readBodyLimited, readJsonObject } from "./body.js";
import type { Page, SandboxState } from "./context.js";
import { actsBeforeHandling, MAX_HANG_MS, type FaultQueue, type FaultSpec } from "./faults.js";
import { handleStorageRequest, STORAGE_UPLOAD_PREFIX } from "./media.js";
import { parsePage, rejectUnknownQuery } from "./query.js";
import { getApiInfo } from "./reads.js";
import type { KeyRecord } from "./records.js";
import type { HttpMethod, RouteTable } from "./routes.js";
import type { AccountState } from "./store.js";
import { isUuid } from "./validate.js";
import {
  ApiError,
  badRequest,
  errorWire,
  forbidden,
  makeRequestId,
  notFound,
  successWire,
  type WireResponse,
} from "./wire.js";

export const API_PREFIX = "/api/v1";

export interface RequestLogEntry {
  method: string;
  /** Relative to /api/v1, without query; storage PUTs "/storage/<bucket>/<path>"; other paths as sent. */
  path: string;
  /** Query parameters (last value wins); the upload token is never included; key-like values are cut to their prefix. */
  query: Record<string, string>;
  /** "lp_test_" / "lp_live_" / "other" for a Bearer token; null without one. Never more of the key. */
  keyPrefix: string | null;
  /**
   * The JSON body as received, for POST/PATCH on /api/v1 (also when a fault dropped the
   * request); absent when none was read. Key-like values are cut to their prefix; at most
   * LOGGED_BODY_MAX characters are kept (a longer body ends in "…[cut]").
   */
  body?: string;
  /** null when the connection was reset or dropped without a response. */
  status: number | null;
  requestId: string;
  /** When the request arrived (Date.now()). */
  at: number;
}

/** The longest body text one log entry keeps: the log holds up to 50,000 entries. */
export const LOGGED_BODY_MAX = 64 * 1024;

/** The request log, capped so a long-running sandbox cannot grow without bound. */
export class RequestLog {
  static readonly MAX_ENTRIES = 50_000;
  private entries: RequestLogEntry[] = [];

  push(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > RequestLog.MAX_ENTRIES) this.entries.splice(0, this.entries.length - RequestLog.MAX_ENTRIES / 2);
  }

  snapshot(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry, query: { ...entry.query } }));
  }

  clear(): void {
    this.entries = [];
  }
}

export interface ServerDeps {
  state: SandboxState;
  routes: RouteTable;
  faults: FaultQueue;
  requestLog: RequestLog;
  log: ((line: string) => void) | undefined;
  /** Resolves after `ms`, or at once when `cancel` aborts or the sandbox closes. */
  sleep: (ms: number, cancel?: AbortSignal) => Promise<void>;
}

const DEFAULT_PAGE: Page = { limit: 0, offset: 0 };
const GUESSED = new Set<string>(GUESSED_ROUTES);
const NOT_IMPLEMENTED = new Set<string>(NOT_IMPLEMENTED_ROUTES);
const BEARER = /^Bearer ([^\s]+)$/i;
const BEARER_LOOSE = /^bearer\s+(\S+)/i;

function keyPrefixOf(header: string | undefined): string | null {
  const token = header === undefined ? undefined : BEARER_LOOSE.exec(header)?.[1];
  if (token === undefined) return null;
  if (token.startsWith("lp_test_")) return "lp_test_";
  if (token.startsWith("lp_live_")) return "lp_live_";
  return "other";
}

function unauthorized(message: string): ApiError {
  return new ApiError("unauthorized", message, { "www-authenticate": 'Bearer realm="LeadPanther API"' });
}

/** §2: every failure is 401 unauthorized; messages never contain the key. */
function authenticate(header: string | undefined, deps: ServerDeps): KeyRecord {
  if (header === undefined || header.trim() === "") {
    throw unauthorized("Missing Authorization header: send 'Authorization: Bearer <API key>'.");
  }
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) throw unauthorized("Malformed Authorization header: expected 'Bearer <API key>'.");
  const record = deps.state.store.keyRecord(token);
  if (record === undefined) throw unauthorized("Invalid API key.");
  if (record.status === "revoked") throw unauthorized("This API key has been revoked.");
  if (record.status === "inactive") throw unauthorized("This API key is inactive.");
  return record;
}

function covers(scopes: readonly string[], required: string): boolean {
  return scopes.includes(WILDCARD_SCOPE) || scopes.includes(required);
}

/**
 * Anything shaped like a LeadPanther key keeps its prefix and loses the rest, so the log can
 * show that a client put a key where it must not (a query string, a path, a request id)
 * without ever holding the key.
 */
const KEY_LIKE = /(lp_(?:live|test)_)[A-Za-z0-9_-]+/g;
function redactKeys(text: string): string {
  return text.includes("lp_") ? text.replace(KEY_LIKE, "$1[REDACTED]") : text;
}

function queryRecord(query: URLSearchParams, omit: string | null): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of query) if (name !== omit) record[redactKeys(name)] = redactKeys(value);
  return record;
}

async function handleApi(
  request: IncomingMessage,
  method: string,
  path: string,
  query: URLSearchParams,
  requestId: string,
  requestIdProblem: string | null,
  deps: ServerDeps,
  recordBody: (text: string) => void,
): Promise<WireResponse> {
  try {
    if (requestIdProblem !== null) throw badRequest(requestIdProblem);
    if (path === "/") {
      if (method !== "GET") throw new ApiError("method_not_allowed", `${method} is not allowed here; allowed: GET.`, { allow: "GET" });
      rejectUnknownQuery(query, []);
      return successWire({ data: getApiInfo() }, requestId);
    }
    const key = authenticate(request.headers.authorization, deps);

    const firstSegment = `/${path.split("/", 2)[1] ?? ""}`;
    if (GUESSED.has(firstSegment)) throw notFound(`${firstSegment} is not a LeadPanther API v1 route.`);
    if (NOT_IMPLEMENTED.has(firstSegment)) {
      throw new ApiError("not_implemented", `${firstSegment} is not implemented in API v1; make a lead-magnet post with create_post and a template_id.`);
    }
    const match = deps.routes.match(path);
    if (match === null) throw notFound("No LeadPanther API v1 route at this path.");
    const { route, params } = match;
    if (route.kind === "account" && !route.nested && key.actorType === "agency") {
      throw notFound("Not found for an agency key: client work uses the nested route /clients/{clientId}/….");
    }
    if (route.nested && key.actorType !== "agency") {
      throw notFound("Not found for a direct-user key: /clients/{clientId}/… routes are for agency keys.");
    }
    const spec = route.methods[method as HttpMethod];
    if (spec === undefined) {
      throw new ApiError("method_not_allowed", `${method} is not allowed on this route; allowed: ${route.allow}.`, { allow: route.allow });
    }
    if (spec.scope !== null && !covers(key.scopes, spec.scope)) {
      throw forbidden(`API key is missing a required scope (${spec.scope}).`);
    }
    for (const [name, value] of Object.entries(params)) {
      if (!isUuid(value)) throw badRequest(`'${name}' in the path must be a UUID.`);
      params[name] = value.toLowerCase();
    }

    let account: AccountState | null = null;
    if (route.kind === "account") {
      if (route.nested) {
        const clientId = params["clientId"] ?? "";
        const grant = deps.state.store.grantFor(key.userId, clientId)?.grant;
        if (grant === undefined || grant.status !== "active") {
          throw forbidden("The agency has no active grant for this client account.");
        }
        if (spec.scope !== null && !covers(grant.permissions, spec.scope)) {
          throw forbidden(`The agency's grant for this client does not include the required scope (${spec.scope}).`);
        }
        account = deps.state.store.account(clientId) ?? null;
      } else {
        account = deps.state.store.account(key.userId) ?? null;
      }
      if (account === null) throw notFound("No account data for this key.");
    }

    rejectUnknownQuery(query, spec.query === "page" ? ["limit", "offset"] : spec.query === "path" ? ["path"] : []);
    const page = spec.query === "page" ? parsePage(query) : DEFAULT_PAGE;
    const body = spec.body ? await readJsonObject(request, recordBody) : {};
    const now = deps.state.now();
    const result = spec.handler({ method, params, query, page, body, key, account, requestId, now, state: deps.state });
    return successWire(result, requestId);
  } catch (error) {
    if (error instanceof ApiError) return errorWire(error, requestId);
    if (error instanceof BodyTooLargeError) return { ...errorWire(badRequest(BODY_TOO_LARGE_MESSAGE), requestId), closeConnection: true };
    if (error instanceof BodyAbortedError) return { ...errorWire(badRequest("The request body was interrupted."), requestId), closeConnection: true };
    throw error;
  }
}

/** What a fault answers instead of the API: a proxy's HTML page, or a JSON error envelope. */
function faultWire(fault: Extract<FaultSpec, { kind: "status" | "status-after-apply" | "html" }>, requestId: string): WireResponse {
  if (fault.kind === "html") {
    const status = fault.status ?? 502;
    const title = `${status} ${STATUS_CODES[status] ?? "Error"}`;
    const html = `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><p>The upstream server did not answer. (sandbox fault)</p></body></html>\n`;
    // An HTML page from a proxy in front of the API: no envelope and no X-Request-Id.
    return { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }, body: Buffer.from(html, "utf8") };
  }
  const retryAfter = fault.kind === "status" ? fault.retryAfter : undefined;
  const headers: Record<string, string> = retryAfter === undefined ? {} : { "retry-after": retryAfter };
  const error =
    fault.status === 429
      ? new ApiError("rate_limited", "Too many requests; slow down and retry later.", headers)
      : new ApiError("internal_error", "The server encountered an unexpected error. Retry later and quote the request_id.", headers);
  const response = errorWire(error, requestId);
  return { ...response, status: fault.status };
}

/** The body text as the log keeps it: keys cut to their prefix, at most LOGGED_BODY_MAX characters. */
function loggedBody(text: string): string {
  const redacted = redactKeys(text);
  return redacted.length > LOGGED_BODY_MAX ? `${redacted.slice(0, LOGGED_BODY_MAX)}…[cut]` : redacted;
}

/**
 * Reads the body of a request a fault stops before handling, as a server that received it and
 * then failed would: the log shows what was sent, and the client has finished sending.
 */
async function receiveBeforeFault(request: IncomingMessage): Promise<string | undefined> {
  const result = await readBodyLimited(request, MAX_JSON_BODY_BYTES);
  return result.kind === "complete" ? result.bytes.toString("utf8") : undefined;
}

type DroppingFault = Extract<FaultSpec, { kind: "reset-before-apply" | "reset-after-apply" | "hang-before-apply" | "hang-after-apply" }>;

/**
 * Ends a request without an answer by dropping the connection: at once for a reset; for a
 * hang once the client closes it (its timeout), `ms` pass or the sandbox closes.
 */
async function dropWithoutAnswer(fault: DroppingFault, request: IncomingMessage, response: ServerResponse, sleep: ServerDeps["sleep"]): Promise<void> {
  if (fault.kind === "hang-before-apply" || fault.kind === "hang-after-apply") {
    const clientGone = new AbortController();
    const onClose = (): void => clientGone.abort();
    response.once("close", onClose);
    await sleep(fault.ms ?? MAX_HANG_MS, clientGone.signal);
    response.off("close", onClose);
  }
  request.socket.destroy();
}

/** How much of a refused body is still read (and dropped) so the client can see the answer. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_LIMIT_MS = 5_000;

function writeResponse(response: ServerResponse, wire: WireResponse): void {
  if (response.destroyed || response.headersSent) return;
  const headers: Record<string, string> = { ...wire.headers, "content-length": String(wire.body.length) };
  if (wire.closeConnection === true) headers["connection"] = "close";
  response.writeHead(wire.status, headers);
  response.end(wire.body);
  if (wire.closeConnection === true) drainRefusedBody(response.req);
}

/**
 * A body refused part-way (413) is still read and dropped, within bounds, before the connection
 * closes: a client that is still sending would otherwise meet a reset (EPIPE) and could lose the
 * answer, as real servers avoid too. Nothing read here is kept.
 */
function drainRefusedBody(request: IncomingMessage): void {
  if (request.complete || request.destroyed) return;
  let drained = 0;
  const stop = (): void => {
    clearTimeout(timer);
    request.socket.destroy();
  };
  const timer = setTimeout(stop, DRAIN_LIMIT_MS);
  timer.unref();
  request.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) stop();
  });
  request.once("end", () => clearTimeout(timer));
  request.resume();
}

export function createRequestListener(deps: ServerDeps): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    handleRequest(request, response, deps).catch((error: unknown) => {
      deps.log?.(`sandbox: unexpected failure outside the handlers: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent && !response.destroyed) {
        writeResponse(response, errorWire(new ApiError("internal_error", "The server encountered an unexpected error."), makeRequestId()));
      } else {
        request.socket.destroy();
      }
    });
  };
}

async function handleRequest(request: IncomingMessage, response: ServerResponse, deps: ServerDeps): Promise<void> {
  const started = performance.now();
  const method = (request.method ?? "GET").toUpperCase();
  const rawUrl = request.url ?? "/";
  const queryStart = rawUrl.indexOf("?");
  const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? "" : rawUrl.slice(queryStart + 1));

  let area: "api" | "storage" | "other" = "other";
  let path = rawPath;
  if (rawPath === API_PREFIX || rawPath.startsWith(`${API_PREFIX}/`)) {
    area = "api";
    path = rawPath.slice(API_PREFIX.length) || "/";
  } else if (rawPath.startsWith(STORAGE_UPLOAD_PREFIX)) {
    area = "storage";
    path = `/storage/${rawPath.slice(STORAGE_UPLOAD_PREFIX.length)}`;
  }

  const callerId = request.headers[REQUEST_ID_HEADER];
  let requestId = makeRequestId();
  let requestIdProblem: string | null = null;
  if (typeof callerId === "string" && REQUEST_ID_PATTERN.test(callerId)) requestId = callerId;
  else if (callerId !== undefined) {
    requestIdProblem = "Invalid X-Request-Id: use 1-128 characters of letters, digits, '.', '_', ':' and '-'.";
  }

  const entry: RequestLogEntry = {
    method,
    path: redactKeys(path),
    query: queryRecord(query, area === "storage" ? "token" : null),
    keyPrefix: keyPrefixOf(request.headers.authorization),
    status: null,
    requestId: redactKeys(requestId),
    at: Date.now(),
  };
  deps.requestLog.push(entry);
  const finish = (wire: WireResponse | null, note = ""): void => {
    if (wire !== null) {
      writeResponse(response, wire);
      entry.status = wire.status;
    }
    const shownPath = area === "storage" ? "/storage/…" : area === "api" ? `${API_PREFIX}${entry.path}` : entry.path;
    deps.log?.(`${method} ${shownPath} ${entry.status ?? "reset"} ${(performance.now() - started).toFixed(1)}ms ${entry.requestId}${note}`);
  };

  const fault = deps.faults.take(method, path);
  if (fault !== undefined && actsBeforeHandling(fault)) {
    if (area === "api" && (method === "POST" || method === "PATCH")) {
      const text = await receiveBeforeFault(request);
      if (text !== undefined) entry.body = loggedBody(text);
    }
    const note = ` (fault ${fault.kind})`;
    switch (fault.kind) {
      case "status":
      case "html":
        return finish(faultWire(fault, requestId), note);
      case "reset-before-apply":
      case "hang-before-apply":
        await dropWithoutAnswer(fault, request, response, deps.sleep);
        return finish(null, note);
    }
  }
  if (fault?.kind === "delay") {
    await deps.sleep(fault.ms);
    if (response.destroyed) return finish(null, " (closed during delay)");
  }

  let wire: WireResponse;
  try {
    if (area === "api") {
      wire = await handleApi(request, method, path, query, requestId, requestIdProblem, deps, (text) => (entry.body = loggedBody(text)));
    } else if (area === "storage") {
      wire = await handleStorageRequest(request, rawPath.slice(STORAGE_UPLOAD_PREFIX.length), query.get("token"), deps.state.media, deps.state.now().getTime(), requestId);
    } else wire = errorWire(notFound("Not a LeadPanther API path: the API lives under /api/v1."), requestId);
  } catch (error) {
    deps.log?.(`sandbox: internal error on ${method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
    wire = errorWire(new ApiError("internal_error", "The server encountered an unexpected error. Retry later and quote the request_id."), requestId);
  }

  // The request has been handled (a write is applied); these faults lose or replace its answer.
  const note = ` (fault ${fault?.kind ?? ""})`;
  switch (fault?.kind) {
    case "reset-after-apply":
    case "hang-after-apply":
      await dropWithoutAnswer(fault, request, response, deps.sleep);
      return finish(null, note);
    case "status-after-apply":
      return finish(faultWire(fault, requestId), note);
    case "truncated-json":
      return finish({ ...wire, body: wire.body.subarray(0, Math.floor(wire.body.length / 2)) }, note);
    default:
      finish(wire);
  }
}
