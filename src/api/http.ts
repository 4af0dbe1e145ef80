import type { Dispatcher } from "undici";
// undici's index loads all it offers — fetch, WebSocket, caches, mocks, about 540 KB bundled —
// and this server needs two of its parts: the Agent and Dispatcher#request. Loading only those
// roughly halves the CLI bundle, which the MCP client waits on at every launch, and the
// server's resident memory with it. Both are undici's public objects (the index re-exports
// them unchanged); only the paths are internal, and undici is pinned to an exact version.
import Agent from "undici/lib/dispatcher/agent.js";
import dispatcherRequest from "undici/lib/api/api-request.js";

export interface HttpTimeouts {
  /** Connecting (TCP + TLS) may take at most this long. */
  connectMs: number;
  /** Between sending the request and receiving the response headers. */
  headersMs: number;
  /** Between two chunks of the response body. */
  bodyMs: number;
}

export function timeoutsFrom(timeoutMs: number): HttpTimeouts {
  return { connectMs: Math.min(timeoutMs, 10_000), headersMs: timeoutMs, bodyMs: timeoutMs };
}

/**
 * The one keep-alive connection pool of the process. Everything that goes on the wire — API
 * calls and uploads to signed URLs — uses the dispatcher made here, so sockets are reused and
 * every timeout is set in one place.
 */
export function createAgent(timeouts: HttpTimeouts): Dispatcher {
  return new Agent({
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    connections: 32,
  });
}

export type HttpRequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path" | "method"> & {
  method: Dispatcher.HttpMethod;
  dispatcher: Dispatcher;
};

/** One HTTP request through the given dispatcher: undici's `request(url, options)`, minus its index. */
export async function httpRequest(url: string | URL, options: HttpRequestOptions): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const target = typeof url === "string" ? new URL(url) : url;
  return dispatcherRequest.call(dispatcher, { ...rest, origin: target.origin, path: `${target.pathname}${target.search}` });
}

/**
 * A stream's bytes, read up to `maxBytes`. Longer, reading stops (the stream is paused, not
 * destroyed: an HTTP server can still answer 413 on the same socket) and `complete` is false;
 * `bytes` then holds the chunks that fit whole. A stream error or abort rejects. The one capped
 * reader for API answers, the doctor's probes and the HTTP transport's request bodies.
 */
export function readCapped(stream: NodeJS.ReadableStream, maxBytes: number): Promise<{ bytes: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanUp = (): void => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        cleanUp();
        stream.pause();
        resolve({ bytes: Buffer.concat(chunks), complete: false });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanUp();
      resolve({ bytes: Buffer.concat(chunks), complete: true });
    };
    const onError = (error: Error): void => {
      cleanUp();
      reject(error);
    };
    const onAborted = (): void => onError(new Error("the stream was aborted"));
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("aborted", onAborted);
  });
}

/** A response body as text, read up to `maxBytes`; longer, the stream is destroyed and `complete` is false. */
export async function readBodyText(body: Dispatcher.ResponseData["body"], maxBytes: number): Promise<{ text: string; complete: boolean }> {
  const { bytes, complete } = await readCapped(body, maxBytes);
  if (!complete) body.destroy();
  return { text: bytes.toString("utf8"), complete };
}

/**
 * Whether an error proves the connection was never established, so no byte of the request can
 * have reached the server: only then is a write safe to send again. A refused connection, a
 * failed name lookup and undici's connect timeout qualify; "host unreachable" only when the
 * system call was the connect itself (on an established keep-alive socket it can arrive after
 * the request was sent).
 */
const NEVER_CONNECTED_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const PRE_CONNECT_SYSCALLS = new Set(["connect", "getaddrinfo"]);

export function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function neverConnected(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const { code, syscall } = current as { code?: unknown; syscall?: unknown };
    if (code === "UND_ERR_CONNECT_TIMEOUT") return true;
    if (typeof code === "string" && NEVER_CONNECTED_CODES.has(code)) {
      return typeof syscall === "string" && PRE_CONNECT_SYSCALLS.has(syscall);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
