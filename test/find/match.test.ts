import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isWithin, matchesAllWords, normalizeText, queryWords, sameKeyword } from "../../src/find/match.js";

describe("normalizeText", () => {
  test("folds case, accents, width, ligatures and invisible characters", () => {
    expect(normalizeText("Lucía")).toBe("lucia");
    expect(normalizeText("ＧＵＩＤＥ")).toBe("guide");
    expect(normalizeText("Ｔｏｍáｓ　Ｆｅｒｒｅｉｒａ")).toBe("tomas ferreira");
    expect(normalizeText("ﬁnance")).toBe("finance");
    expect(normalizeText("Zo\u0065\u0301")).toBe("zoe");
    expect(normalizeText("Gu\u200Bi\u200Dde\uFEFF")).toBe("guide");
    expect(normalizeText("İstanbul")).toBe("istanbul");
  });

  test("letters whose difference is not a combining mark are written as a keyboard would", () => {
    expect(normalizeText("Straße")).toBe("strasse");
    expect(normalizeText("Søren Łukasz Æsir Œuvre")).toBe("soren lukasz aesir oeuvre");
  });

  test("plain ASCII folds exactly as the full Unicode path does (it only takes a shorter way)", () => {
    // The full path, written out on its own: width, case, accents, invisible characters, letter folds.
    const fullPath = (text: string): string =>
      text
        .normalize("NFKC")
        .toLowerCase()
        .normalize("NFD")
        .replace(/\p{M}/gu, "")
        .replace(/\p{Default_Ignorable_Code_Point}/gu, "")
        .replace(/[ßæœøłđðþı]/gu, (letter) => ({ ß: "ss", æ: "ae", œ: "oe", ø: "o", ł: "l", đ: "d", ð: "d", þ: "th", ı: "i" })[letter] ?? letter);
    const everyAscii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).join("");
    expect(normalizeText(everyAscii)).toBe(fullPath(everyAscii));
    fc.assert(fc.property(fc.string({ unit: "binary-ascii" }), (text) => normalizeText(text) === fullPath(text)));
    // One character past ASCII takes the full path.
    fc.assert(fc.property(fc.string({ unit: "binary-ascii" }), fc.constantFrom("é", "ß", "\u200B", "Ａ", "\u00AD"), (text, other) => normalizeText(text + other) === fullPath(text + other)));
  });

  test("is idempotent", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (text) => normalizeText(normalizeText(text)) === normalizeText(text)));
  });
});

describe("queryWords", () => {
  test("splits on spaces and punctuation, keeps letters and digits of any script", () => {
    expect(queryWords("  Ingrid   Osei ")).toEqual(["ingrid", "osei"]);
    expect(queryWords("ingrid.osei@example.com")).toEqual(["ingrid", "osei", "example", "com"]);
    expect(queryWords("田中, 2026!")).toEqual(["田中", "2026"]);
    expect(queryWords(" … — ")).toEqual([]);
  });
});

