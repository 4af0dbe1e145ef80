import { PAGINATION } from "../contract.js";
import type { ToolExtra } from "../tools/types.js";
import { matchTimeZones } from "../writes/time.js";
import { resultRecords, type Reader } from "./read.js";

/** How long a completion may answer from the page it read last (completions come per keystroke). */
export const COMPLETION_CACHE_MS = 30_000;
/** The most values one completion answers with (the spec's cap is 100). */
const MAX_VALUES = 20;
const COMPLETION_TIMEOUT_MS = 5_000;

/**
 * Completions for prompt and resource-template arguments. Each answers from ONE page of a list
 * tool (its first, at the largest page size), kept for COMPLETION_CACHE_MS: never a scan, and
 * only through tools this key exposes (no posts:read, no post_id completion).
 */
export class Completer {
  private readonly cache = new Map<string, { at: number; records: Record<string, unknown>[] }>();

  constructor(private readonly reader: Reader) {}

  async clientIds(typed: string): Promise<string[]> {
    const records = await this.page("list_clients", undefined);
    return matching(records, typed, (client) => [client.full_name, client.business_name], "user_id");
  }

  async postIds(typed: string, clientId: string | undefined): Promise<string[]> {
    const records = await this.page("list_posts", clientId);
    return matching(records, typed, (post) => [firstWords(post.text)], "id");
  }

  async leadMagnetIds(typed: string, clientId: string | undefined): Promise<string[]> {
    const records = await this.page("list_lead_magnets", clientId);
    return matching(records, typed, (magnet) => [magnet.title, magnet.keyword], "id");
  }

  async keywords(typed: string, clientId: string | undefined): Promise<string[]> {
    const records = await this.page("list_lead_magnets", clientId);
    const keywords = records.map((magnet) => magnet.keyword).filter((keyword): keyword is string => typeof keyword === "string");
    const wanted = typed.trim().toLowerCase();
    return [...new Set(keywords.filter((keyword) => keyword.toLowerCase().startsWith(wanted)))].slice(0, MAX_VALUES);
  }

  timeZones(typed: string): string[] {
    return matchTimeZones(typed, MAX_VALUES);
  }

  private async page(tool: string, clientId: string | undefined): Promise<Record<string, unknown>[]> {
    const key = `${tool}\u0000${clientId ?? ""}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < COMPLETION_CACHE_MS) return cached.records;
    if (!this.reader.exposed().has(tool)) return [];
    // An agency key lists a client's records only once the client is chosen.
    if (this.reader.variant() === "agency" && tool !== "list_clients" && clientId === undefined) return [];
    const result = await this.reader.read(tool, { limit: PAGINATION.maxLimit }, clientId, detachedExtra());
    const records = resultRecords(result);
    if (result && !result.isError) this.cache.set(key, { at: Date.now(), records });
    return records;
  }
}

/** Where a value is typed into: its first words as they read in a picker. */
function firstWords(text: unknown): string | undefined {
  return typeof text === "string" ? text.split(/\s+/).slice(0, 8).join(" ") : undefined;
}

/**
 * The ids of the records whose id starts with, or whose labels contain, what was typed. The
 * value completed is the id (what the argument takes); the labels are what a person types.
 */
function matching(
  records: readonly Record<string, unknown>[],
  typed: string,
  labels: (record: Record<string, unknown>) => unknown[],
  idField: string,
): string[] {
  const wanted = typed.trim().toLowerCase();
  const ids: string[] = [];
  for (const record of records) {
    const id = record[idField];
    if (typeof id !== "string") continue;
    const texts = labels(record).filter((label): label is string => typeof label === "string");
    if (wanted === "" || id.toLowerCase().startsWith(wanted) || texts.some((text) => text.toLowerCase().includes(wanted))) ids.push(id);
    if (ids.length >= MAX_VALUES) break;
  }
  return ids;
}

/**
 * A completion request's handler is not given the request's context by the SDK, so its one read
 * runs with its own deadline; it sends no notifications and asks the client nothing.
 */
function detachedExtra(): ToolExtra {
  return {
    signal: AbortSignal.timeout(COMPLETION_TIMEOUT_MS),
    requestId: "completion",
    sendNotification: async () => undefined,
    sendRequest: () => Promise.reject(new Error("a completion does not ask the client anything")),
  };
}
