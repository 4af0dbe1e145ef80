/**
 * Fault injection for tests: a programmatic queue, never reachable over HTTP.
 *
 * A spec matches on method (any when omitted) and on the path relative to /api/v1 without
 * its query (storage PUTs: "/storage/<bucket>/<object path>"). Specs are tried in the order
 * they were injected; the first one that matches is used once and dropped when its `times`
 * are spent.
 */

export type FaultSpec = {
  method?: string;
  path: string | RegExp;
  /** How many of the next matching requests it hits; default 1. */
  times?: number;
} & (
  | { kind: "status"; status: 429 | 500 | 502 | 503 | 504; retryAfter?: string }
  | { kind: "delay"; ms: number }
  | { kind: "reset-before-apply" }
  | { kind: "reset-after-apply" }
  | { kind: "html"; status?: number }
  | { kind: "truncated-json" }
);

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
