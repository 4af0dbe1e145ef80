import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POST_TEXT_MAX } from "../../src/contract.js";
import { inputSchemaFor, operation } from "../../src/catalog.js";
import { countPostCharacters, describeTextTooLong, firstWords } from "../../src/writes/text-length.js";

const family = "👨‍👩‍👧";

describe("countPostCharacters", () => {
  it("counts code points: CRLF is 2, an emoji 1, a family emoji with joiners 5", () => {
    expect(countPostCharacters("a\r\nb")).toBe(4);
    expect(countPostCharacters("🎉")).toBe(1);
    expect(family.length).toBe(8);
    expect(countPostCharacters(family)).toBe(5);
    expect(countPostCharacters("")).toBe(0);
    expect(countPostCharacters("e\u0301")).toBe(2);
  });

  it("agrees with Array.from for any text, lone surrogates included", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => {
      expect(countPostCharacters(text)).toBe(Array.from(text).length);
    }));
    expect(countPostCharacters("\uD83D")).toBe(1);
  });

  it("agrees with the post schema on where the limit lies", () => {
    const schema = inputSchemaFor(operation("create_post"), "direct");
    const text = { safeParse: (value: string) => schema.safeParse({ text: value }) };
    for (const unit of ["a", "🎉", family, "\r\n"]) {
      const units = Math.floor((POST_TEXT_MAX - 1) / countPostCharacters(unit));
      const body = `w${unit.repeat(units)}`;
      const atLimit = body + "x".repeat(POST_TEXT_MAX - countPostCharacters(body));
      expect(countPostCharacters(atLimit)).toBe(POST_TEXT_MAX);
      expect(text.safeParse(atLimit).success).toBe(true);
      expect(text.safeParse(`${atLimit}x`).success).toBe(false);
      expect(text.safeParse(`${atLimit}${unit}`).success).toBe(false);
    }
  });
});

describe("describeTextTooLong", () => {
  it("says the length, how far over and how characters are counted", () => {
    expect(describeTextTooLong("x".repeat(3214), 3000)).toBe(
      "text is 3,214 characters, 214 over the 3,000 limit (counted in Unicode code points: a line break CRLF counts 2, an emoji with joiners counts each part); shorten it by at least 214",
    );
    expect(describeTextTooLong(family.repeat(601))).toMatch(/^text is 3,005 characters, 5 over the 3,000 limit/);
  });

  it("says so when the text is within the limit", () => {
    expect(describeTextTooLong("x".repeat(3000))).toBe("text is 3,000 characters, within the 3,000 limit");
    expect(describeTextTooLong("x", 10)).toBe("text is 1 character, within the 10 limit");
  });
});

describe("firstWords", () => {
  it("keeps a short text whole on one line", () => {
    expect(firstWords("  Hello\r\n  world  ")).toBe("Hello world");
  });

  it("cuts a long text at a word boundary with an ellipsis", () => {
    expect(firstWords("Onboarding emails that people actually read: five rules we learned", 30)).toBe("Onboarding emails that people…");
    expect(firstWords("x".repeat(100), 10)).toBe("xxxxxxxxxx…");
  });

  it("never splits a surrogate pair and stays within the budget", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), fc.integer({ min: 1, max: 80 }), (text, max) => {
      const words = firstWords(text, max);
      expect(Array.from(words.replace(/…$/, "")).length).toBeLessThanOrEqual(max);
      expect(words).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }));
  });
});
