import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { ERROR_STATUS, PAGINATION, REQUEST_ID_HEADER, REQUEST_ID_PATTERN, type ErrorCode, type HttpMethod } from "../contract.js";
import type { Logger } from "../log.js";
import { isRecord } from "../json.js";
import { ApiError, describeTransportProblem, type TransportProblem, type WriteOutcome } from "./errors.js";
import { errorCodeOf, httpRequest, neverConnected, readBodyText } from "./http.js";



export interface ApiRequest {
  method: HttpMethod;
  /** Relative to the base URL, placeholders already filled. */
  path: string;
  /** The path template, for logs (ids are not logged). */
  route: string;
  query?: Record<string, string | number | undefined>;
  body?: Record<string, unknown>;
  /** `GET /` is the only call without the key. */
  authenticated: boolean;
  signal?: AbortSignal;
}

export interface Pagination {
  limit: number;
  offset: number;
  has_more: boolean;
}

export interface ApiSuccess {
  status: number;
  data: unknown;
  pagination: Pagination | undefined;
  requestId: string;
  /** The raw body of the answer ("" for an empty body), for checks on the answer as sent. */
  bodyText: string;
}

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string | undefined;
  dispatcher: Dispatcher;
  /** Deadline of one call, all attempts and waits included. */
  timeoutMs: number;
  logger: Logger;
  /** Attempts for a retryable read (first try included). */
  maxAttempts?: number;
  /** First backoff step; doubled each time, with full jitter. */
  backoffBaseMs?: number;
  /** Words a call that got no answer; the layer above names its settings here. Default: no setting named. */
  describeProblem?: (problem: TransportProblem) => string;
}

