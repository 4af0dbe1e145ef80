/** The doctor's plain requests: one attempt each, nothing but GET and PUT, the raw answer kept. */
import { randomUUID } from "node:crypto";
import type { Dispatcher } from "undici";
import { errorCodeOf, httpRequest, readBodyText } from "../api/http.js";
import { SETTINGS } from "../config.js";
import { REQUEST_ID_HEADER } from "../contract.js";
import { isRecord } from "../json.js";
import { SERVER_NAME } from "../version.js";

export type ProbeMethod = "GET" | "PUT";

const MAX_PROBE_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface ProbeAnswer {
  status: number;
  /** The parsed body; undefined when it is not JSON. */
  body: unknown;
  code: string | undefined;
  allow: string | undefined;
  requestId: string;
}

export type ProbeOutcome = { ok: true; answer: ProbeAnswer } | { ok: false; failure: string; requestId: string };

/** Plain requests with the key, one attempt each, nothing but GET and PUT. */
export class Prober {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
  ) {}

  async send(method: ProbeMethod, path: string, options: { query?: Record<string, string>; authenticated?: boolean } = {}): Promise<ProbeOutcome> {
    const url = new URL(this.baseUrl.replace(/\/+$/, "") + path);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const requestId = `lpmcp-doctor-${randomUUID()}`;
    const headers: Record<string, string> = {
      accept: "application/json",
      [REQUEST_ID_HEADER]: requestId,
      "user-agent": `${SERVER_NAME}-doctor`,
    };
    if (options.authenticated !== false) headers.authorization = `Bearer ${this.apiKey}`;
    // A PUT carries a JSON array: a body no v1 operation accepts (§17), so even an API that
    // treated PUT like PATCH would have to refuse it without acting.
    const probeBody = method === "PUT" ? "[]" : undefined;
    if (probeBody !== undefined) headers["content-type"] = "application/json";
    try {
      const response = await httpRequest(url, {
        method,
        headers,
        body: probeBody,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const { text } = await readBodyText(response.body, MAX_PROBE_RESPONSE_BYTES);
      let body: unknown;
      try {
        body = text === "" ? undefined : (JSON.parse(text) as unknown);
      } catch {
        body = undefined;
      }
      const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
      const headerId = response.headers[REQUEST_ID_HEADER];
      return {
        ok: true,
        answer: {
          status: response.statusCode,
          body,
          code: typeof error?.code === "string" ? error.code : undefined,
          allow: headerText(response.headers.allow),
          requestId: isRecord(body) && typeof body.request_id === "string" ? body.request_id : (headerText(headerId) ?? requestId),
        },
      };
    } catch (cause) {
      const code = errorCodeOf(cause);
      const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
      return {
        ok: false,
        failure: timedOut
          ? `no answer within ${this.timeoutMs} ms (${SETTINGS.timeoutMs.env})`
          : `no answer from ${url.host}${code ? ` (${code})` : ""}`,
        requestId,
      };
    }
  }
}

export function requestIdOf(outcome: ProbeOutcome): string {
  return outcome.ok ? outcome.answer.requestId : outcome.requestId;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

export function describeAnswer(answer: ProbeAnswer): string {
  return `${answer.code ?? "no error code"} (HTTP ${answer.status})`;
}
