import { ACTOR_TYPES, WILDCARD_SCOPE, type ActorType } from "./contract.js";
import { KEY_CHECKS, type Config } from "./config.js";
import type { ApiClient } from "./api/client.js";
import { isRecord } from "./json.js";
import { ApiError } from "./api/errors.js";
import type { Logger } from "./log.js";

/** Who the key belongs to, from `GET /me` (contract §4). */
export interface Identity {
  actorType: ActorType;
  scopes: readonly string[];
  /** The raw `data` of /me, for get_me's result. */
  me: Record<string, unknown>;
}

export type AccessState =
  | { status: "ready"; identity: Identity; checkedAt: number }
  /** No usable key: nothing is sent; get_me explains how to set one. */
  | { status: "no_key"; problem: string }
  /** A setting contradicts the key (e.g. a pinned client with a direct key). */
  | { status: "misconfigured"; problem: string; identity: Identity }
  /** /me failed; retried with backoff. */
  | { status: "failing"; problem: string; error: ApiError | undefined; attempts: number; nextRetryAt: number | undefined }
  | { status: "starting" };

export function hasScope(scopes: readonly string[], scope: string): boolean {
  return scopes.includes(WILDCARD_SCOPE) || scopes.includes(scope);
}

export function parseIdentity(data: unknown): Identity | undefined {
  if (!isRecord(data)) return undefined;
  const actorType = data.actor_type;
  const scopes = data.scopes;
  if (typeof actorType !== "string" || !(ACTOR_TYPES as readonly string[]).includes(actorType)) return undefined;
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === "string")) return undefined;
  return {
    actorType: actorType as ActorType,
    scopes: scopes as string[],
    me: data,
  };
}

export interface AccessControllerOptions {
  api: ApiClient;
  config: Pick<Config, "clientId">;
  logger: Logger;
  /** A key problem found before any request (missing, quoted, …): no call is ever made. */
  keyProblem: string | undefined;
  /** Something unusual about a key that is sent anyway; added to the explanation of a 401. */
  keyWarning?: string | undefined;
  refreshEveryMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

const ME_ROUTE = { method: "GET", path: "/me", route: "/me", authenticated: true } as const;

/**
 * Keeps the answer of `GET /me` current: read at start, retried with backoff while it fails,
 * re-read every 10 minutes and soon after a `forbidden`, so the tool list follows the key.
 */
export class AccessController {
  private current: AccessState = { status: "starting" };
  private retryTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private lastForbiddenRefresh = 0;
  private inFlight: Promise<AccessState> | undefined;
  private stopped = false;
  private readonly listeners = new Set<(state: AccessState) => void>();
  private readonly refreshEveryMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: AccessControllerOptions) {
    this.refreshEveryMs = options.refreshEveryMs ?? 10 * 60_000;
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.retryMaxMs = options.retryMaxMs ?? 60_000;
    if (options.keyProblem !== undefined) this.current = { status: "no_key", problem: options.keyProblem };
  }

  get state(): AccessState {
    return this.current;
  }

