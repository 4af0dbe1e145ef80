/**
 * Text matching for the find filters. LeadPanther v1 filters nothing itself (contract §9: only
 * limit and offset), so this server compares what people type with what the records hold, and
 * people type "Lucia" for "Lucía", "GUIDE" in fullwidth from a CJK keyboard, or half a name.
 */

/**
 * Letters that carry their difference in the letter itself, not in a combining mark, so NFD
 * leaves them alone; written the way an English keyboard would type them.
 */
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
};
const FOLDABLE = new RegExp(`[${Object.keys(LETTER_FOLDS).join("")}]`, "gu");
const COMBINING_MARKS = /\p{M}/gu;
/** Zero-width and other invisible characters: inside a word they would split it for no reader. */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
/** What separates words: anything that is not a letter or a digit. */
const WORD_SEPARATOR = /[^\p{L}\p{N}]+/u;

/** Text every step below leaves as it is, but for case: NFKC and NFD keep ASCII, which holds no mark and nothing invisible. */
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * The comparable form of a text: width-folded (NFKC: fullwidth "ＧＵＩＤＥ" is "GUIDE"),
 * lower-cased, without accents (NFD, combining marks dropped) or invisible characters.
 * A scan folds every field it compares of every record, so plain ASCII takes the short way.
 */
export function normalizeText(text: string): string {
  if (ASCII_ONLY.test(text)) return text.toLowerCase();
  return text
    .normalize("NFKC")
    .toLowerCase()
    .normalize("NFD")
    .replace(COMBINING_MARKS, "")
    .replace(INVISIBLE, "")
    .replace(FOLDABLE, (letter) => LETTER_FOLDS[letter] ?? letter);
}

/** The normalized words of a query, in order; punctuation and spaces only separate them. */
export function queryWords(query: string): string[] {
  return normalizeText(query)
    .split(WORD_SEPARATOR)
    .filter((word) => word.length > 0);
}

/**
 * True when every word of the query occurs (as part of a word: "luc" finds "Lucía") in at least
 * one of the haystacks. Missing haystacks count as empty. A query without any word matches
 * everything; the input schemas refuse such a query before it gets here.
 */
export function matchesAllWords(haystacks: readonly (string | undefined | null)[], query: string): boolean {
  return wordsMatcher(query)(haystacks);
}

/**
 * {@link matchesAllWords} for one query over many records: the query is folded once, not once
 * per record, and a field of plain ASCII is searched as it is, without a folded copy: an ASCII
 * word ignoring ASCII case (all that folding would change in it), a word with any other
 * character not at all (folding never turns ASCII into anything else).
 */
export function wordsMatcher(query: string): (haystacks: readonly (string | undefined | null)[]) => boolean {
  const words = queryWords(query).map((word) => ({ word, inAscii: ASCII_ONLY.test(word) ? new RegExp(word, "i") : undefined }));
  if (words.length === 0) return () => true;
  return (haystacks) => {
    const ascii: string[] = [];
    const folded: string[] = [];
    for (const text of haystacks) {
      if (typeof text !== "string" || text === "") continue;
      if (ASCII_ONLY.test(text)) ascii.push(text);
      else folded.push(normalizeText(text));
    }
    return words.every(({ word, inAscii }) => (inAscii !== undefined && ascii.some((text) => inAscii.test(text))) || folded.some((text) => text.includes(word)));
  };
}

/** Keyword equality as people mean it: `GUIDE`, `guide`, ` ＧＵＩＤＥ ` are the same keyword. */
export function sameKeyword(value: unknown, wanted: string): boolean {
  return keywordMatcher(wanted)(value);
}

/** {@link sameKeyword} for one wanted keyword over many records, folded once. */
export function keywordMatcher(wanted: string): (value: unknown) => boolean {
  const folded = normalizeText(wanted).trim();
  return (value) => typeof value === "string" && normalizeText(value).trim() === folded;
}

/**
 * A time window, half-open so that consecutive windows never share an instant: `after` is
 * inclusive ("at or after"), `before` exclusive. Bounds are milliseconds since the epoch.
 */
export interface TimeWindow {
  after?: number | undefined;
  before?: number | undefined;
}

/**
 * Whether an ISO 8601 timestamp lies in the window. A record without a readable timestamp is
 * outside every window that has a bound: it cannot be shown to be inside.
 */
export function isWithin(timestamp: unknown, window: TimeWindow): boolean {
  if (window.after === undefined && window.before === undefined) return true;
  const at = typeof timestamp === "string" ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at)) return false;
  if (window.after !== undefined && at < window.after) return false;
  if (window.before !== undefined && at >= window.before) return false;
  return true;
}
