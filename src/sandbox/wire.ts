/**
 * What goes on the wire: envelopes (§6), request IDs (§7), error codes (§8), and the one
 * response shape every part of the sandbox returns before it is written.
 */
import { randomBytes } from "node:crypto";
import { ERROR_STATUS, type ErrorCode } from "../contract.js";

/**
 * `rate_limited` is not an error code of the contract (§8: rate limits are not published);
 * it exists only for the 429 fault so a client sees a plausible envelope.
 */
export type SandboxErrorCode = ErrorCode | "rate_limited";

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = code === "rate_limited" ? 429 : ERROR_STATUS[code];
  }
}

export const badRequest = (message: string): ApiError => new ApiError("bad_request", message);
export const notFound = (message = "The requested route or resource was not found."): ApiError =>
  new ApiError("not_found", message);
export const forbidden = (message: string): ApiError => new ApiError("forbidden", message);
export const conflict = (message: string): ApiError => new ApiError("conflict", message);

/** A response ready to be written; `closeConnection` adds `Connection: close`. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  closeConnection?: boolean;
}

export interface Pagination {
  limit: number;
  offset: number;
  has_more: boolean;
}

/** What a route handler returns; the server wraps it in the §6 envelope. */
export interface HandlerResult {
  status?: number;
  data: unknown;
  pagination?: Pagination;
}

const JSON_TYPE = "application/json; charset=utf-8";

export function jsonWire(status: number, payload: unknown, requestId: string | null, extraHeaders: Record<string, string> = {}): WireResponse {
  const headers: Record<string, string> = {
    "content-type": JSON_TYPE,
    "cache-control": "no-store",
    ...extraHeaders,
  };
  if (requestId !== null) headers["x-request-id"] = requestId;
  return { status, headers, body: Buffer.from(JSON.stringify(payload), "utf8") };
}

export function successWire(result: HandlerResult, requestId: string): WireResponse {
  const payload =
    result.pagination === undefined
      ? { data: result.data, request_id: requestId }
      : { data: result.data, pagination: result.pagination, request_id: requestId };
  return jsonWire(result.status ?? 200, payload, requestId);
}

export function errorWire(error: ApiError, requestId: string): WireResponse {
  return jsonWire(error.status, { error: { code: error.code, message: error.message }, request_id: requestId }, requestId, error.headers);
}

/** §7: server-made IDs are `req_` followed by 24 characters (here: lowercase hex). */
export function makeRequestId(): string {
  return `req_${randomBytes(12).toString("hex")}`;
}
