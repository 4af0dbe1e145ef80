import { describe, expect, it } from "vitest";
import {
  callToActionKeyword,
  dayKey,
  instantAt,
  leadFilterArgs,
  monthGrid,
  NO_LEAD_FILTER,
  pageOf,
  postOf,
  weekStart,
} from "../../src/app/view/data.js";
import { FIND_FILTERS } from "../../src/find/filters.js";

/** The view's data layer on its own: tolerant reading of tool results, and wall-clock time zones. */

describe("pageOf", () => {
  it("reads today's `data` list envelope, a concise `items` list and a single record", () => {
    expect(pageOf({ structuredContent: { data: [{ id: "a" }, { id: "b" }], next_offset: 2 } })).toEqual({ records: [{ id: "a" }, { id: "b" }], nextOffset: 2 });
    expect(pageOf({ structuredContent: { items: [{ id: "c" }] } })).toEqual({ records: [{ id: "c" }], nextOffset: undefined });
    expect(pageOf({ structuredContent: { data: { post_id: "p" } } }).records).toEqual([{ post_id: "p" }]);
  });

  it("drops what is not a record and survives results without structured content", () => {
    expect(pageOf({ structuredContent: { data: [1, "x", null, { id: "ok" }] } }).records).toEqual([{ id: "ok" }]);
    expect(pageOf({ isError: true, content: [{ type: "text", text: "refused" }] })).toEqual({ records: [], nextOffset: undefined });
  });

  it("reads how many records a filtered page scanned", () => {
    expect(pageOf({ structuredContent: { data: [{ id: "a" }], offset: 0, complete: false, next_offset: 412, scanned: 412, matched: 50 } })).toEqual({
      records: [{ id: "a" }],
      nextOffset: 412,
      scanned: 412,
    });
  });
});

describe("postOf", () => {
  it("keeps what a malformed record has instead of failing", () => {
    const post = postOf({ id: "p", status: "exploded", scheduled_at: "not a date", images: ["a", "b"], document_url: "" });
    expect(post).toMatchObject({ id: "p", status: "unknown", at: undefined, mediaCount: 2, metrics: undefined, text: "" });
  });
});

describe("time zones", () => {
  it("finds the instant of a wall-clock time, also across a daylight-saving change", () => {
    expect(instantAt("2026-03-08", 10, 30, "America/New_York").toISOString()).toBe("2026-03-08T14:30:00.000Z");
    expect(instantAt("2026-03-07", 10, 30, "America/New_York").toISOString()).toBe("2026-03-07T15:30:00.000Z");
    expect(instantAt("2026-12-09", 10, 30, "Asia/Tokyo").toISOString()).toBe("2026-12-09T01:30:00.000Z");
  });

  it("puts one instant on different days in different zones", () => {
    const at = new Date("2026-12-07T16:00:00Z");
    expect(dayKey(at, "America/New_York")).toBe("2026-12-07");
    expect(dayKey(at, "Asia/Tokyo")).toBe("2026-12-08");
  });

  it("starts weeks on Monday and shows a month as six weeks", () => {
    expect(weekStart("2026-12-06")).toBe("2026-11-30");
    expect(weekStart("2026-12-07")).toBe("2026-12-07");
    const grid = monthGrid("2026-12-15");
    expect(grid.first).toBe("2026-12-01");
    expect(grid.days).toHaveLength(42);
    expect(grid.days[0]).toBe("2026-11-30");
  });
});

describe("callToActionKeyword", () => {
  it("matches a lead-magnet keyword as a whole word only", () => {
    expect(callToActionKeyword("Comment GUIDE and I will send it.", ["PLAYBOOK", "GUIDE"])).toBe("GUIDE");
    expect(callToActionKeyword("The GUIDEBOOK is out.", ["GUIDE"])).toBeUndefined();
  });
});

describe("lead filters", () => {
  it("sends only what is set, days as the instants they start and end at in the person's zone", () => {
    expect(leadFilterArgs(NO_LEAD_FILTER, "UTC")).toEqual({});
    expect(leadFilterArgs({ ...NO_LEAD_FILTER, words: "  ", intent: "no" }, "UTC")).toEqual({ has_intent: false });
    expect(
      leadFilterArgs({ words: " ada lovelace ", keyword: "GUIDE", intent: "yes", qualification: "qualified", source: "comment", since: "2026-11-01", until: "2026-11-30" }, "Asia/Tokyo"),
    ).toEqual({
      query: "ada lovelace",
      keyword: "GUIDE",
      has_intent: true,
      qualification_status: "qualified",
      source: "comment",
      created_after: "2026-10-31T15:00:00.000Z",
      created_before: "2026-11-30T15:00:00.000Z",
    });
    // Every field the view sends is one the server takes.
    const all = leadFilterArgs({ words: "x", keyword: "K", intent: "yes", qualification: "q", source: "s", since: "2026-01-01", until: "2026-01-02" }, "UTC");
    expect(FIND_FILTERS.leads.given(all)).toEqual(all);
  });

});
