import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ApiSuccess } from "./api/client.js";
import type { FindResult } from "./find/render.js";
import type { ApiError } from "./api/errors.js";
import { REQUEST_ID_PATTERN } from "./contract.js";
import { rememberItemsJson } from "./json.js";
import { sanitizeText } from "./safety/sanitize.js";
import { secrets } from "./safety/secrets.js";
import type { ShapeSettings, ToolDefinition } from "./tools/types.js";

/**
 * Turning API answers into tool results: third-party text made inert, secrets scrubbed, a
 * compact text rendering beside `structuredContent`, and errors the model can act on.
 */

const SCAN_STOPS = ["limit", "max_scan", "time", "cancelled", "rate_limited"] as const;

/**
 * Output schema of the list tools: the items (concise or detailed), where they came from, the
 * scan's account when filtered, and how to go on. Every field is also in the text's header
 * line, which says in words what each means; here the names and types carry it.
 */
export const listOutputSchema = z.object({
  data: z.array(z.unknown()),
  offset: z.number(),
  complete: z.boolean(),
  next_offset: z.number().optional(),
  filters: z.looseObject({}).optional(),
  scanned: z.number().optional(),
  matched: z.number().optional(),
  stopped_by: z.enum(SCAN_STOPS).optional(),
  retry_after_seconds: z.number().optional(),
  omitted: z.number().optional(),
  request_id: z.string().optional(),
  notice: z.string().optional(),
});

/** The data as the model may see it: each record through the tool's shaper, if it has one (third-party text made inert). */
export function shapeData(op: ToolDefinition, data: unknown, settings: ShapeSettings): unknown {
  const shaper = op.shape;
  if (!shaper) return data;
  return Array.isArray(data) ? data.map((record) => shaper.record(record, settings)) : shaper.record(data, settings);
}

/** The answer's body holds nothing secret-shaped, so its shaped values need no scrubbing. */
export function isSecretFree(bodyText: string): boolean {
  return !secrets.containsSecret(bodyText);
}

export function successResult(op: ToolDefinition, success: ApiSuccess, settings: ShapeSettings): CallToolResult {
  const data = shapeData(op, success.data, settings);
  const notice = op.shape?.notice?.(settings);
  const structured: Record<string, unknown> = { data, request_id: success.requestId };
  if (notice) structured.notice = notice;
  // Shaping only removes or wraps text, so an answer found free of secrets stays free of them.
  return render(`${op.name}: ok.`, structured, { notice, scrubbed: isSecretFree(success.bodyText) });
}

/** A list answer without a list (§6 promises one): nothing is shown. */
export function invalidListAnswer(op: ToolDefinition, success: ApiSuccess): CallToolResult {
  return errorText(
    `${op.name} failed: invalid response. LeadPanther answered HTTP ${success.status} without a list of ${plural(op.noun, 2)} in data (request_id: ${safeRequestId(success.requestId)}). Nothing is shown. Try again in a little while; if it persists, the operator can run \`leadpanther-mcp doctor\` and quote the request_id.`,
  );
}

/**
 * A list result: both channels as composed (the same items, cut at the same one), with the
 * tool's notice and the request id added to each. Its values were withheld where secret-shaped
 * before it was composed ({@link withholdSecrets}), value by value: a rule run over the joined
 * text would read neighbouring cells of a row as one value (a bare URL and the cells after it as
 * one signed URL) and cut them from the text alone.
 */
export function listResult(
  op: ToolDefinition,
  composed: FindResult,
  options: { requestId: string | undefined; settings: ShapeSettings; withheld: boolean; caveat?: string | undefined },
): CallToolResult {
  // Each notice on its own line of the text, all of them in structured `notice`.
  const notices = [options.caveat, composed.notice, op.shape?.notice?.(options.settings)].filter((part): part is string => part !== undefined);
  if (options.withheld) notices.push(WITHHELD_NOTICE);
  const structured: Record<string, unknown> = { ...composed.structured };
  if (options.requestId !== undefined) structured.request_id = safeRequestId(options.requestId);
  if (notices.length > 0) structured.notice = notices.join(" ");
  // Detailed items go out as the JSON their text lines already hold.
  if (composed.itemsJson !== undefined) rememberItemsJson(composed.structured.data, composed.itemsJson);
  // The notices go under the header line; the item lines (tens of kilobytes) are kept as one string.
  const headerEnd = composed.text.indexOf("\n");
  const header = headerEnd === -1 ? composed.text : composed.text.slice(0, headerEnd);
  const lines = [header, ...notices];
  if (headerEnd !== -1) lines.push(composed.text.slice(headerEnd + 1));
  if (typeof structured.request_id === "string") lines.push(`request_id: ${structured.request_id}`);
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: structured };
}

