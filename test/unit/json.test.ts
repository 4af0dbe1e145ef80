import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { messageChunks, rememberItemsJson, stringifyMessage } from "../../src/json.js";
import { composeFindResult } from "../../src/find/render.js";
import { listResult } from "../../src/results.js";
import { CATALOG } from "../../src/catalog.js";
import type { ShapeSettings } from "../../src/tools/types.js";

/**
 * The stdio transport writes a detailed list's items as the JSON their text lines already hold.
 * Whatever the items, the bytes on the wire must be exactly JSON.stringify of the message.
 */

const record = fc.dictionary(fc.string({ unit: "binary", maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });

function messageWith(data: unknown[], text: string): Record<string, unknown> {
  return { jsonrpc: "2.0", id: 7, result: { content: [{ type: "text", text }], structuredContent: { data, offset: 0, complete: true } } };
}

describe("stringifyMessage", () => {
  test("equals JSON.stringify for any remembered items and any text beside them", () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 12 }), fc.string({ unit: "binary", maxLength: 60 }), (data, text) => {
        rememberItemsJson(data, data.map((item) => JSON.stringify(item)));
        const message = messageWith(data, text);
        expect(stringifyMessage(message)).toBe(JSON.stringify(message));
        // The items went out as remembered: the message comes in three pieces, the middle one theirs.
        expect(messageChunks(message)[1]).toBe(`[${data.map((item) => JSON.stringify(item)).join(",")}]`);
      }),
      { numRuns: 300 },
    );
  });

  test("a text holding the items' JSON, or the placeholder's prefix, is left as it is", () => {
    const data = [{ id: "a", text: "lp-items-" }, { id: "b" }];
    rememberItemsJson(data, data.map((item) => JSON.stringify(item)));
    const message = messageWith(data, `"lp-items-" ${JSON.stringify(data)} "data":"lp-items-00000000-0000-4000-8000-000000000000"`);
    expect(stringifyMessage(message)).toBe(JSON.stringify(message));
  });

  test("items not remembered, or remembered with a different count, are serialised as usual", () => {
    const data = [{ id: "a" }, { id: "b" }];
    rememberItemsJson(data, ['{"id":"WRONG"}']);
    expect(messageChunks(messageWith(data, "x"))).toEqual([JSON.stringify(messageWith(data, "x"))]);
    const other = [{ id: "c" }];
    expect(stringifyMessage(messageWith(other, "x"))).toBe(JSON.stringify(messageWith(other, "x")));
    for (const message of [{ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } }, { jsonrpc: "2.0", id: 1, result: {} }]) {
      expect(stringifyMessage(message)).toBe(JSON.stringify(message));
    }
  });

  test("a detailed list result goes out byte for byte as JSON.stringify would write it; a concise one is not remembered", () => {
    const op = CATALOG.find((candidate) => candidate.name === "list_posts");
    if (op === undefined) throw new Error("list_posts is in the catalog");
    const records = [
      { id: "p1", text: "Quotes \" and \\ backslashes, \u2028 separators, emoji 😀 and a lone \ud800", images: [], nested: { a: [1, null, true] } },
      { id: "p2", status: "draft", text: "" },
    ];
    for (const format of ["detailed", "concise"] as const) {
      const composed = composeFindResult({
        tool: "list_posts",
        collection: "posts",
        format,
        entries: records.map((item, offset) => ({ record: item, offset })),
        offset: 0,
        complete: true,
        nextOffset: undefined,
      });
      expect(composed.itemsJson !== undefined).toBe(format === "detailed");
      const result = listResult(op, composed, { requestId: "req_1", settings: { leadPii: "full", activityContent: "redact" } satisfies ShapeSettings, withheld: false });
      const message = { jsonrpc: "2.0", id: 3, result };
      expect(stringifyMessage(message)).toBe(JSON.stringify(message));
      expect(messageChunks(message)).toHaveLength(format === "detailed" ? 3 : 1);
    }
  });
});
