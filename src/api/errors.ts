/**
 * Failures of one API call, as typed errors with stable kinds (undici style). Messages never
 * carry the key, a body the server sent, or anything a stranger wrote.
 */

export type ApiErrorKind =
  /** LeadPanther answered with its error envelope (or at least an HTTP error status). */
  | "http"
  /** No answer: the connection failed or broke. */
  | "network"
  /** No answer within the call's deadline. */
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
  /** For "network" and "timeout": what went wrong on the wire, as facts (the message words them). */
  readonly problem: TransportProblem | undefined;

  constructor(init: {
    kind: ApiErrorKind;
    message: string;
    code?: string | undefined;
    status?: number | undefined;
    requestId: string;
    retryAfterSeconds?: number | undefined;
    attempts: number;
    outcome: WriteOutcome;
    problem?: TransportProblem | undefined;
  }) {
    super(init.message);
    this.kind = init.kind;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.attempts = init.attempts;
    this.outcome = init.outcome;
    this.problem = init.problem;
  }
}

/** A call that got no (complete) answer, as facts: the API client knows no setting, the layer above words them. */
export type TransportProblem =
  | { kind: "no_answer_in_time"; timeoutMs: number }
  | { kind: "answer_unfinished_in_time"; timeoutMs: number; status: number }
  | { kind: "network"; host: string; code: string | undefined };

/** The operator settings a message may name; without them it speaks of "the API base URL" and names no setting. */
export interface ProblemSettings {
  timeoutSetting?: string;
  baseUrlSetting?: string;
}

export function describeTransportProblem(problem: TransportProblem, settings: ProblemSettings = {}): string {
  const timeoutNote = settings.timeoutSetting === undefined ? "" : ` (${settings.timeoutSetting})`;
  const baseUrl = settings.baseUrlSetting ?? "the API base URL";
  switch (problem.kind) {
    case "no_answer_in_time":
      return `LeadPanther did not answer within ${problem.timeoutMs} ms${timeoutNote}.`;
    case "answer_unfinished_in_time":
      return `LeadPanther's answer (HTTP ${problem.status}) did not finish within ${problem.timeoutMs} ms${timeoutNote}.`;
    case "network":
      return describeNetworkProblem(problem.host, problem.code, baseUrl);
  }
}

function describeNetworkProblem(host: string, code: string | undefined, baseUrl: string): string {
  switch (code) {
    case "ECONNREFUSED":
      return `Could not connect to ${host}: the connection was refused. Check ${baseUrl} and that the service is up.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Could not resolve ${host}. Check ${baseUrl} and this machine's network or DNS.`;
    case "UND_ERR_CONNECT_TIMEOUT":
      return `Connecting to ${host} timed out. Check this machine's network.`;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return `The connection to ${host} was closed before an answer arrived.`;
    case "CERT_HAS_EXPIRED":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `The TLS certificate of ${host} was not accepted (${code}). Check ${baseUrl}.`;
    default:
      return `The request to ${host} failed before an answer arrived${code ? ` (${code})` : ""}.`;
  }
}
