/**
 * The two channels of a list result (issue 11). Some clients hand the model only
 * `structuredContent`, others only the text: both must carry the same facts. The text is a
 * header line rendering exactly the structured result's other fields, then one line per item:
 * for concise items a row of cells under a line naming the columns once (each cell exactly one
 * value of the structured item, empty where the item lacks that field), for detailed ones the
 * record's JSON. Neither channel exceeds about 60 KB: a longer result is cut at the same item
 * in both, and says how many items were left out and the offset that gets them.
 */
import type { ConciseItem, ConciseValue, ResponseFormat } from "./concise.js";
import { conciseColumns, projectConcise } from "./concise.js";
import type { FilterValue, FindCollection } from "./filters.js";
import type { ScanStop } from "./scan.js";
import { describeCuts, fitRecord } from "./fit.js";

/** The most bytes of one channel of a list result. */
export const RESULT_MAX_BYTES = 60_000;
/** Kept free of items for the header, the structured result's other fields and a notice. */
export const RESULT_ENVELOPE_RESERVE_BYTES = 4_000;

/**
 * A value as the text channel writes it: numbers and booleans as JSON does; a string bare when
 * it is one plain token (an id, a status, an email, a URL), else JSON-quoted, so that a name
 * holding the cell separator, " · " or a line break cannot pass for more cells or another item;
 * the empty string is quoted too, so an empty cell only ever means "no value".
 */
