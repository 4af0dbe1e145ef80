/**
 * Failures of one API call, as typed errors with stable kinds (undici style). Messages never
 * carry the key, a body the server sent, or anything a stranger wrote.
 */

export type ApiErrorKind =
  /** LeadPanther answered with its error envelope (or at least an HTTP error status). */
  | "http"
  /** No answer: the connection failed or broke. */
  | "network"
  /** No answer within LEADPANTHER_TIMEOUT_MS. */
  | "timeout"
  /** An answer that is not the API's JSON (an HTML page from a proxy, a truncated body). */
  | "invalid_response";

/** Whether a write took effect: "no" (the API refused it), "unknown", or "yes" (2xx, body unreadable). */
export type WriteOutcome = "not_applied" | "unknown" | "applied";

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly kind: ApiErrorKind;
  /** LeadPanther's error code (`forbidden`, …), when it sent one. */
  readonly code: string | undefined;
  readonly status: number | undefined;
  /** The request ID to quote: the one LeadPanther returned, else the one this server sent. */
  readonly requestId: string;
  readonly retryAfterSeconds: number | undefined;
  readonly attempts: number;
  /** For writes: what is known about whether it was applied. Reads: "not_applied". */
  readonly outcome: WriteOutcome;

  constructor(init: {
    kind: ApiErrorKind;
    message: string;
    code?: string | undefined;
    status?: number | undefined;
    requestId: string;
    retryAfterSeconds?: number | undefined;
    attempts: number;
    outcome: WriteOutcome;
  }) {
    super(init.message);
    this.kind = init.kind;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.attempts = init.attempts;
    this.outcome = init.outcome;
  }
}
