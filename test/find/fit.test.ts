import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { describeCuts, fitRecord } from "../../src/find/fit.js";

const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

describe("fitRecord", () => {
  test("a record that fits is returned as it is, uncopied", () => {
    const record = { id: "a", list: [1, 2, 3] };
    expect(fitRecord(record, 1_000)).toEqual({ record, cuts: [] });
    expect(fitRecord(record, 1_000).record).toBe(record);
  });

  test("the largest values are halved until the record fits; texts end in the marker, lists keep their first entries", () => {
    const record = { id: "m1", title: "Short title", page: { content: "x".repeat(50_000) }, signals: Array.from({ length: 1_000 }, (_, i) => `signal ${i}`) };
    const { record: fitted, cuts } = fitRecord(record, 20_000);
    const shown = fitted as typeof record;
    expect(size(shown)).toBeLessThanOrEqual(20_000);
    expect(shown.id).toBe("m1");
    expect(shown.title).toBe("Short title");
    expect(shown.page.content).toMatch(/^x+… \(\+\d+ characters\)$/);
    const keptChars = shown.page.content.indexOf("…");
    expect(shown.page.content.endsWith(`(+${50_000 - keptChars} characters)`)).toBe(true);
    expect(shown.signals).toEqual(record.signals.slice(0, shown.signals.length));
    expect(cuts).toContainEqual({ path: "page.content", kept: keptChars, total: 50_000, unit: "characters" });
    // The record passed in is not changed.
    expect(record.page.content).toHaveLength(50_000);
    expect(record.signals).toHaveLength(1_000);
    expect(describeCuts(cuts)).toContain(`page.content: the first ${keptChars.toLocaleString("en-US")} of 50,000 characters`);
  });

  test("a cut inside a list entry the list no longer holds is not named", () => {
    const record = { items: Array.from({ length: 40 }, (_, i) => ({ n: i, body: "y".repeat(2_000) })) };
    const { record: fitted, cuts } = fitRecord(record, 5_000);
    const kept = (fitted as typeof record).items.length;
    for (const cut of cuts) {
      const index = /^items\[(\d+)\]/.exec(cut.path)?.[1];
      if (index !== undefined) expect(Number(index)).toBeLessThan(kept);
    }
    expect(size(fitted)).toBeLessThanOrEqual(5_000);
  });

  test("any JSON record: the result fits, or nothing long is left to cut; kept list entries and text beginnings are the originals'", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.integer({ min: 200, max: 5_000 }), (value, budget) => {
        const record = { value, long: "z".repeat(3_000), many: Array.from({ length: 300 }, (_, i) => i) };
        const { record: fitted, cuts } = fitRecord(record, budget);
        const shown = fitted as typeof record;
        expect(shown.many).toEqual(record.many.slice(0, shown.many.length));
        expect(record.long.startsWith(shown.long.replace(/… \(\+\d+ characters\)$/, ""))).toBe(true);
        for (const cut of cuts) expect(cut.kept).toBeLessThan(cut.total);
        if (size(fitted) > budget) {
          // Only what cannot be cut is left: no text over 200 characters, no list over one entry.
          const strings: string[] = [];
          const lists: unknown[][] = [];
          const walk = (item: unknown): void => {
            if (typeof item === "string") strings.push(item);
            else if (Array.isArray(item)) {
              lists.push(item);
              item.forEach(walk);
            } else if (item && typeof item === "object") Object.values(item).forEach(walk);
          };
          walk(fitted);
          expect(strings.filter((text) => !/… \(\+\d+ characters\)$/.test(text) && [...text].length > 200)).toEqual([]);
          expect(lists.filter((list) => list.length > 1)).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