describe("matchesAllWords", () => {
  test("accent-insensitive both ways: Lucia finds Lucía and Lucía finds Lucia", () => {
    expect(matchesAllWords(["Lucía Castillo"], "Lucia")).toBe(true);
    expect(matchesAllWords(["Lucia Castillo"], "Lucía")).toBe(true);
  });

  test("width-insensitive: fullwidth ＧＵＩＤＥ matches GUIDE", () => {
    expect(matchesAllWords(["Comment GUIDE below"], "ＧＵＩＤＥ")).toBe(true);
    expect(matchesAllWords(["ＧＵＩＤＥ download form"], "guide")).toBe(true);
  });

  test("part of a word counts: luc finds Lucía", () => {
    expect(matchesAllWords(["Lucía"], "luc")).toBe(true);
    expect(matchesAllWords(["Lucía"], "CIA")).toBe(true);
  });

  test("every word must be found, each in any haystack", () => {
    const lead = ["Ingrid Osei", "Head of Growth at Cobalt Freight", "ingrid.osei@example.com", null, undefined];
    expect(matchesAllWords(lead, "ingrid cobalt")).toBe(true);
    expect(matchesAllWords(lead, "osei@example")).toBe(true);
    expect(matchesAllWords(lead, "ingrid tanaka")).toBe(false);
    expect(matchesAllWords([null, undefined], "ingrid")).toBe(false);
  });

  test("a word never matches across a separator in the record", () => {
    expect(matchesAllWords(["in grid"], "ingrid")).toBe(false);
  });

  test("a query without words matches everything (the schemas refuse one)", () => {
    expect(matchesAllWords([], " ... ")).toBe(true);
  });

  test("property: the same answer as folding every field and looking for every folded word", () => {
    const reference = (haystacks: (string | null)[], query: string): boolean =>
      queryWords(query).every((word) => haystacks.some((text) => typeof text === "string" && normalizeText(text).includes(word)));
    // ASCII and the characters folding changes, mixed: fields take the plain-ASCII way or not.
    const letters = fc.constantFrom(..."aZk09 .-@_\u212AİıßéÉＡａ\u200Bøſ田");
    const text = fc.string({ unit: letters, maxLength: 12 });
    fc.assert(
      fc.property(fc.array(fc.option(text), { maxLength: 4 }), text, (haystacks, query) => matchesAllWords(haystacks, query) === reference(haystacks, query)),
      { numRuns: 2_000 },
    );
    // The Kelvin sign folds to k outside ASCII only: an ASCII field is searched for "k" as it is.
    expect(matchesAllWords(["Kelvin"], "\u212Aelvin")).toBe(true);
    expect(matchesAllWords(["\u212Aelvin"], "KELVIN")).toBe(true);
  });

  test("property: any substring of a record's word, in any case, finds the record", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-zÀ-ÿ]{1,12}$/), fc.nat(), fc.nat(), (word, a, b) => {
        const from = Math.min(a, b) % word.length;
        const to = from + 1 + (Math.max(a, b) % (word.length - from));
        const part = word.slice(from, to);
        const probe = part.toUpperCase();
        // × and ÷ lie in the range but are not letters: a probe of those holds no word.
        return queryWords(probe).length === 0 || matchesAllWords([`x ${word} y`], probe);
      }),
    );
  });
});

describe("sameKeyword", () => {
  test("exact but normalised: GUIDE = guide = fullwidth, surrounding spaces ignored", () => {
    expect(sameKeyword("GUIDE", "guide")).toBe(true);
    expect(sameKeyword("GUIDE", " ＧＵＩＤＥ ")).toBe(true);
    expect(sameKeyword("GUIDES", "guide")).toBe(false);
    expect(sameKeyword("GUIDE", "guid")).toBe(false);
  });

  test("a value that is not a string is never the keyword", () => {
    expect(sameKeyword(null, "guide")).toBe(false);
    expect(sameKeyword(undefined, "guide")).toBe(false);
    expect(sameKeyword(["GUIDE"], "guide")).toBe(false);
  });
});

describe("isWithin (half-open: after inclusive, before exclusive)", () => {
  const monday = Date.parse("2026-12-07T00:00:00.000Z");
  const nextMonday = Date.parse("2026-12-14T00:00:00.000Z");
  const week = { after: monday, before: nextMonday };

  test("bounds", () => {
    expect(isWithin("2026-12-07T00:00:00.000Z", week)).toBe(true);
    expect(isWithin("2026-12-13T23:59:59.999Z", week)).toBe(true);
    expect(isWithin("2026-12-14T00:00:00.000Z", week)).toBe(false);
    expect(isWithin("2026-12-06T23:59:59.999Z", week)).toBe(false);
  });

  test("offsets are instants: 01:00+01:00 is midnight UTC", () => {
    expect(isWithin("2026-12-07T01:00:00+01:00", week)).toBe(true);
    expect(isWithin("2026-12-07T00:59:59+01:00", week)).toBe(false);
  });

  test("one-sided windows, and no window at all", () => {
    expect(isWithin("2030-01-01T00:00:00Z", { after: monday })).toBe(true);
    expect(isWithin("2020-01-01T00:00:00Z", { before: monday })).toBe(true);
    expect(isWithin(null, {})).toBe(true);
  });

  test("a missing or unreadable timestamp is outside any bounded window", () => {
    expect(isWithin(null, week)).toBe(false);
    expect(isWithin("next tuesday", { after: monday })).toBe(false);
    expect(isWithin(1765065600000, { after: monday })).toBe(false);
  });
});