export function formatValue(value: FilterValue): string {
  if (typeof value !== "string") return String(value);
  return /^[A-Za-z0-9_.:@/+#%=&?~-]+$/.test(value) ? value : JSON.stringify(value);
}

const NOUNS: Readonly<Record<FindCollection, readonly [singular: string, plural: string]>> = {
  posts: ["post", "posts"],
  leads: ["lead", "leads"],
  activity: ["activity item", "activity items"],
  lead_magnets: ["lead magnet", "lead magnets"],
  clients: ["client", "clients"],
};

function nounFor(collection: FindCollection, count: number): string {
  const [singular, plural] = NOUNS[collection];
  return count === 1 ? singular : plural;
}

/**
 * Between two cells of a concise row. A bare value never holds it ({@link formatValue}), so
 * outside quotes it always separates cells.
 */
export const CELL_SEPARATOR = "|";

/** The line naming a collection's concise columns once, above its rows. */
export function renderColumnsLine(collection: FindCollection): string {
  return conciseColumns(collection).join(CELL_SEPARATOR);
}

/**
 * One concise item as one row: a cell per column, in the columns' order, holding the item's
 * value for it, or nothing when the item lacks that field. Nothing else is written.
 */
export function renderConciseRow(collection: FindCollection, item: ConciseItem): string {
  return conciseColumns(collection)
    .map((column) => (Object.hasOwn(item, column) ? formatValue(item[column] as ConciseValue) : ""))
    .join(CELL_SEPARATOR);
}

const DETAILED_LINE_PREFIX = "- ";

/** One full record as one line: its JSON, which is the structured item itself. */
export function renderDetailedLine(record: unknown): string {
  return `${DETAILED_LINE_PREFIX}${JSON.stringify(record) ?? "null"}`;
}

// ---------------------------------------------------------------------------------------

export interface CapEntry {
  /** The item as structuredContent carries it. */
  structured: unknown;
  /** The item's text line. */
  line: string;
  /** The item's offset in the collection. */
  offset: number;
  /** The bytes of `structured` as JSON, when already known (a detailed line is that JSON). */
  structuredBytes?: number;
}

export interface CappedEntries<E extends CapEntry> {
  kept: E[];
  /** Items left out by the cap. */
  omitted: number;
  /** Where a call gets the items left out (the lowest offset among them); absent when none were. */
  nextOffset?: number;
}

/**
 * The longest leading run of entries whose items fit `maxBytes` in BOTH channels (a line and
 * its line break; a JSON item and its comma). At least one entry is kept, so that a call resumed
 * at `nextOffset` always moves on. With matches sorted out of the API's order, the items at or
 * after `nextOffset` that were kept are shown again: none is ever skipped.
 */
export function capResult<E extends CapEntry>(entries: readonly E[], maxBytes: number = RESULT_MAX_BYTES): CappedEntries<E> {
  let textBytes = 0;
  let structuredBytes = 0;
  let keep = 0;
  for (const entry of entries) {
    textBytes += Buffer.byteLength(entry.line) + 1;
    structuredBytes += (entry.structuredBytes ?? Buffer.byteLength(JSON.stringify(entry.structured) ?? "null")) + 1;
    if (keep > 0 && (textBytes > maxBytes || structuredBytes > maxBytes)) break;
    keep += 1;
  }
  const kept = entries.slice(0, keep);
  const left = entries.slice(keep);
  if (left.length === 0) return { kept, omitted: 0 };
  return { kept, omitted: left.length, nextOffset: Math.min(...left.map((entry) => entry.offset)) };
}

// ---------------------------------------------------------------------------------------

/** What a filtered call adds: the filters given and the scan's account. */
export interface FindScanSummary {
  filters: Record<string, FilterValue>;
  scanned: number;
  matched: number;
  stoppedBy?: ScanStop | undefined;
  retryAfterSeconds?: number | undefined;
}

export interface FindResultInput {
  tool: string;
  collection: FindCollection;
  format: ResponseFormat;
  /** The records (already redacted and sanitized), in the order to show, with their offsets. */
  entries: readonly { record: unknown; offset: number }[];
  /** The offset the call started at. */
  offset: number;
  complete: boolean;
  nextOffset?: number | undefined;
  /** Present for a filtered call. */
  scan?: FindScanSummary | undefined;
  maxBytes?: number;
}

/** The structured channel: the items and every fact the header line states. */
export interface FindStructured {
  data: unknown[];
  offset: number;
  complete: boolean;
  next_offset?: number;
  filters?: Record<string, FilterValue>;
  scanned?: number;
  matched?: number;
  stopped_by?: ScanStop;
  retry_after_seconds?: number;
  /** Items found but left out by the size cap; next_offset gets them. */
  omitted?: number;
}

export interface FindResult {
  text: string;
  structured: FindStructured;
  /** Detailed: each item of `structured.data` as JSON, written once for its text line. */
  itemsJson?: string[];
  /** Said in both channels when a record too large for a result is shown shortened. */
  notice?: string;
}

/** Both channels of a list result, cut to the size budget at the same item. */
export function composeFindResult(input: FindResultInput): FindResult {
  const budget = (input.maxBytes ?? RESULT_MAX_BYTES) - RESULT_ENVELOPE_RESERVE_BYTES;
  const shortened: { offset: number; cuts: string }[] = [];
  const entries = input.entries.map(({ record, offset }) => {
    if (input.format === "detailed") {
      let line = renderDetailedLine(record);
      // The line is "- " and the record's JSON: its bytes are the structured item's, not to be serialized again.
      let bytes = Buffer.byteLength(line) - DETAILED_LINE_PREFIX.length;
      if (bytes > budget) {
        // One record larger than a whole result: shown shortened rather than sent whole.
        const fitted = fitRecord(record, budget - OVERSIZE_MARGIN_BYTES);
        if (fitted.cuts.length > 0) {
          shortened.push({ offset, cuts: describeCuts(fitted.cuts) });
          line = renderDetailedLine(fitted.record);
          bytes = Buffer.byteLength(line) - DETAILED_LINE_PREFIX.length;
          return { structured: fitted.record, line, offset, structuredBytes: bytes };
        }
      }
      return { structured: record, line, offset, structuredBytes: bytes };
    }
    const item = projectConcise(input.collection, record);
    return { structured: item, line: renderConciseRow(input.collection, item), offset };
  });
  const capped = capResult(entries, budget);
  const nextOffset = capped.nextOffset ?? input.nextOffset;
  const structured: FindStructured = { data: capped.kept.map((entry) => entry.structured), offset: input.offset, complete: input.complete && capped.omitted === 0 };
  if (nextOffset !== undefined) structured.next_offset = nextOffset;
  if (input.scan) {
    structured.filters = input.scan.filters;
    structured.scanned = input.scan.scanned;
    structured.matched = input.scan.matched;
    if (input.scan.stoppedBy !== undefined) structured.stopped_by = input.scan.stoppedBy;
    if (input.scan.retryAfterSeconds !== undefined) structured.retry_after_seconds = input.scan.retryAfterSeconds;
  }
  if (capped.omitted > 0) structured.omitted = capped.omitted;
  const lines = capped.kept.map((entry) => entry.line);
  if (input.format === "concise" && lines.length > 0) lines.unshift(renderColumnsLine(input.collection));
  const text = [renderHeader(input.tool, input.collection, structured), ...lines].join("\n");
  if (input.format !== "detailed") return { text, structured };
  const kept = new Set(capped.kept.map((entry) => entry.offset));
  const shown = shortened.filter((item) => kept.has(item.offset)).map((item) => `the item at offset ${item.offset} (${item.cuts})`);
  const notice = shown.length > 0 ? oversizeNotice(input.collection, shown) : undefined;
  return { text, structured, itemsJson: lines.map((line) => line.slice(DETAILED_LINE_PREFIX.length)), ...(notice ? { notice } : {}) };
}

/** Room left beside a shortened record in its result: its notice names each cut. */
const OVERSIZE_MARGIN_BYTES = 2_000;

/** Where a record shown shortened can be read whole: a single-record tool, where the contract has one. */
const WHOLE_RECORD_TOOL: Partial<Record<FindCollection, string>> = { posts: "get_post", lead_magnets: "get_lead_magnet", clients: "get_client" };

function oversizeNotice(collection: FindCollection, shortened: readonly string[]): string {
  const tool = WHOLE_RECORD_TOOL[collection];
  return `Larger than one result can hold, shown shortened (a text ends in "… (+N characters)", a list keeps its first entries): ${shortened.join("; ")}. ${
    tool ? `${tool} shows it whole.` : "LeadPanther v1 has no call that reads one such record whole."
  }`;
}

/** The header line: what was searched, what was found, and where to go on. */
export function renderHeader(tool: string, collection: FindCollection, result: FindStructured): string {
  const parts = [tool];
  if (result.filters !== undefined) {
    parts.push(Object.entries(result.filters).map(([name, value]) => `${name}=${formatValue(value)}`).join(" "));
  }
  const shown = result.data.length;
  parts.push(`${shown} ${nounFor(collection, shown)} from offset ${result.offset}`);
  if (result.scanned !== undefined) parts.push(`scanned ${result.scanned}`);
  if (result.matched !== undefined) parts.push(`matched ${result.matched}`);
  if (result.omitted !== undefined) parts.push(`${result.omitted} more left out by the size cap`);
  if (result.complete) {
    parts.push("complete");
  } else {
    parts.push(result.stopped_by === undefined ? "not complete" : `not complete: stopped by ${result.stopped_by}`);
    if (result.retry_after_seconds !== undefined) parts.push(`LeadPanther asked to wait ${result.retry_after_seconds} s`);
    if (result.next_offset !== undefined) parts.push(`more: call again with offset ${result.next_offset}`);
  }
  return parts.join(" · ");
}
