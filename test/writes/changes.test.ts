import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeChanges, valuesEqual, verifyFieldsApplied } from "../../src/writes/changes.js";

const longOld = "Five rules for onboarding emails people actually read, from two years of tests. ".repeat(4);
const longNew = "Six rules now: we learned one more thing about onboarding emails.\r\n".repeat(3);

describe("describeChanges", () => {
  const before = { id: "p1", text: longOld, scheduled_at: "2026-12-05T08:00:00.000Z", notes: null, images: ["https://cdn.example/a.png"] };
  const after = { id: "p1", text: longNew, scheduled_at: "2026-12-06T08:00:00.000Z", notes: "ask Kim", images: ["https://cdn.example/a.png"] };

  it("restates each changed field as old → new, with times in UTC and the caller's zone", () => {
    expect(describeChanges(before, after, ["text", "scheduled_at", "notes", "images"], { timeZone: "Europe/Berlin" })).toEqual([
      {
        field: "text",
        from: longOld,
        to: longNew,
        text: 'text: "Five rules for onboarding emails people actually read, from…" (320 characters) → "Six rules now: we learned one more thing about onboarding…" (201 characters)',
      },
      {
        field: "scheduled_at",
        from: "2026-12-05T08:00:00.000Z",
        to: "2026-12-06T08:00:00.000Z",
        text: "scheduled_at: 2026-12-05 08:00 UTC = 2026-12-05 09:00 Europe/Berlin (+01:00) → 2026-12-06 08:00 UTC = 2026-12-06 09:00 Europe/Berlin (+01:00)",
      },
      { field: "notes", from: null, to: "ask Kim", text: 'notes: (none) → "ask Kim"' },
    ]);
  });

  it("uses the offset when no zone was given, and UTC alone when neither", () => {
    const [change] = describeChanges(before, after, ["scheduled_at"], { offset: "-05:00" });
    expect(change!.text).toBe("scheduled_at: 2026-12-05 08:00 UTC = 2026-12-05 03:00 (-05:00) → 2026-12-06 08:00 UTC = 2026-12-06 03:00 (-05:00)");
    expect(describeChanges(before, after, ["scheduled_at"], {})[0]!.text).toBe("scheduled_at: 2026-12-05 08:00 UTC → 2026-12-06 08:00 UTC");
  });

  it("leaves out sent fields that did not change, including the same instant spelled differently", () => {
    expect(describeChanges({ scheduled_at: "2026-12-05T09:00:00+01:00" }, { scheduled_at: "2026-12-05T08:00:00.000Z" }, ["scheduled_at"])).toEqual([]);
    expect(describeChanges(before, after, ["images", "id", "images"])).toEqual([]);
  });

  it("describes lists, numbers, booleans and cleared values", () => {
    const changes = describeChanges(
      { images: ["a", "b", "c", "d"], count: 1, flag: true, theme_id: "t1" },
      { images: [], count: 2, flag: false },
      ["images", "count", "flag", "theme_id"],
    );
    expect(changes.map((change) => change.text)).toEqual([
      'images: ["a", "b", "c", and 1 more] → (none)',
      "count: 1 → 2",
      "flag: true → false",
      'theme_id: "t1" → (none)',
    ]);
  });

  it("reads only own fields, so a field named like a prototype member is data", () => {
    expect(describeChanges({}, { constructor: "x" }, ["constructor", "toString"]).map((change) => change.text)).toEqual(['constructor: (none) → "x"']);
  });
});

describe("verifyFieldsApplied", () => {
  it("is applied when the read-back shows every sent field, times as instants", () => {
    expect(
      verifyFieldsApplied(
        { text: "Hello", scheduled_at: "2026-12-05T09:00:00+01:00", images: ["a", "b"], notes: null },
        { id: "p1", text: "Hello", scheduled_at: "2026-12-05T08:00:00.000Z", images: ["a", "b"], status: "scheduled" },
      ),
    ).toEqual({ applied: true, mismatched: [] });
    expect(verifyFieldsApplied({ scheduled_at: "2026-12-05T09:00:00+0100" }, { scheduled_at: "2026-12-05T08:00:00Z" }).applied).toBe(true);
  });

  it("names each field the read-back does not show", () => {
    expect(
      verifyFieldsApplied(
        { text: "Hello", scheduled_at: "2026-12-05T09:00:00+01:00", images: ["a", "b"], theme_id: "t1" },
        { text: "Hello!", scheduled_at: "2026-12-05T09:00:00.000Z", images: ["b", "a"] },
      ),
    ).toEqual({ applied: false, mismatched: ["text", "scheduled_at", "images", "theme_id"] });
  });
});

describe("valuesEqual", () => {
  it("is reflexive and symmetric for any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (left, right) => {
      expect(valuesEqual(left, structuredClone(left))).toBe(true);
      expect(valuesEqual(left, right)).toBe(valuesEqual(right, left));
    }));
  });

  it("treats absent as null but not as empty, and does not equate different types", () => {
    expect(valuesEqual(undefined, null)).toBe(true);
    expect(valuesEqual(null, "")).toBe(false);
    expect(valuesEqual("1", 1)).toBe(false);
    expect(valuesEqual([1], { 0: 1 })).toBe(false);
    expect(valuesEqual({ a: 1, b: null }, { a: 1 })).toBe(true);
    expect(valuesEqual("2026-12-05", "2026-12-05T00:00:00Z")).toBe(false);
  });
});
