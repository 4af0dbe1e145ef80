/** The doctor's findings, as `--json` prints them. */
import type { HttpMethod, Provenance } from "../catalog.js";

export interface DoctorIo {
  out(line: string): void;
}

export type RouteResult = "ok" | "missing" | "forbidden" | "unverified" | "error";
export interface RouteCheck {
  tool: string;
  method: HttpMethod;
  /** The path template the server uses for this key (direct or nested agency route). */
  route: string;
  provenance: Provenance;
  /** What was sent, e.g. "GET ?limit=1" or "PUT (expects 405)"; null when nothing was sent. */
  probe: string | null;
  result: RouteResult;
  status?: number;
  code?: string;
  allow?: string;
  requestId?: string;
  detail: string;
}

export interface DoctorReport {
  version: string;
  exitCode: 0 | 1 | 2;
  settings: {
    baseUrl: string;
    sandbox: boolean;
    readOnly: boolean;
    toolsets: string[];
    clientId: string | null;
    timeoutMs: number;
    key: { prefix: string | null; length: number } | null;
  };
  problems: string[];
  api: { ok: boolean; name?: string; version?: string; requestId?: string; detail: string } | null;
  me: { ok: boolean; actorType?: string; scopes?: string[]; owner?: Record<string, unknown>; requestId?: string; detail: string } | null;
  probeClient: { userId: string; name: string | null; grantStatus: string | null; permissions: string[] | null } | null;
  exposedTools: string[];
  routes: RouteCheck[];
  summary: Record<RouteResult, number>;
}
