/**
 * The LeadPanther API v1 sandbox: a local HTTP stand-in of the API that follows
 * ../shared/leadpanther-api-v1.md, for tests and for `leadpanther-mcp sandbox`.
 *
 * It depends on nothing of the server: only on src/contract.ts. It is silent unless given a
 * `log` function (it may run inside the stdio MCP server, where stdout is the protocol).
 * Faults, the request log and state controls are programmatic only — no HTTP route, with
 * any key, reaches them.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { listen } from "../listen.js";
import type { SandboxState } from "./context.js";
import { FaultQueue, type FaultSpec } from "./faults.js";
import { MediaState } from "./media-state.js";
import type { ActivityItem, KeyStatus, Lead } from "./records.js";
import { RouteTable } from "./routes.js";
import { createRequestListener, RequestLog, type RequestLogEntry } from "./server.js";
import type { SandboxScale } from "./seed.js";
import { StoreState, type SandboxStore } from "./store.js";
import { makeRequestId } from "./wire.js";

export interface SandboxOptions {
  /** Default 0 = an ephemeral port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** One line per request and per internal error; default: silent. Never receives keys or tokens. */
  log?: (line: string) => void;
  /** Lifetime of signed upload URLs; default 60_000. */
  signedUrlTtlMs?: number;
  /**
   * Direct path templates renamed, e.g. { "/posts/{postId}/engagement": "/posts/{postId}/stats" }:
   * the old path answers not_found, the new one works; the nested /clients/{clientId}/… twin
   * is renamed too.
   */
  renameRoutes?: Record<string, string>;
  /** Default () => new Date(). */
  now?: () => Date;
  /**
   * How much data the seed holds (deterministic at both): "small" (default; 126 posts, 64 leads,
   * 48 activity items on the direct account) or "large" (LARGE_SCALE: 500 posts, 36 lead
   * magnets, 5,000 leads, 10,000 activity items on the direct account; a few hundred on clients).
   */
  scale?: SandboxScale;
}

export interface Sandbox {
  /** "http://127.0.0.1:PORT" */
  origin: string;
  /** origin + "/api/v1" */
  baseUrl: string;
  port: number;
  scale: SandboxScale;
  faults: { inject(spec: FaultSpec): void; clear(): void };
  /** Copy of the request log, oldest first. */
  requests(): RequestLogEntry[];
  clearRequests(): void;
  media: {
    get(bucket: string, path: string): Buffer | undefined;
    expireUploadUrls(): void;
    /** Every signed upload URL and token issued since start (reset keeps them), for leak tests to search for. */
    issued(): { url: string; token: string }[];
  };
  /**
   * The live records of an account, for tests that put third-party text into the sandbox:
   * what is written to them is what the API answers (unlike `store`, a read-only view).
   */
  records: { leadsOf(userId: string): Lead[]; activityOf(userId: string): ActivityItem[] };
  keys: { setScopes(key: string, scopes: string[]): void; setStatus(key: string, status: KeyStatus): void };
  grants: { set(clientId: string, patch: { status?: "active" | "revoked"; permissions?: string[] }): void };
  /** Every seeded record, for tests to pick IDs from (read-only view). */
  store: SandboxStore;
  /** Back to the seed: data, keys, grants, uploads, faults and the request log. */
  reset(): void;
  close(): Promise<void>;
}

export { MAX_HANG_MS, type FaultSpec } from "./faults.js";
export { LOGGED_BODY_MAX, type RequestLogEntry } from "./server.js";
export type { SandboxStore } from "./store.js";
export type {
  ActivityItem,
  Followup,
  Grant,
  HostedPage,
  KeyStatus,
  Lead,
  LeadMagnet,
  Post,
  PostMetrics,
  PostTheme,
  UserProfile,
} from "./records.js";
export { DEMO, HOSTILE_STRINGS, LARGE_SCALE, type SandboxScale } from "./seed.js";
export { ROUTE_TEMPLATES } from "./routes.js";
export { IMAGE_BUCKET, DOCUMENT_BUCKET } from "./media.js";

/** Answers a request the HTTP parser refused (garbage headers) with a JSON 400/431, then closes. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
  const status = tooLarge ? 431 : 400;
  const requestId = makeRequestId();
  const body = JSON.stringify({
    error: { code: "bad_request", message: tooLarge ? "Request headers are too large." : "Malformed HTTP request." },
    request_id: requestId,
  });
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port must be an integer from 0 to 65535, got ${String(port)}`);
  const host = options.host ?? "127.0.0.1";
  const signedUrlTtlMs = options.signedUrlTtlMs ?? 60_000;
  const now = options.now ?? ((): Date => new Date());
  const routes = new RouteTable(options.renameRoutes ?? {});

  let origin = "";
  const scale = options.scale ?? "small";
  if (scale !== "small" && scale !== "large") throw new RangeError(`scale must be "small" or "large", got ${String(scale)}`);
  const store = new StoreState(now, scale);
  const media = new MediaState();
  const state: SandboxState = { store, media, now, origin: () => origin, signedUrlTtlMs };
  const faults = new FaultQueue();
  const requestLog = new RequestLog();

  const sleepers = new Set<() => void>();
  const sleep = (ms: number, cancel?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        cancel?.removeEventListener("abort", wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
      if (cancel?.aborted === true) wake();
      else cancel?.addEventListener("abort", wake, { once: true });
    });

  const server = createServer(
    { keepAliveTimeout: 5_000, requestTimeout: 60_000, headersTimeout: 30_000 },
    createRequestListener({ state, routes, faults, requestLog, log: options.log, sleep }),
  );
  server.on("clientError", answerClientError);
  await listen(server, port, host);
  const address = server.address() as AddressInfo;
  origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  let closing: Promise<void> | null = null;
  const sandbox: Sandbox = {
    origin,
    baseUrl: `${origin}/api/v1`,
    port: address.port,
    scale,
    faults: { inject: (spec) => faults.inject(spec), clear: () => faults.clear() },
    requests: () => requestLog.snapshot(),
    clearRequests: () => requestLog.clear(),
    media: { get: (bucket, path) => media.get(bucket, path), expireUploadUrls: () => media.expireUploadUrls(), issued: () => media.issued() },
    records: { leadsOf: (userId) => store.liveLeads(userId), activityOf: (userId) => store.liveActivity(userId) },
    keys: {
      setScopes(key, scopes) {
        const record = store.keyRecord(key);
        if (record === undefined) throw new Error("sandbox.keys.setScopes: unknown key");
        record.scopes = [...scopes];
      },
      setStatus(key, status) {
        const record = store.keyRecord(key);
        if (record === undefined) throw new Error("sandbox.keys.setStatus: unknown key");
        record.status = status;
      },
    },
    grants: {
      set(clientId, patch) {
        const records = store.grantsOnClient(clientId);
        if (records.length === 0) throw new Error(`sandbox.grants.set: no grant on client ${clientId}`);
        for (const record of records) {
          if (patch.status !== undefined) record.grant.status = patch.status;
          if (patch.permissions !== undefined) record.grant.permissions = [...patch.permissions];
          record.grant.updated_at = now().toISOString();
        }
      },
    },
    store,
    reset() {
      store.reset();
      media.clear();
      faults.clear();
      requestLog.clear();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const wake of [...sleepers]) wake();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return sandbox;
}
