/**
 * Fault injection for tests: a programmatic queue, never reachable over HTTP.
 *
 * A spec matches on method (any when omitted) and on the path relative to /api/v1 without
 * its query (storage PUTs: "/storage/<bucket>/<object path>"). Specs are tried in the order
 * they were injected; the first one that matches is used once and dropped when its `times`
 * are spent.
 *
 * Each kind acts either before the request is handled (nothing is applied) or after the
 * handler ran (a write IS applied, its answer lost or replaced): "status", "html",
 * "reset-before-apply" and "hang-before-apply" before; "reset-after-apply",
 * "status-after-apply", "hang-after-apply" and "truncated-json" after; "delay" waits, then
 * handles the request normally (unless the client gave up meanwhile).
 */

/** A 5xx answered with an `internal_error` envelope. */
type ServerErrorStatus = 500 | 502 | 503 | 504;

/** The longest a hang holds a request when no `ms` is given (a client timeout ends it sooner). */
export const MAX_HANG_MS = 600_000;

export type FaultSpec = {
  method?: string;
  path: string | RegExp;
  /** How many of the next matching requests it hits; default 1. */
  times?: number;
} & (
  | { kind: "status"; status: 429 | ServerErrorStatus; retryAfter?: string }
  | { kind: "status-after-apply"; status: ServerErrorStatus }
  | { kind: "delay"; ms: number }
  | { kind: "reset-before-apply" }
  | { kind: "reset-after-apply" }
  /**
   * No answer: the request is held until the client closes the connection (its timeout), `ms`
   * pass (default MAX_HANG_MS) or the sandbox closes; then the connection is dropped.
   */
  | { kind: "hang-before-apply"; ms?: number }
  | { kind: "hang-after-apply"; ms?: number }
  | { kind: "html"; status?: number }
  | { kind: "truncated-json" }
);

/** Kinds that let the handler run (and a write apply) before they act. */
const ACT_AFTER_HANDLING: ReadonlySet<FaultSpec["kind"]> = new Set(["delay", "reset-after-apply", "status-after-apply", "hang-after-apply", "truncated-json"]);

export function actsBeforeHandling(fault: FaultSpec): boolean {
  return !ACT_AFTER_HANDLING.has(fault.kind);
}

const SERVER_ERROR_STATUSES: readonly number[] = [500, 502, 503, 504];

interface ArmedFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultQueue {
  private armed: ArmedFault[] = [];

  inject(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`FaultSpec.times must be a positive integer, got ${String(spec.times)}`);
    }
    if (spec.kind === "delay" && (!Number.isFinite(spec.ms) || spec.ms < 0)) {
      throw new RangeError(`FaultSpec.ms must be a non-negative number, got ${String(spec.ms)}`);
    }
    if ((spec.kind === "hang-before-apply" || spec.kind === "hang-after-apply") && spec.ms !== undefined && (!Number.isFinite(spec.ms) || spec.ms < 0 || spec.ms > MAX_HANG_MS)) {
      throw new RangeError(`FaultSpec.ms of a hang must be from 0 to ${MAX_HANG_MS}, got ${String(spec.ms)}`);
    }
    if (spec.kind === "status-after-apply" && !SERVER_ERROR_STATUSES.includes(spec.status)) {
      throw new RangeError(`FaultSpec.status of status-after-apply must be one of ${SERVER_ERROR_STATUSES.join(", ")}, got ${String(spec.status)}`);
    }
    if (spec.kind === "html" && spec.status !== undefined && (spec.status < 100 || spec.status > 599)) {
      throw new RangeError(`FaultSpec.status must be an HTTP status, got ${String(spec.status)}`);
    }
    this.armed.push({ spec, remaining: times });
  }

  clear(): void {
    this.armed = [];
  }

  /** The fault to apply to this request, if any (consumes one use of it). */
  take(method: string, path: string): FaultSpec | undefined {
    if (this.armed.length === 0) return undefined;
    for (let index = 0; index < this.armed.length; index++) {
      const fault = this.armed[index];
      if (fault === undefined || !matches(fault.spec, method, path)) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.armed.splice(index, 1);
      return fault.spec;
    }
    return undefined;
  }
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== method) return false;
  if (typeof spec.path === "string") return spec.path === path;
  // A global or sticky RegExp keeps lastIndex between calls; reset it so matching is stateless.
  spec.path.lastIndex = 0;
  return spec.path.test(path);
}