export interface RenderOptions {
  notice?: string | undefined;
  /** The values are known to hold nothing secret-shaped (checked on the raw answer). */
  scrubbed?: boolean;
}

/** Said when a result had values withheld as secret-shaped: the model must not write them back. */
export const WITHHELD_NOTICE =
  "Some values looked like secrets (a token, a signed URL, a key) and are shown as [REDACTED] or [REDACTED_SIGNED_URL]; LeadPanther still holds the real values. Do not send these markers back: leave such fields out of an update.";

export function render(summary: string, structured: Record<string, unknown>, options: RenderOptions = {}): CallToolResult {
  let { clean, withheld } = withholdSecrets(structured, options.scrubbed === true);
  if (withheld) clean = { ...clean, notice: typeof clean.notice === "string" ? `${clean.notice} ${WITHHELD_NOTICE}` : WITHHELD_NOTICE };
  const lines = [secrets.scrub(summary)];
  if (options.notice) lines.push(secrets.scrub(options.notice));
  if (withheld) lines.push(WITHHELD_NOTICE);
  lines.push(JSON.stringify(clean.data ?? null));
  if ("request_id" in clean) clean = { ...clean, request_id: safeRequestId(clean.request_id) };
  lines.push(`request_id: ${secrets.scrub(String(clean.request_id))}`);
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: clean };
}

/**
 * A JSON-like value with secret-shaped values withheld, and whether any value was. scrubDeep
 * copies whenever the one-pass check suspects something; `withheld` is true only if a value changed.
 */
export function withholdSecrets<T>(value: T, knownFree: boolean): { clean: T; withheld: boolean } {
  if (knownFree || !secrets.containsSecret(JSON.stringify(value) ?? "")) return { clean: value, withheld: false };
  const clean = secrets.scrubDeep(value);
  return { clean, withheld: clean !== value && JSON.stringify(clean) !== JSON.stringify(value) };
}

/** An error result: never structured (its shape is not the tool's output schema), never a stack. */
export function errorText(text: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: secrets.scrub(text) }] };
}

export function apiErrorResult(op: ToolDefinition, error: ApiError, hint: string): CallToolResult {
  const what =
    error.kind === "http"
      ? error.code !== undefined
        ? `${error.code} (HTTP ${error.status})`
        : `HTTP ${error.status}`
      : error.kind === "invalid_response"
        ? `invalid response${error.status ? ` (HTTP ${error.status})` : ""}`
        : error.kind;
  const lines = [
    `${op.name} failed: ${what}. ${sanitizeApiMessage(error.message)}`,
    `request_id: ${safeRequestId(error.requestId)}`,
  ];
  if (op.effect !== "read") {
    lines.push(
      `outcome: ${error.outcome === "not_applied" ? "not applied" : error.outcome === "applied" ? "applied (answer unreadable)" : "UNKNOWN"}`,
    );
  }
  if (error.attempts > 1) lines.push(`attempts: ${error.attempts}`);
  lines.push(`what to do: ${hint}`);
  return errorText(lines.join("\n"));
}

/**
 * LeadPanther's own message, one line, bounded and sanitized like third-party text: it is the
 * API's text, but a proxy in between or an API quoting input back can put anything in it.
 */
function sanitizeApiMessage(message: string): string {
  const oneLine = message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
  return sanitizeText(oneLine, { maxLength: 300 });
}

/** A request id as the contract shapes them (§7); anything else is not shown to the model. */
export function safeRequestId(value: unknown): string {
  return typeof value === "string" && REQUEST_ID_PATTERN.test(value) ? value : "(LeadPanther sent no usable request id)";
}

function plural(noun: string, count: number): string {
  if (count === 1) return noun;
  if (noun.endsWith("y") && !noun.endsWith("ay")) return `${noun.slice(0, -1)}ies`;
  if (noun === "analytics" || noun === "media") return noun;
  return `${noun}s`;
}