  /** Calls `listener` whenever the state changes in a way that can change the tool list. */
  subscribe(listener: (state: AccessState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** First read of /me. Resolves with the state either way; failures keep retrying in the background. */
  async start(): Promise<AccessState> {
    if (this.current.status === "no_key") return this.current;
    const state = await this.refresh("start");
    this.refreshTimer = setInterval(() => void this.refresh("periodic"), this.refreshEveryMs);
    this.refreshTimer.unref();
    return state;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
  }

  /** After a `forbidden` that names a scope problem: the key may have changed. At most every 30 s. */
  noteForbidden(): void {
    if (this.current.status !== "ready") return;
    const now = Date.now();
    if (now - this.lastForbiddenRefresh < 30_000) return;
    this.lastForbiddenRefresh = now;
    void this.refresh("forbidden");
  }

  /** A fresh /me that get_me obtained: adopt it without another request. */
  observe(identity: Identity): void {
    this.apply(this.stateFor(identity));
  }

  refresh(reason: string): Promise<AccessState> {
    if (this.current.status === "no_key" || this.stopped) return Promise.resolve(this.current);
    this.inFlight ??= this.readMe(reason).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async readMe(reason: string): Promise<AccessState> {
    try {
      const result = await this.options.api.call(ME_ROUTE);
      const identity = parseIdentity(result.data);
      if (!identity) {
        return this.fail(
          "LeadPanther's GET /me answered, but not with the documented shape (actor_type and scopes are missing or unknown). Check LEADPANTHER_BASE_URL points at the LeadPanther API v1.",
          undefined,
        );
      }
      this.apply(this.stateFor(identity));
      this.options.logger.info("key checked with GET /me", {
        reason,
        actor_type: identity.actorType,
        scopes: identity.scopes.join(" "),
      });
      return this.current;
    } catch (error) {
      // Anything else (a listener that threw while applying the new state) must not become an
      // unhandled rejection of a background refresh: it is a failed read like any other.
      if (!(error instanceof ApiError)) {
        this.options.logger.error("reading GET /me failed unexpectedly", { error });
        return this.fail("Reading GET /me failed inside leadpanther-mcp; details are in the server's log. The server keeps trying.", undefined);
      }
      const explanation = explainMeFailure(error);
      return this.fail(error.code === "unauthorized" && this.options.keyWarning ? `${explanation} Also: ${this.options.keyWarning}` : explanation, error);
    }
  }

  private stateFor(identity: Identity): AccessState {
    if (identity.actorType === "direct_user" && this.options.config.clientId !== undefined) {
      return {
        status: "misconfigured",
        identity,
        problem:
          "LEADPANTHER_CLIENT_ID is set, but this key belongs to a direct user, not an agency: a direct key works on its own account only. Remove LEADPANTHER_CLIENT_ID, or use the agency's key.",
      };
    }
    return { status: "ready", identity, checkedAt: Date.now() };
  }

  private fail(problem: string, error: ApiError | undefined): AccessState {
    const previous = this.current;
    // A refresh that fails while the key worked keeps the tools: one bad answer is not a reason
    // to take them away; an explicit 401 is.
    if (previous.status === "ready" && error?.status !== 401) {
      this.options.logger.warn("re-reading GET /me failed; keeping the current tools", { problem });
      return previous;
    }
    const attempts = previous.status === "failing" ? previous.attempts + 1 : 1;
    const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2);
    const nextRetryAt = this.stopped ? undefined : Date.now() + delay;
    this.apply({ status: "failing", problem, error, attempts, nextRetryAt });
    this.options.logger.warn("GET /me failed; only get_api_info and get_me are available until it works", {
      problem,
      retry_in_ms: Math.round(delay),
    });
    if (!this.stopped) {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.refresh("retry"), delay);
      this.retryTimer.unref();
    }
    return this.current;
  }

  private apply(next: AccessState): void {
    const previous = this.current;
    this.current = next;
    if (!sameExposure(previous, next)) for (const listener of this.listeners) listener(next);
  }
}

function sameExposure(a: AccessState, b: AccessState): boolean {
  if (a.status !== "ready" || b.status !== "ready") return a.status === b.status && a.status !== "starting";
  const scopesA = [...a.identity.scopes].sort().join(" ");
  const scopesB = [...b.identity.scopes].sort().join(" ");
  return a.identity.actorType === b.identity.actorType && scopesA === scopesB;
}

export function explainMeFailure(error: ApiError): string {
  if (error.kind === "http" && error.code === "unauthorized") {
    return `LeadPanther refused the key (unauthorized, HTTP ${error.status}, request_id ${error.requestId}). ${KEY_CHECKS}`;
  }
  if (error.kind === "http" && error.code === "not_found") {
    return `GET /me was not found (HTTP 404, request_id ${error.requestId}). LEADPANTHER_BASE_URL must be the API v1 base URL, https://app.leadpanther.ai/api/v1.`;
  }
  if (error.kind === "network" || error.kind === "timeout") {
    return `${error.message} The server keeps trying; tools appear when LeadPanther answers.`;
  }
  return `GET /me failed: ${error.code ?? error.kind}${error.status ? ` (HTTP ${error.status})` : ""}, request_id ${error.requestId}. ${error.message} The server keeps trying.`;
}
