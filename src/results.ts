import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ApiSuccess, Pagination } from "./api/client.js";
import type { ApiError } from "./api/errors.js";
import { REQUEST_ID_PATTERN } from "./contract.js";
import { sanitizeText } from "./safety/sanitize.js";
import { secrets } from "./safety/secrets.js";
import type { ShapeSettings, ToolDefinition } from "./tools/types.js";

/**
 * Turning API answers into tool results: third-party text made inert, secrets scrubbed, a
 * compact text rendering beside `structuredContent`, and errors the model can act on.
 */

const paginationSchema = z.object({ limit: z.number(), offset: z.number(), has_more: z.boolean() });

/** Output schema of list tools: the API's list envelope plus next_offset. */
export const listOutputSchema = z.object({
  data: z.array(z.unknown()),
  pagination: paginationSchema.optional(),
  next_offset: z.number().optional(),
  request_id: z.string(),
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
  if (op.list && !Array.isArray(success.data)) {
    // The contract's list envelope holds a list (§6); anything else would also break the
    // tool's declared output schema, which clients check.
    return errorText(
      `${op.name} failed: invalid response. LeadPanther answered HTTP ${success.status} without a list of ${plural(op.noun, 2)} in data (request_id: ${safeRequestId(success.requestId)}). Nothing is shown. Try again in a little while; if it persists, the operator can run \`leadpanther-mcp doctor\` and quote the request_id.`,
    );
  }
  const data = shapeData(op, success.data, settings);
  const notice = op.shape?.notice?.(settings);
  const structured: Record<string, unknown> = { data };
  let summary: string;
  if (op.list) {
    const items = Array.isArray(data) ? data : [];
    const pagination: Pagination | undefined = success.pagination;
    if (pagination) structured.pagination = pagination;
    // An empty page that claims more would otherwise send the model to the same offset forever.
    if (pagination?.has_more) structured.next_offset = pagination.offset + (items.length > 0 ? items.length : pagination.limit);
    const more = !pagination
      ? "; LeadPanther did not report pagination, so further pages are unknown"
      : pagination.has_more
        ? `; more available: call again with offset ${String(structured.next_offset)}`
        : "; no more pages";
    summary = `${op.name}: ${items.length} ${plural(op.noun, items.length)}${pagination ? ` from offset ${pagination.offset}` : ""}${more}.`;
  } else {
    summary = `${op.name}: ok.`;
  }
  structured.request_id = success.requestId;
  if (notice) structured.notice = notice;
  // Shaping only removes or wraps text, so an answer found free of secrets stays free of them.
  return render(summary, structured, { notice, scrubbed: isSecretFree(success.bodyText), compactList: op.list });
}

export interface RenderOptions {
  notice?: string | undefined;
  /** The values are known to hold nothing secret-shaped (checked on the raw answer). */
  scrubbed?: boolean;
  /** Render a list's text compactly (see compactListValue). */
  compactList?: boolean;
}

/** Said when a result had values withheld as secret-shaped: the model must not write them back. */
export const WITHHELD_NOTICE =
  "Some values looked like secrets (a token, a signed URL, a key) and are shown as [REDACTED] or [REDACTED_SIGNED_URL]; LeadPanther still holds the real values. Do not send these markers back: leave such fields out of an update.";

export function render(summary: string, structured: Record<string, unknown>, options: RenderOptions = {}): CallToolResult {
  let clean = options.scrubbed ? structured : scrubResult(structured);
  // scrubDeep copies whenever the one-pass check suspects something; say so only if a value changed.
  const withheld = clean !== structured && JSON.stringify(clean) !== JSON.stringify(structured);
  if (withheld) clean = { ...clean, notice: typeof clean.notice === "string" ? `${clean.notice} ${WITHHELD_NOTICE}` : WITHHELD_NOTICE };
  const lines = [secrets.scrub(summary)];
  if (options.notice) lines.push(secrets.scrub(options.notice));
  if (withheld) lines.push(WITHHELD_NOTICE);
  lines.push(JSON.stringify(clean.data ?? null, options.compactList ? compactListValue : undefined));
  if ("request_id" in clean) clean = { ...clean, request_id: safeRequestId(clean.request_id) };
  lines.push(`request_id: ${secrets.scrub(String(clean.request_id))}`);
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: clean };
}

/** Longest string shown in a list's text rendering; get_… tools show a record in full. */
const LIST_TEXT_STRING_MAX = 280;

/**
 * The list's text rendering: fields without a value (null, empty lists) are left out and long
 * strings shortened. structuredContent keeps every field whole; get_… tools show one record in full.
 */
function compactListValue(this: unknown, key: string, value: unknown): unknown {
  if (key !== "" && !Array.isArray(this) && (value === null || (Array.isArray(value) && value.length === 0))) return undefined;
  return typeof value === "string" ? shortenLongString(value) : value;
}

/** Content wrapped by wrapUntrusted: shortened inside, so that the closing marker is never cut off. */
const WRAPPED_UNTRUSTED = /^(<untrusted-data id="([0-9a-f]+)" source="[^"\n]*">\n)([\s\S]*)(\n<\/untrusted-data id="\2">)$/;

function shortenLongString(text: string): string {
  if (text.length <= LIST_TEXT_STRING_MAX) return text;
  const wrapped = WRAPPED_UNTRUSTED.exec(text);
  if (wrapped) return `${wrapped[1] ?? ""}${shortenLongString(wrapped[3] ?? "")}${wrapped[4] ?? ""}`;
  // Never cut between the two halves of a surrogate pair: a lone half is not text.
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(LIST_TEXT_STRING_MAX - 1)) ? LIST_TEXT_STRING_MAX - 1 : LIST_TEXT_STRING_MAX;
  return `${text.slice(0, cut)}… (+${text.length - cut} characters)`;
}

function scrubResult(structured: Record<string, unknown>): Record<string, unknown> {
  return secrets.containsSecret(JSON.stringify(structured)) ? secrets.scrubDeep(structured) : structured;
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