/** Statuses after which a read is tried again (contract §8: internal_error says "retry later"; §8 rate limits). */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Largest response this client reads; a bigger one is an invalid response, not an out-of-memory. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * The LeadPanther API client: auth header, a request ID on every call, one deadline, envelope
 * parsing, and a retry policy that never sends a write twice unless the first one provably
 * never left this machine.
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly describeProblem: (problem: TransportProblem) => string;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.dispatcher = options.dispatcher;
    this.timeoutMs = options.timeoutMs;
    this.describeProblem = options.describeProblem ?? ((problem) => describeTransportProblem(problem));
    this.logger = options.logger;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.backoffBaseMs = options.backoffBaseMs ?? 250;
  }

  get dispatcherForUploads(): Dispatcher {
    return this.dispatcher;
  }

  async call(req: ApiRequest): Promise<ApiSuccess> {
    const deadline = Date.now() + this.timeoutMs;
    const baseRequestId = `lpmcp-${randomUUID()}`;
    const isRead = req.method === "GET";
    let attempt = 0;
    for (;;) {
      attempt += 1;
      const requestId = attempt === 1 ? baseRequestId : `${baseRequestId}.${attempt}`;
      const remaining = deadline - Date.now();
      const outcome = await this.attempt(req, requestId, remaining, attempt);
      if (outcome.ok) return outcome.success;
      const { error, retryable, retryAfterMs } = outcome;
      const canRetry = attempt < this.maxAttempts && retryable && (isRead || neverConnectedError(error));
      if (!canRetry) throw error;
      const backoff = Math.random() * this.backoffBaseMs * 2 ** (attempt - 1);
      const wait = Math.max(backoff, retryAfterMs ?? 0);
      if (Date.now() + wait >= deadline) throw error;
      this.logger.debug("retrying LeadPanther call", {
        method: req.method,
        route: req.route,
        attempt: attempt + 1,
        wait_ms: Math.round(wait),
        reason: error.code ?? error.kind,
      });
      await sleep(wait, undefined, req.signal ? { signal: req.signal } : undefined);
    }
  }

  /**
   * One attempt under its own deadline. The timer is cleared as soon as the attempt ends
   * (AbortSignal.timeout would keep every signal alive for the whole timeout, which under load
   * means thousands of live timers).
   */
  private async attempt(req: ApiRequest, requestId: string, remainingMs: number, attempt: number): ReturnType<ApiClient["attemptWithin"]> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), Math.max(1, remainingMs));
    const forwardAbort = (): void => deadline.abort();
    req.signal?.addEventListener("abort", forwardAbort, { once: true });
    try {
      return await this.attemptWithin(req, requestId, deadline.signal, attempt);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", forwardAbort);
    }
  }

  private async attemptWithin(
    req: ApiRequest,
    requestId: string,
    signal: AbortSignal,
    attempt: number,
  ): Promise<
    | { ok: true; success: ApiSuccess }
    | { ok: false; error: ApiError; retryable: boolean; retryAfterMs?: number | undefined }
  > {
    const isWrite = req.method !== "GET";
    const started = Date.now();
    const url = this.urlFor(req);
    const headers: Record<string, string> = {
      accept: "application/json",
      [REQUEST_ID_HEADER]: requestId,
      "user-agent": "leadpanther-mcp",
    };
    if (req.authenticated && this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] = "application/json";
    }
    const timedOut = (): boolean => signal.aborted && !req.signal?.aborted;

    let response: Dispatcher.ResponseData;
    try {
      response = await httpRequest(url, { method: req.method, headers, body, signal, dispatcher: this.dispatcher });
      // A read redirected on the same host (one that adds or drops a trailing slash, as on
      // GET /) is followed once, key included. Writes never are: a 307 would resend the body.
      const redirect = isWrite ? undefined : sameOriginRedirect(url, response);
      if (redirect !== undefined) {
        await response.body.dump().catch(() => undefined);
        response = await httpRequest(redirect, { method: req.method, headers, signal, dispatcher: this.dispatcher });
      }
    } catch (cause) {
      const didTimeOut = timedOut();
      const connected = !neverConnected(cause);
      const outcome: WriteOutcome = isWrite ? (connected ? "unknown" : "not_applied") : "not_applied";
      this.logger.debug("LeadPanther call failed without an answer", {
        method: req.method,
        route: req.route,
        request_id: requestId,
        error: errorCodeOf(cause) ?? (didTimeOut ? "timeout" : "network"),
        attempt,
      });
      const problem: TransportProblem = didTimeOut
        ? { kind: "no_answer_in_time", timeoutMs: this.timeoutMs }
        : { kind: "network", host: new URL(this.baseUrl).host, code: errorCodeOf(cause) };
      const error = new ApiError({
        kind: didTimeOut ? "timeout" : "network",
        message: this.describeProblem(problem),
        problem,
        requestId,
        attempts: attempt,
        outcome,
      });
      return { ok: false, error, retryable: !didTimeOut };
    }

    const status = response.statusCode;
    // The API's request id reaches the model and the logs: one that is not the contract's
    // shape (1–128 of letters, digits, . _ : -) is not used; the id this client sent is.
    const serverRequestId = validRequestId(headerValue(response.headers[REQUEST_ID_HEADER])) ?? requestId;
    let text: string;
    try {
      const read = await readBodyText(response.body, MAX_RESPONSE_BYTES);
      if (!read.complete) throw new ResponseTooLarge();
      text = read.text;
    } catch (cause) {
      const didTimeOut = timedOut();
      const problem: TransportProblem | undefined = didTimeOut ? { kind: "answer_unfinished_in_time", timeoutMs: this.timeoutMs, status } : undefined;
      const error = new ApiError({
        kind: didTimeOut ? "timeout" : "invalid_response",
        problem,
        message: problem
          ? this.describeProblem(problem)
          : `LeadPanther's answer (HTTP ${status}) broke off before it was complete${cause instanceof ResponseTooLarge ? " (it exceeded 32 MiB)" : ""}.`,
        status,
        requestId: serverRequestId,
        attempts: attempt,
        outcome: isWrite ? (status >= 200 && status < 300 ? "applied" : "unknown") : "not_applied",
      });
      return { ok: false, error, retryable: !didTimeOut && status >= 500 };
    }

    this.logger.debug("LeadPanther call", {
      method: req.method,
      route: req.route,
      status,
      request_id: serverRequestId,
      ms: Date.now() - started,
      attempt,
    });

    const parsed = parseJson(text);
    const envelopeRequestId = (isRecord(parsed) ? validRequestId(parsed.request_id) : undefined) ?? serverRequestId;

    if (status >= 200 && status < 300) {
      if (text.trim() === "") {
        // Not what the contract describes (every answer carries a body), but a bodiless 2xx
        // (204) is still a success and must not be reported as a failure.
        return { ok: true, success: { status, data: null, pagination: undefined, requestId: envelopeRequestId, bodyText: "" } };
      }
      if (parsed === undefined) {
        const error = new ApiError({
          kind: "invalid_response",
          message: `LeadPanther answered HTTP ${status} but the body is not valid JSON (possibly cut off).`,
          status,
          requestId: envelopeRequestId,
          attempts: attempt,
          outcome: isWrite ? "applied" : "not_applied",
        });
        return { ok: false, error, retryable: !isWrite };
      }
      // The contract's envelope is { data, request_id, pagination? }. A JSON answer without
      // `data` (e.g. a bare object) is still a success: its own fields are the data.
      let data: unknown = parsed;
      if (isRecord(parsed)) {
        if ("data" in parsed) {
          data = parsed.data;
        } else {
          const { request_id: _requestId, pagination: _pagination, ...rest } = parsed;
          data = Object.keys(rest).length > 0 ? rest : null;
        }
      }
      return {
        ok: true,
        success: {
          status,
          data,
          pagination: parsePagination(isRecord(parsed) ? parsed.pagination : undefined, req.query),
          requestId: envelopeRequestId,
          bodyText: text,
        },
      };
    }

    const envelope = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
    // The contract's error envelope, else a bare {"error": "forbidden"}, else the code the
    // contract pairs with the HTTP status: a refusal keeps its meaning (and its hint) even when
    // a proxy or another implementation words it differently.
    const statedCode =
      typeof envelope?.code === "string"
        ? envelope.code
        : isRecord(parsed) && typeof parsed.error === "string" && /^[a-z_]{3,40}$/.test(parsed.error)
          ? parsed.error
          : undefined;
    const code = statedCode ?? codeForStatus(status);
    const apiMessage = typeof envelope?.message === "string" ? envelope.message : undefined;
    const retryAfterMs = parseRetryAfter(headerValue(response.headers["retry-after"]));
    // A 4xx (and a 501: not implemented) is a refusal: nothing was applied. A 5xx or a
    // non-JSON answer to a write could have been sent by a proxy after the API acted, so its
    // outcome is unknown.
    const refused = status < 500 || status === 501;
    const outcome: WriteOutcome = !isWrite || refused ? "not_applied" : "unknown";
    const error = new ApiError({
      // A 429 has no code in the contract (§8: rate limits are not published) but is a plain refusal.
      kind: code !== undefined || status === 429 ? "http" : "invalid_response",
      code,
      status,
      message: envelope
        ? (apiMessage ?? `LeadPanther answered ${code ?? "an error"}.`)
        : status === 429
          ? "LeadPanther answered HTTP 429: too many requests."
          : `LeadPanther answered HTTP ${status} with ${looksLikeHtml(text) ? "an HTML page" : "a body that is not its JSON error envelope"}.`,
      requestId: envelopeRequestId,
      retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
      attempts: attempt,
      outcome,
    });
    return { ok: false, error, retryable: RETRYABLE_STATUSES.has(status), retryAfterMs };
  }

  /**
   * The request's URL, parsed once (httpRequest takes it as is). The query is encoded here:
   * filling it through URL#searchParams re-serialises the whole URL at every parameter, a
   * measurable part of a list call. Each value is percent-encoded (a space as %20).
   */
  private urlFor(req: ApiRequest): URL {
    const pairs: string[] = [];
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) pairs.push(`${queryComponent(key)}=${queryComponent(String(value))}`);
    }
    return new URL(pairs.length === 0 ? this.baseUrl + req.path : `${this.baseUrl}${req.path}?${pairs.join("&")}`);
  }
}

