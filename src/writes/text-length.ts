import { POST_TEXT_MAX } from "../contract.js";
import { countCodePoints } from "../safety/sanitize.js";

/**
 * How a post's length is counted: in Unicode code points, the count the post schema
 * (src/tools/posts.ts) enforces. A CRLF line break is two (CR and LF); an emoji is one, but
 * a family emoji 👨‍👩‍👧 is five (three people and the two zero-width joiners between them).
 */
export function countPostCharacters(text: string): number {
  return countCodePoints(text);
}

/**
 * The length message for `text`: "text is 3,214 characters, 214 over the 3,000 limit (counted
 * in Unicode code points: …)". For a text within the limit it says so, with the count.
 */
export function describeTextTooLong(text: string, max: number = POST_TEXT_MAX): string {
  const count = countPostCharacters(text);
  const counted = `${formatCount(count)} ${count === 1 ? "character" : "characters"}`;
  if (count <= max) return `text is ${counted}, within the ${formatCount(max)} limit`;
  return `text is ${counted}, ${formatCount(count - max)} over the ${formatCount(max)} limit (counted in Unicode code points: a line break CRLF counts 2, an emoji with joiners counts each part); shorten it by at least ${formatCount(count - max)}`;
}

/**
 * The first words of a text on one line, for naming a post to a person: whitespace collapsed,
 * cut at a word boundary within `maxCharacters` code points, with "…" when anything was cut.
 */
export function firstWords(text: string, maxCharacters = 60): string {
  const oneLine = text.replace(/\s+/gu, " ").trim();
  const codePoints = [...oneLine];
  if (codePoints.length <= maxCharacters) return oneLine;
  const head = codePoints.slice(0, maxCharacters).join("");
  const lastSpace = head.lastIndexOf(" ");
  return `${(lastSpace > 0 ? head.slice(0, lastSpace) : head).trimEnd()}…`;
}

function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}
