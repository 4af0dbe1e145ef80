/**
 * The five list tools (issue 11): one page as LeadPanther returns it, or — with a find filter —
 * the matches of a scan over as many pages as it takes, both shown concise (default) or detailed.
 * LeadPanther v1 takes only limit and offset (contract §9): filters never reach the API.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ApiClient, ApiRequest, ApiSuccess } from "../api/client.js";
import { ApiError } from "../api/errors.js";
import { PAGINATION } from "../contract.js";
import type { ResponseFormat } from "../find/concise.js";
import { responseFormatShape } from "../find/concise.js";
import { FIND_FILTERS, type FilterValue, type FindCollection } from "../find/filters.js";
import { composeFindResult, type FindScanSummary } from "../find/render.js";
import { apiPages, scan, SCAN_LIMITS, type ScanProgress, type ScanResult, type ScanStop } from "../find/scan.js";
import { routeFor, failure } from "../call.js";
import { isSecretFree, listResult, invalidListAnswer, shapeData, withholdSecrets } from "../results.js";
import { paginationShape } from "./fields.js";
import type { ShapeSettings, ToolCall, ToolDefinition } from "./types.js";

const maxScanShape = {
  max_scan: z
    .int({ error: `must be a whole number from 1 to ${SCAN_LIMITS.maxScan}` })
    .min(1, { error: "must be at least 1" })
    .max(SCAN_LIMITS.maxScan, { error: `must be at most ${SCAN_LIMITS.maxScan}` })
    .optional()
    .describe(`Default ${SCAN_LIMITS.defaultMaxScan}.`),
};

/**
 * What every list tool shares: limit and offset, its collection's find filters, max_scan and
 * response_format in; a read that can be repeated; the list result out.
 */
export function pagedList(collection: FindCollection) {
  const filter = FIND_FILTERS[collection];
  return {
    inputShape: { ...paginationShape, ...filter.shape, ...maxScanShape, ...responseFormatShape },
    refine: filter.refine,
    request: { query: ["limit", "offset"] },
    effect: "read",
    idempotent: true,
    list: true,
    collection,
    handler: runList,
  } as const satisfies Partial<ToolDefinition>;
}

/** What every list tool's description says of its filters: who applies them and what they cost. */
export const FILTER_COST = "Filters run in this server: it reads pages of 100 until limit matches, max_scan records or the time budget.";

async function runList(call: ToolCall, args: Record<string, unknown>): Promise<CallToolResult> {
  const { op } = call;
  const collection = op.collection;
  if (collection === undefined) throw new Error(`${op.name} is a list without a collection`);
  const filter = FIND_FILTERS[collection];
  const format: ResponseFormat = args.response_format === "detailed" ? "detailed" : "concise";
  const offset = typeof args.offset === "number" ? args.offset : 0;
  const route = routeFor(call, args);
  const answers = new AnswerLog(call.api);
  try {
    if (!filter.isFiltered(args)) {
      const success = await answers.call({
        method: "GET",
        ...route,
        query: { limit: args.limit as number | undefined, offset: args.offset as number | undefined },
        authenticated: true,
        signal: call.extra.signal,
      });
      if (!Array.isArray(success.data)) return invalidListAnswer(op, success);
      // Shaping only removes or wraps text, so an answer found free of secrets stays free of them.
      const { clean: records, withheld } = withholdSecrets(shapeData(op, success.data, call.config) as unknown[], isSecretFree(success.bodyText));
      const pagination = success.pagination;
      const start = pagination?.offset ?? offset;
      // An empty page that claims more would otherwise send the model to the same offset forever.
      const nextOffset = pagination?.has_more ? start + (records.length > 0 ? records.length : pagination.limit) : undefined;
      const composed = composeFindResult({
        tool: op.name,
        collection,
        format,
        entries: records.map((record, index) => ({ record, offset: start + index })),
        offset: start,
        complete: pagination !== undefined && !pagination.has_more,
        nextOffset,
      });
      const caveat = pagination === undefined ? "LeadPanther did not report pagination, so further pages are unknown." : undefined;
      return listResult(op, composed, { requestId: success.requestId, settings: call.config, withheld, caveat });
    }

    const limit = typeof args.limit === "number" ? args.limit : PAGINATION.defaultLimit;
    const maxScan = typeof args.max_scan === "number" ? args.max_scan : SCAN_LIMITS.defaultMaxScan;
    const order = filter.order(args);
    const result = await scan({
      fetchPage: apiPages(answers, route),
      match: matcherFor(op, filter.predicate(args), call.config),
      // An ordered window reads every record before it cuts: its earliest posts may be on any page.
      limit: order === undefined ? limit : Number.MAX_SAFE_INTEGER,
      startOffset: order === undefined ? offset : 0,
      maxScan,
      timeBudgetMs: call.config.findTimeBudgetMs,
      signal: call.extra.signal,
      onProgress: progressReporter(call, maxScan),
      // Pages ahead in flight: a search of 5,000 records costs about what its slowest pages do.
      concurrency: SCAN_LIMITS.maxConcurrency,
    });
    const page = order === undefined ? inCollectionOrder(result) : inWindowOrder(result, order, offset, limit, maxScan);
    // Only what may be shown is checked for secret-shaped values (the filters echo the model's
    // input): a page's whole body, read and dropped, costs more to check than the scan itself.
    const { clean, withheld } = withholdSecrets({ records: shapeData(op, page.records, call.config) as unknown[], filters: filter.given(args) as Record<string, FilterValue> }, false);
    const { records, filters } = clean;
    const entries = records.map((record, index) => ({ record, offset: page.offsets[index] ?? offset }));
    const summary: FindScanSummary = { filters, scanned: result.scanned, matched: result.matched, stoppedBy: page.stoppedBy, retryAfterSeconds: result.retryAfterSeconds };
    const composed = composeFindResult({ tool: op.name, collection, format, entries, offset, complete: page.complete, nextOffset: page.nextOffset, scan: summary });
    return listResult(op, composed, { requestId: answers.lastRequestId, settings: call.config, withheld, caveat: page.caveat });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return failure(call, error);
  }
}

