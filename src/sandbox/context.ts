/**
 * What a route handler gets: the checked request (auth, route, scope, grant, query and body
 * shape already done by the server) and the sandbox's state.
 */
import type { KeyRecord } from "./records.js";
import type { AccountState, StoreState } from "./store.js";
import type { MediaState } from "./media-state.js";
import type { HandlerResult } from "./wire.js";
import type { JsonObject } from "./validate.js";

export interface Page {
  limit: number;
  offset: number;
}

export interface SandboxState {
  store: StoreState;
  media: MediaState;
  now: () => Date;
  /** "http://127.0.0.1:PORT", known once the server listens. */
  origin: () => string;
  signedUrlTtlMs: number;
}

export interface RequestContext {
  method: string;
  /** Path parameters; UUID parameters are validated and lowercased. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Pagination of list routes (defaults applied). */
  page: Page;
  /** The parsed JSON object body of POST/PATCH routes; `{}` elsewhere. */
  body: JsonObject;
  key: KeyRecord;
  /**
   * The account the route works on: the direct user's own for direct routes, the client's for
   * nested /clients/{clientId}/… routes; null for /me and /clients.
   */
  account: AccountState | null;
  requestId: string;
  now: Date;
  state: SandboxState;
}

export type Handler = (context: RequestContext) => HandlerResult;

/** The account of an account route (direct or nested); the server always sets it for those. */
export function accountOf(context: RequestContext): AccountState {
  if (context.account === null) throw new Error("route handler needs an account but none was resolved");
  return context.account;
}

export function routeParam(context: RequestContext, name: string): string {
  const value = context.params[name];
  if (value === undefined) throw new Error(`route has no parameter ${name}`);
  return value;
}
