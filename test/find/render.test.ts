import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { conciseColumns, projectConcise, type ConciseItem } from "../../src/find/concise.js";
import type { FindCollection } from "../../src/find/filters.js";
import {
  RESULT_ENVELOPE_RESERVE_BYTES,
  RESULT_MAX_BYTES,
  capResult,
  composeFindResult,
  formatValue,
  renderColumnsLine,
  renderConciseRow,
  renderDetailedLine,
  renderHeader,
  type CapEntry,
  type FindStructured,
} from "../../src/find/render.js";
import { estimateTokens } from "../../src/find/tokens.js";
import { shapeActivityItem, shapeLead } from "../../src/safety/redact.js";
import { buildSeed } from "../../src/sandbox/seed.js";

const COLLECTIONS: readonly FindCollection[] = ["posts", "leads", "activity", "lead_magnets", "clients"];
const account = buildSeed(Date.parse("2026-12-04T12:00:00.000Z")).accounts[0];
if (account === undefined) throw new Error("the seed has no direct account");

/** The cells of a row: split on "|" outside JSON strings. */
function cellsOf(row: string): string[] {
  const cells: string[] = [];
  let current = "";
  let quoted = false;
  for (let index = 0; index < row.length; index++) {
    const char = row[index] ?? "";
    if (quoted && char === "\\") {
      current += char + (row[index + 1] ?? "");
      index += 1;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (!quoted && char === "|") {
      cells.push(current);
      current = "";
      continue;
    }
    current += char;
  }
  cells.push(current);
  return cells;
}

/** A cell read back: nothing when empty, else its JSON string or its bare token. */
function decode(cell: string): string | undefined {
  if (cell === "") return undefined;
  return cell.startsWith('"') ? (JSON.parse(cell) as string) : cell;
}

/** What the row must read back as: each column's value as text, or nothing. */
function expectedCells(collection: FindCollection, item: ConciseItem): (string | undefined)[] {
  return conciseColumns(collection).map((column) => (Object.hasOwn(item, column) ? String(item[column]) : undefined));
}

/** Fields of every collection's records, with values of any type a hostile or odd API could send. */
const anyValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(" · ", 'a "quoted" name', "line\nbreak", "- lead x", "\\", "2026-12-08T09:00:00.000Z", "Lucía", "GUIDE", ""),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
const FIELD_NAMES = [
  "id", "user_id", "status", "text", "scheduled_at", "published_at", "images", "document_url", "name", "headline",
  "linkedin_profile_url", "latest_keyword", "keyword", "has_intent", "qualification_status", "source", "author_name",
  "content", "created_at", "title", "delivery_mode", "full_name", "business_name",
];
const anyRecord = fc.record(
  {
    ...Object.fromEntries(FIELD_NAMES.map((name) => [name, anyValue])),
    emails: fc.record({ submitted: anyValue, work: anyValue, personal: anyValue }, { requiredKeys: [] }),
    metrics: fc.record({ impressions: anyValue, reactions: anyValue, comments: anyValue }, { requiredKeys: [] }),
    metadata: fc.record({ post_id: anyValue }, { requiredKeys: [] }),
    grant: fc.record({ status: anyValue }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe("parity: a concise item's row holds exactly its values", () => {
  test("property: a cell per column, each its value read back equal, empty where the item lacks it", () => {
    fc.assert(
      fc.property(fc.constantFrom(...COLLECTIONS), anyRecord, (collection, record) => {
        const item = projectConcise(collection, record);
        const row = renderConciseRow(collection, item);
        expect(row).not.toMatch(/[\n\r\u2028\u2029]/);
        expect(cellsOf(row).map(decode)).toEqual(expectedCells(collection, item));
        // Every key of the item has its column: no value is left out of the row.
        expect(Object.keys(item).every((key) => conciseColumns(collection).includes(key))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test("the sandbox's records, shaped as the server shapes them, render one row each with every value", () => {
    const shaped: [FindCollection, unknown[]][] = [
      ["posts", account.posts],
      ["leads", account.leads.map((lead) => shapeLead(lead))],
      ["activity", account.activity.map((item) => shapeActivityItem(item, "sanitized"))],
      ["lead_magnets", account.leadMagnets],
    ];
    for (const [collection, records] of shaped) {
      for (const record of records) {
        const item = projectConcise(collection, record);
        expect(cellsOf(renderConciseRow(collection, item)).map(decode)).toEqual(expectedCells(collection, item));
      }
    }
  });

  test("the columns, named once per result", () => {
    expect(renderColumnsLine("posts")).toBe("id|status|published_at|scheduled_at|text|more_chars|media|impressions|reactions|comments");
    expect(renderColumnsLine("leads")).toBe("id|name|headline|email|profile_url|keyword|has_intent|qualification_status");
    expect(renderColumnsLine("activity")).toBe("id|source|author|keyword|status|post_id|created_at|content");
    expect(renderColumnsLine("lead_magnets")).toBe("id|title|status|keyword|delivery_mode");
    expect(renderColumnsLine("clients")).toBe("user_id|full_name|business_name|grant_status");
  });

  test("what a row looks like", () => {
    const item: ConciseItem = {
      id: "3f2a0000-0000-4000-8000-000000000001",
      status: "scheduled",
      scheduled_at: "2026-12-08T09:00Z",
      text: "First words of the",
      more_chars: 812,
      media: 2,
      impressions: 1204,
    };
    expect(renderConciseRow("posts", item)).toBe('3f2a0000-0000-4000-8000-000000000001|scheduled||2026-12-08T09:00Z|"First words of the"|812|2|1204||');
    expect(renderConciseRow("leads", { id: "l1", name: "Lucía Castillo", email: "lucia@example.com", has_intent: false })).toBe('l1|"Lucía Castillo"||lucia@example.com|||false|');
    expect(renderConciseRow("leads", { id: "l2", name: "a|b", headline: "" })).toBe('l2|"a|b"|""|||||');
    expect(renderConciseRow("clients", {})).toBe("|||");
  });

  test("formatValue: one plain token bare, anything else quoted", () => {
    expect(formatValue("https://www.linkedin.com/in/lucia-castillo")).toBe("https://www.linkedin.com/in/lucia-castillo");
    expect(formatValue("GUIDE")).toBe("GUIDE");
    expect(formatValue("Lucía")).toBe('"Lucía"');
    expect(formatValue("a · b")).toBe('"a · b"');
    expect(formatValue("a|b")).toBe('"a|b"');
    expect(formatValue("")).toBe('""');
    expect(formatValue(12)).toBe("12");
    expect(formatValue(true)).toBe("true");
  });

  test("a detailed line is the record's JSON", () => {
    const record = account.posts[0];
    expect(renderDetailedLine(record)).toBe(`- ${JSON.stringify(record)}`);
    expect(renderDetailedLine(undefined)).toBe("- null");
  });
});

describe("the header line states every other field of the structured result", () => {
  const base: FindStructured = { data: [{}, {}], offset: 0, complete: true };

  test("a filtered scan that stopped", () => {
    const result: FindStructured = {
      ...base,
      complete: false,
      next_offset: 5000,
      filters: { query: "ingrid osei", has_intent: true },
      scanned: 5000,
      matched: 2,
      stopped_by: "max_scan",
    };
    expect(renderHeader("list_leads", "leads", result)).toBe(
      'list_leads · query="ingrid osei" has_intent=true · 2 leads from offset 0 · scanned 5000 · matched 2 · not complete: stopped by max_scan · more: call again with offset 5000',
    );
  });

  test("a rate limit says the wait asked for; a plain page says where the next one is", () => {
    expect(renderHeader("list_leads", "leads", { ...base, complete: false, next_offset: 200, scanned: 200, matched: 0, filters: { keyword: "GUIDE" }, stopped_by: "rate_limited", retry_after_seconds: 30 })).toContain(
      "not complete: stopped by rate_limited · LeadPanther asked to wait 30 s · more: call again with offset 200",
    );
    expect(renderHeader("list_posts", "posts", { data: [{}], offset: 50, complete: false, next_offset: 51 })).toBe("list_posts · 1 post from offset 50 · not complete · more: call again with offset 51");
    expect(renderHeader("list_posts", "posts", { data: [], offset: 0, complete: true })).toBe("list_posts · 0 posts from offset 0 · complete");
  });
});

describe("capResult: one cut, at the same item in both channels", () => {
  const entry = (offset: number, lineBytes: number, structuredBytes: number): CapEntry => ({
    line: "x".repeat(lineBytes),
    // JSON of a string is its text plus two quotes.
    structured: "y".repeat(structuredBytes - 2),
    offset,
  });

  test("everything that fits is kept, and nothing is said to be left out", () => {
    const entries = [entry(0, 10, 10), entry(1, 10, 10)];
    expect(capResult(entries, 100)).toEqual({ kept: entries, omitted: 0 });
  });

  test("the text channel can decide the cut", () => {
    const entries = Array.from({ length: 10 }, (_, k) => entry(100 + k, 999, 10));
    const capped = capResult(entries, 5_000);
    expect(capped.kept).toHaveLength(5);
    expect(capped).toMatchObject({ omitted: 5, nextOffset: 105 });
  });

  test("the structured channel can decide the cut", () => {
    const entries = Array.from({ length: 10 }, (_, k) => entry(100 + k, 10, 1_999));
    const capped = capResult(entries, 5_000);
    expect(capped.kept).toHaveLength(2);
    expect(capped).toMatchObject({ omitted: 8, nextOffset: 102 });
  });

  test("multi-byte text counts in bytes", () => {
    const entries = [0, 1, 2].map((offset) => ({ line: "é".repeat(30), structured: 1, offset }));
    expect(capResult(entries, 130).kept).toHaveLength(2);
  });

  test("one item larger than the budget is still shown, so a resumed call moves on", () => {
    const capped = capResult([entry(7, 10_000, 10), entry(8, 10, 10)], 5_000);
    expect(capped.kept.map((kept) => kept.offset)).toEqual([7]);
    expect(capped).toMatchObject({ omitted: 1, nextOffset: 8 });
  });

  test("matches sorted out of the API's order resume at the lowest offset left out", () => {
    const entries = [entry(40, 900, 10), entry(10, 900, 10), entry(30, 900, 10), entry(20, 900, 10)];
    expect(capResult(entries, 2_000)).toMatchObject({ omitted: 2, nextOffset: 20 });
  });

  test("nothing to cut", () => {
    expect(capResult([], 10)).toEqual({ kept: [], omitted: 0 });
  });

  test("a detailed result cuts where its items' own JSON says, multi-byte text included", () => {
    // Detailed lines are the record's JSON, so composeFindResult counts the structured bytes from
    // the line; the cut must be the one serializing every item would give.
    const records = Array.from({ length: 40 }, (_, k) => ({ id: `r-${k}`, text: k % 2 === 0 ? "é☃".repeat(900 + k) : "plain ".repeat(500 + k) }));
    const composed = composeFindResult({ tool: "list_posts", collection: "posts", format: "detailed", entries: records.map((record, offset) => ({ record, offset })), offset: 0, complete: true, maxBytes: 30_000 });
    const byJson = capResult(
      records.map((record, offset) => ({ structured: record, line: `- ${JSON.stringify(record)}`, offset })),
      30_000 - RESULT_ENVELOPE_RESERVE_BYTES,
    );
    expect(composed.structured.data).toEqual(byJson.kept.map((entry) => entry.structured));
    expect(composed.structured.omitted).toBe(byJson.omitted);
    expect(byJson.omitted).toBeGreaterThan(0);
  });
});

describe("composeFindResult", () => {
  const manyLeads = (count: number) =>
    Array.from({ length: count }, (_, k) => ({ record: shapeLead({ ...account.leads[k % account.leads.length], id: `lead-${k}` }), offset: 1_000 + k }));

  test("concise: the columns once, then one row per item, item for item, under the header", () => {
    const entries = manyLeads(3);
    const result = composeFindResult({ tool: "list_leads", collection: "leads", format: "concise", entries, offset: 1_000, complete: true, scan: { filters: { query: "a" }, scanned: 40, matched: 3 } });
    const [header, columns, ...rows] = result.text.split("\n");
    expect(header).toBe(renderHeader("list_leads", "leads", result.structured));
    expect(columns).toBe(renderColumnsLine("leads"));
    expect(result.structured).toMatchObject({ offset: 1_000, complete: true, filters: { query: "a" }, scanned: 40, matched: 3 });
    expect(result.structured.data).toEqual(entries.map((entry) => projectConcise("leads", entry.record)));
    expect(rows).toEqual(result.structured.data.map((item) => renderConciseRow("leads", item as ConciseItem)));
  });

  test("concise with nothing found: the header alone, no columns line", () => {
    const result = composeFindResult({ tool: "list_leads", collection: "leads", format: "concise", entries: [], offset: 0, complete: true, scan: { filters: { query: "nobody" }, scanned: 40, matched: 0 } });
    expect(result.text).toBe("list_leads · query=nobody · 0 leads from offset 0 · scanned 40 · matched 0 · complete");
    expect(result.structured.data).toEqual([]);
  });

  test("detailed: the records themselves, one JSON line each", () => {
    const entries = manyLeads(2);
    const result = composeFindResult({ tool: "list_leads", collection: "leads", format: "detailed", entries, offset: 0, complete: false, nextOffset: 2 });
    expect(result.structured.data).toEqual(entries.map((entry) => entry.record));
    expect(result.text.split("\n").slice(1)).toEqual(entries.map((entry) => renderDetailedLine(entry.record)));
    expect(result.structured).toMatchObject({ complete: false, next_offset: 2 });
    expect(result.structured).not.toHaveProperty("scanned");
  });

  test("a result past 60 KB is cut at the same item in both channels, and says how to get the rest", () => {
    const entries = manyLeads(2_000);
    const result = composeFindResult({ tool: "list_leads", collection: "leads", format: "detailed", entries, offset: 1_000, complete: true, scan: { filters: { has_intent: true }, scanned: 4_000, matched: 2_000 } });
    const kept = result.structured.data.length;
    expect(kept).toBeGreaterThan(10);
    expect(kept).toBeLessThan(2_000);
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(RESULT_MAX_BYTES);
    expect(Buffer.byteLength(JSON.stringify(result.structured))).toBeLessThanOrEqual(RESULT_MAX_BYTES);
    expect(result.text.split("\n")).toHaveLength(kept + 1);
    expect(result.structured).toMatchObject({ complete: false, omitted: 2_000 - kept, next_offset: 1_000 + kept });
    expect(result.text.split("\n")[0]).toBe(
      `list_leads · has_intent=true · ${kept} leads from offset 1000 · scanned 4000 · matched 2000 · ${2_000 - kept} more left out by the size cap · not complete · more: call again with offset ${1_000 + kept}`,
    );
  });

  test("concise items fit many more per result than detailed ones", () => {
    const entries = manyLeads(2_000);
    const concise = composeFindResult({ tool: "list_leads", collection: "leads", format: "concise", entries, offset: 0, complete: true });
    const detailed = composeFindResult({ tool: "list_leads", collection: "leads", format: "detailed", entries, offset: 0, complete: true });
    expect(concise.structured.data.length).toBeGreaterThan(1.5 * detailed.structured.data.length);
    expect(Buffer.byteLength(concise.text)).toBeLessThanOrEqual(RESULT_MAX_BYTES);
  });

  test("a smaller budget can be asked for", () => {
    const result = composeFindResult({ tool: "list_leads", collection: "leads", format: "concise", entries: manyLeads(200), offset: 0, complete: true, maxBytes: 10_000 });
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(10_000);
    expect(Buffer.byteLength(JSON.stringify(result.structured))).toBeLessThanOrEqual(10_000);
    expect(result.structured.omitted).toBeGreaterThan(0);
  });
});

describe("estimateTokens", () => {
  test("UTF-8 bytes / 4, rounded up", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcd")).toBe(1);
    expect(estimateTokens("abcde")).toBe(2);
    expect(estimateTokens("é")).toBe(1);
    expect(estimateTokens("😀😀")).toBe(2);
    expect(estimateTokens("x".repeat(100_000))).toBe(25_000);
  });
});
