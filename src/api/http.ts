import { Agent, type Dispatcher } from "undici";

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

/**
 * Error codes undici and Node give when no byte of the request can have reached the server:
 * the connection was never established. Only then is a write safe to send again.
 */
const NEVER_CONNECTED_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CONNECT",
]);

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
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NEVER_CONNECTED_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