/** The records a filtered call shows, where each sits, and how the call may go on. */
interface FoundPage {
  records: unknown[];
  /** Parallel to `records`: the offset a call resumed at it starts with. */
  offsets: number[];
  complete: boolean;
  nextOffset: number | undefined;
  stoppedBy: ScanStop | undefined;
  caveat?: string;
}

/** Matches in the API's order: offsets are positions in the collection, as the scan reports them. */
function inCollectionOrder(result: ScanResult<unknown>): FoundPage {
  return { records: result.matches, offsets: result.matchOffsets, complete: result.complete, nextOffset: result.nextOffset, stoppedBy: result.stoppedBy };
}

/**
 * An ordered window (posts by schedule): the scan read the collection from its start, so the
 * matches are sorted (ties in the API's order) and `offset` counts into them; a call resumed at
 * `next_offset` shows the next ones, none skipped or repeated while the collection is unchanged.
 * When the scan could not read everything, an unread post may belong anywhere in the order: the
 * call shows the earliest of what was read, offers no `next_offset` past it (the size cap's, to
 * the read matches it left out, stays) and says how to read it all.
 */
function inWindowOrder(result: ScanResult<unknown>, order: (a: unknown, b: unknown) => number, offset: number, limit: number, maxScan: number): FoundPage {
  const sorted = result.matches.map((record, at) => ({ record, at })).sort((a, b) => order(a.record, b.record) || a.at - b.at);
  const shown = sorted.slice(offset, offset + limit).map((entry) => entry.record);
  const offsets = shown.map((_, index) => offset + index);
  if (!result.complete) {
    return { records: shown, offsets, complete: false, nextOffset: undefined, stoppedBy: result.stoppedBy, caveat: partialOrderCaveat(result, maxScan) };
  }
  const end = offset + shown.length;
  return end < sorted.length ? { records: shown, offsets, complete: false, nextOffset: end, stoppedBy: "limit" } : { records: shown, offsets, complete: true, nextOffset: undefined, stoppedBy: undefined };
}

function partialOrderCaveat(result: ScanResult<unknown>, maxScan: number): string {
  const covered = `Ordered over the first ${result.scanned} records read only: one not read may come earlier, so no next_offset goes beyond what was read.`;
  if (result.stoppedBy === "max_scan") {
    return maxScan < SCAN_LIMITS.maxScan
      ? `${covered} Call again with a larger max_scan (at most ${SCAN_LIMITS.maxScan}) for the exact order.`
      : `${covered} The collection is larger than one call can read: list without a schedule window and sort the matches yourself.`;
  }
  const wait = result.retryAfterSeconds === undefined ? "in a moment" : `after ${result.retryAfterSeconds} s`;
  return `${covered} Call again with the same arguments ${wait} for the exact order.`;
}

/**
 * The filters' test on what the model may see of a record: its view (see
 * ResultShaper.filterView) with secret-shaped values withheld, as the result shows them, so that
 * no query confirms, piece by piece, what the result hides. Both only withhold, so a record that
 * fails as read fails as seen: only the few that pass as read are copied and tested again.
 */
function matcherFor(op: ToolDefinition, test: (record: unknown) => boolean, settings: ShapeSettings): (record: unknown) => boolean {
  const view = op.shape?.filterView;
  const seen = (record: unknown): unknown => withholdSecrets(view === undefined ? record : view(record, settings), false).clean;
  return (record) => test(record) && test(seen(record));
}

/** The API client, remembering the request id of its last answer (the one a list result reports). */
class AnswerLog implements Pick<ApiClient, "call"> {
  lastRequestId: string | undefined;
  constructor(private readonly api: Pick<ApiClient, "call">) {}

  async call(request: ApiRequest): Promise<ApiSuccess> {
    const success = await this.api.call(request);
    this.lastRequestId = success.requestId;
    return success;
  }
}

/** Progress per page, when the client asked for it with a progressToken. */
function progressReporter(call: ToolCall, maxScan: number): ((progress: ScanProgress) => Promise<void>) | undefined {
  const token = call.extra._meta?.progressToken;
  if (token === undefined) return undefined;
  return async ({ scanned, matched }) => {
    await call.extra.sendNotification({
      method: "notifications/progress",
      params: { progressToken: token, progress: scanned, total: maxScan, message: `${call.op.name}: scanned ${scanned}, matched ${matched}` },
    });
  };
}