/**
 * A query key or value percent-encoded. Half of a surrogate pair cannot be encoded (it makes
 * encodeURIComponent throw); it goes as U+FFFD, as URLSearchParams writes it.
 */
function queryComponent(value: string): string {
  return encodeURIComponent(value.replace(/\p{Cs}/gu, "\uFFFD"));
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Where a redirect answer points, if it is a redirect to the same origin; else undefined. */
function sameOriginRedirect(from: URL, response: Dispatcher.ResponseData): string | undefined {
  if (!REDIRECT_STATUSES.has(response.statusCode)) return undefined;
  const location = headerValue(response.headers.location);
  if (location === undefined) return undefined;
  try {
    const target = new URL(location, from);
    return target.origin === from.origin && target.href !== from.href ? target.href : undefined;
  } catch {
    return undefined;
  }
}

function neverConnectedError(error: ApiError): boolean {
  return error.kind === "network" && error.outcome === "not_applied";
}

class ResponseTooLarge extends Error {}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The list's pagination. `has_more` is what matters; a missing limit or offset is taken from
 * the request (or the contract's defaults) rather than discarding what the API did say.
 */
function parsePagination(value: unknown, query: ApiRequest["query"]): Pagination | undefined {
  if (!isRecord(value) || typeof value.has_more !== "boolean") return undefined;
  const requestedOffset = Number(query?.offset ?? 0);
  const requestedLimit = Number(query?.limit ?? PAGINATION.defaultLimit);
  return {
    limit: typeof value.limit === "number" ? value.limit : requestedLimit,
    offset: typeof value.offset === "number" ? value.offset : requestedOffset,
    has_more: value.has_more,
  };
}

/** The contract's error code for an HTTP status (§8), for answers that do not name one. */
function codeForStatus(status: number): string | undefined {
  return (Object.keys(ERROR_STATUS) as ErrorCode[]).find((candidate) => ERROR_STATUS[candidate] === status);
}

function validRequestId(value: unknown): string | undefined {
  return typeof value === "string" && REQUEST_ID_PATTERN.test(value) ? value : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After as seconds or an HTTP date (RFC 9110), in milliseconds; capped at 10 minutes. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, 600_000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), 600_000);
}

function looksLikeHtml(text: string): boolean {
  return /^\s*<(!doctype|html|head|body)/i.test(text);
}
