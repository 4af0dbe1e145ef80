/**
 * Independent statements of what the sanitizer's output must never contain. They are written
 * from the brief's list, not from the implementation's regular expressions, so a mistake in
 * one is not silently repeated in the other.
 */
import fc from "fast-check";
import { INJECTION_CORPUS } from "../fixtures/injection-corpus.js";

export const PROPERTY_RUNS = { numRuns: 300 } as const;

/** Always forbidden: invisible, bidi, tag, control (but \n \t), noncharacter, private use, braille blank. */
const ALWAYS_FORBIDDEN = new RegExp(
  "[" +
    "\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F" + // C0 / C1 controls except \t \n
    "\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F" +
    "\\u200B\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2060-\\u206F" + // zero-width, bidi, invisible operators
    "\\u3164\\uFE00-\\uFE0D\\uFEFF\\uFFA0\\uFFF9-\\uFFFB\\uFDD0-\\uFDEF\\uFFFE\\uFFFF" +
    "\\u{E0000}-\\u{E0FFF}\\u{1D173}-\\u{1D17A}" + // tags, variation selectors supplement, musical format
    "\\uE000-\\uF8FF\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}\\u2800" + // private use (BMP, planes 15-16), braille blank
    "]",
  "u",
);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const EMOJI = /[\p{Emoji}\p{Extended_Pictographic}]/u;
const LETTER_OR_MARK = /[\p{L}\p{M}]/u;

/** Returns a description of the first violation, or undefined when the text is clean. */
export function hiddenCharacterViolation(text: string): string | undefined {
  const forbidden = ALWAYS_FORBIDDEN.exec(text);
  if (forbidden !== null) {
    return `forbidden U+${(forbidden[0].codePointAt(0) ?? 0).toString(16)} at ${forbidden.index}`;
  }
  if (LONE_SURROGATE.test(text)) return "lone surrogate";
  const codePoints = [...text];
  for (let index = 0; index < codePoints.length; index++) {
    const character = codePoints[index] ?? "";
    const previous = codePoints[index - 1] ?? "";
    const next = codePoints[index + 1] ?? "";
    if (character === "\uFE0E" || character === "\uFE0F") {
      if (!EMOJI.test(previous)) return `variation selector after ${JSON.stringify(previous)}`;
    }
    if (character === "\u200D") {
      const emojiJoin = PICTOGRAPH.test(next) && (EMOJI.test(previous) || previous === "\uFE0F");
      const scriptJoin = LETTER_OR_MARK.test(previous) && !/[\x00-\x7F]/.test(previous) && /\p{L}/u.test(next);
      if (!emojiJoin && !scriptJoin) return `ZWJ between ${JSON.stringify(previous)} and ${JSON.stringify(next)}`;
    }
    if (character === "\u200C") {
      const scriptJoin = LETTER_OR_MARK.test(previous) && !/[\x00-\x7F]/.test(previous) && /\p{L}/u.test(next);
      if (!scriptJoin) return `ZWNJ between ${JSON.stringify(previous)} and ${JSON.stringify(next)}`;
    }
  }
  return undefined;
}

/** Markup a renderer or a model could act on. */
export function markupViolation(text: string): string | undefined {
  if (text.includes("![")) return "image opener ![";
  if (text.includes("](")) return "link/image destination ](";
  if (text.includes("][")) return "reference ][";
  if (text.includes("]:")) return "reference definition ]:";
  const tag = /<[A-Za-z!/?]/.exec(text);
  if (tag !== null) return `tag-like ${JSON.stringify(text.slice(tag.index, tag.index + 12))}`;
  return undefined;
}

export function codePointLength(text: string): number {
  return [...text].length;
}

/** Units chosen to collide: markup pieces, joiners, emoji, joining scripts, marks, controls. */
const HOSTILE_UNITS = [
  "<", ">", "[", "]", "(", ")", "!", ":", "/", "\n", "\n\n\n", " ", "\t", "\r", "a", "b", "x y",
  "<a>", "</a>", "<b", "<script>", "</script>", "<style>", "<!--", "-->", "<!", "<?", "</",
  "![", "](", "][", "]:", "[r]: ", "http://x.y/p?q=1", "<https://x.y>", "<a@b.c>", "javascript:",
  "`", "&lt;", "&#60;", "…", "[image removed]", "[truncated, 3 more characters]",
  "\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\uFE0E", "\uFE0F", "\u{E0100}",
  "\u202E", "\u2066", "\u{E0041}", "\u{E007F}", "\u0000", "\u001B", "\u0085", "\u2028",
  "\u0301", "\u0300", "\u0338", "\u0489", "e", "q",
  "👨", "👩", "🏳", "🌈", "🏽", "❤", "1", "#", "\u20E3",
  "ك", "م", "\u064B", "ی", "क", "\u094D", "ශ", "\u0DCA", "ර",
  "\uD800", "\uDC00", "\u{1F600}", "😀",
];

export const hostileText = fc.string({ unit: fc.constantFrom(...HOSTILE_UNITS), maxLength: 60 });

/** Arbitrary text of several flavours: raw code points, graphemes, colliding units, corpus pieces. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary-ascii", maxLength: 80 }),
  hostileText,
  fc
    .tuple(
      fc.constantFrom(...INJECTION_CORPUS.filter((entry) => entry.text.length < 2_000).map((entry) => entry.text)),
      hostileText,
      fc.nat(),
    )
    .map(([text, noise, at]) => {
      const cut = at % (text.length + 1);
      return text.slice(0, cut) + noise + text.slice(cut);
    }),
);

/** The median of a few timings of `run`, in milliseconds (after one warm-up call). */
export function medianMilliseconds(run: () => void, samples = 3): number {
  run();
  const timings: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const started = performance.now();
    run();
    timings.push(performance.now() - started);
  }
  timings.sort((left, right) => left - right);
  return timings[Math.floor(timings.length / 2)] ?? 0;
}
