import { ApiError } from "../api/errors.js";
import type { ToolExtra } from "../tools/types.js";
import type { Reader } from "./read.js";

/** Records of a whole collection, and a line saying how complete they are. */
export type Collected = { ok: true; records: Record<string, unknown>[]; coverage: string } | { ok: false; problem: string };

/**
 * The records of a list tool's whole collection that `match` keeps (see Reader.scanAll), or why
 * they could not be read, in words for the model: a failure or a stop is said, never hidden.
 */
export async function collect(
  reader: Reader,
  tool: string,
  clientId: string | undefined,
  match: (record: Record<string, unknown>) => boolean,
  extra: ToolExtra,
): Promise<Collected> {
  try {
    const result = await reader.scanAll(tool, clientId, match, extra);
    if (!result) return { ok: false, problem: `${tool} is not available to this API key.` };
    const coverage = result.complete
      ? `${tool}: all ${result.scanned} records read.`
      : `${tool}: only the first ${result.scanned} records were read (stopped: ${result.stoppedBy ?? "unknown"}); the numbers below cover those.`;
    return { ok: true, records: result.matches, coverage };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, problem: `${tool} failed: ${error.code ?? error.kind} (request_id ${error.requestId}).` };
    throw error;
  }
}

/** The first words of one of the account's own posts, on one line, for a table or a picker. */
export function postOpening(text: unknown, words = 8): string {
  if (typeof text !== "string") return "";
  return text.split(/\s+/).filter((word) => word !== "").slice(0, words).join(" ").replaceAll("|", "/");
}

export function numberOf(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

export function metricsOf(post: Record<string, unknown>): Record<string, unknown> {
  return typeof post.metrics === "object" && post.metrics !== null ? (post.metrics as Record<string, unknown>) : {};
}

export function clientIdOf(args: Record<string, unknown>): string | undefined {
  return typeof args.client_id === "string" ? args.client_id : undefined;
}
