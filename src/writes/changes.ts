import { isRecord } from "../json.js";
import { countPostCharacters, firstWords } from "./text-length.js";
import { describeInstant } from "./time.js";

/**
 * What a write changed, said as a person would check it, and whether a read-back shows what
 * was sent. Values compare by meaning: two spellings of one instant are equal, an absent field
 * equals null, arrays and objects compare by value.
 */

/** One changed field: its old and new value, and a line restating them. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
  /** `scheduled_at: 2026-12-05 08:00 UTC = … → 2026-12-06 08:00 UTC = …`. */
  text: string;
}

/** Strings longer than this (in code points), or spanning lines, are shown as first words and a length. */
const SHORT_STRING_MAX = 60;
/** Array items shown before the rest are counted. */
const ARRAY_ITEMS_SHOWN = 3;

const TIMESTAMP_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)$/i;

/**
 * Each field in `sent` whose value differs between `before` and `after`, as old → new. Long
 * texts appear as first words and length; times in UTC and in `options.timeZone` (or, failing
 * that, `options.offset`), the zone or offset the caller used. Sent fields that did not change
 * are left out, so an empty list means the write changed nothing.
 */
export function describeChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  sent: string[],
  options: { timeZone?: string; offset?: string } = {},
): FieldChange[] {
  const zone = options.timeZone ?? options.offset;
  const changes: FieldChange[] = [];
  for (const field of new Set(sent)) {
    const from = ownValue(before, field);
    const to = ownValue(after, field);
    if (valuesEqual(from, to)) continue;
    // An object changed on both sides (a hosted page) is restated by its inner fields: shown
    // whole, a long one would read the same before and after the arrow.
    if (isRecord(from) && isRecord(to)) {
      const inner = describeChanges(from, to, [...Object.keys(from), ...Object.keys(to)], options);
      changes.push(...inner.map((change) => ({ ...change, field: `${field}.${change.field}`, text: `${field}.${change.text}` })));
      continue;
    }
    const fromText = describeValue(from, zone);
    const toText = describeValue(to, zone);
    changes.push({
      field,
      from,
      to,
      // Two long texts that begin alike would read the same: show them where they part.
      text: fromText === toText && typeof from === "string" && typeof to === "string" ? describeTextEdit(field, from, to) : `${field}: ${fromText} → ${toText}`,
    });
  }
  return changes;
}

/** Code points shown before the first difference of two long texts that read the same in brief. */
const EXCERPT_LEAD = 20;

/** `text: …"help teh reader." → …"help the reader." (the first 118 characters unchanged; 128 now)`. */
function describeTextEdit(field: string, from: string, to: string): string {
  const before = [...from];
  const after = [...to];
  let same = 0;
  while (same < before.length && same < after.length && before[same] === after[same]) same += 1;
  return `${field}: ${excerptAt(before, same)} → ${excerptAt(after, same)} (the first ${same.toLocaleString("en-US")} characters unchanged; ${after.length.toLocaleString("en-US")} now)`;
}

/** The text from a little before `index`, on one line, as far as a short string shows. */
function excerptAt(codePoints: readonly string[], index: number): string {
  const start = Math.max(0, index - EXCERPT_LEAD);
  const piece = codePoints.slice(start, start + SHORT_STRING_MAX).join("").replace(/\s+/gu, " ");
  return `${start > 0 ? "…" : ""}${JSON.stringify(piece)}${start + SHORT_STRING_MAX < codePoints.length ? "…" : ""}`;
}

/**
 * Each field in `sent` as it is now, when its old value is unknown (the key cannot read the
 * record): `notes: now "…"`, `scheduled_at: now (none)`. Every sent field is listed, a null
 * that cleared one included: nothing shows it already held that value.
 */
export function describeNewValues(after: Record<string, unknown>, sent: string[], options: { timeZone?: string; offset?: string } = {}): FieldChange[] {
  const zone = options.timeZone ?? options.offset;
  return [...new Set(sent)].map((field) => {
    const to = ownValue(after, field);
    return { field, from: undefined, to, text: `${field}: now ${describeValue(to, zone)}` };
  });
}

/**
 * Whether a read-back record shows every field that was sent: `mismatched` names the fields
 * whose value differs (times compared as instants, arrays by value, an object by the fields
 * sent in it, an absent field as null). Fields LeadPanther rewrites on purpose (e.g. an upload path that comes back
 * as a URL) should not be passed in `sent`.
 */
export function verifyFieldsApplied(
  sent: Record<string, unknown>,
  record: Record<string, unknown>,
): { applied: boolean; mismatched: string[] } {
  const mismatched = Object.keys(sent).filter((field) => !holdsSentValue(sent[field], ownValue(record, field)));
  return { applied: mismatched.length === 0, mismatched };
}

/**
 * Whether a stored value shows what was sent. An object sent (a hosted_page) names only the
 * fields it changes: the stored one holds each of them, and keeps its other fields.
 */
function holdsSentValue(sent: unknown, stored: unknown): boolean {
  if (isRecord(sent) && isRecord(stored)) return Object.keys(sent).every((key) => holdsSentValue(sent[key], ownValue(stored, key)));
  return valuesEqual(sent, stored);
}

/** Equality by meaning: instants by time, arrays and objects by value, undefined as null. */
export function valuesEqual(left: unknown, right: unknown): boolean {
  if (left === undefined || left === null || right === undefined || right === null) {
    return (left ?? null) === (right ?? null);
  }
  if (typeof left === "string" && typeof right === "string") {
    if (left === right) return true;
    const leftTime = instantOf(left);
    const rightTime = instantOf(right);
    return leftTime !== undefined && leftTime === rightTime;
  }
  if (Array.isArray(left) || Array.isArray(right)) {
    return (
      Array.isArray(left) &&
      Array.isArray(right) &&
      left.length === right.length &&
      left.every((item, index) => valuesEqual(item, right[index]))
    );
  }
  if (typeof left === "object" && typeof right === "object") {
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    return [...keys].every((key) => valuesEqual(ownValue(left, key), ownValue(right, key)));
  }
  return Object.is(left, right);
}

/** A value for a person: `(none)`, a quoted short string, first words and length, a time, a list. */
function describeValue(value: unknown, zone: string | undefined): string {
  if (value === undefined || value === null) return "(none)";
  if (typeof value === "string") {
    const instant = instantOf(value);
    if (instant !== undefined) return describeInstant(new Date(instant), zone);
    const length = countPostCharacters(value);
    if (length <= SHORT_STRING_MAX && !/[\r\n]/.test(value)) return JSON.stringify(value);
    return `${JSON.stringify(firstWords(value, SHORT_STRING_MAX))} (${length.toLocaleString("en-US")} characters)`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "(none)";
    const shown = value.slice(0, ARRAY_ITEMS_SHOWN).map((item) => describeValue(item, zone));
    const rest = value.length - shown.length;
    return `[${shown.join(", ")}${rest > 0 ? `, and ${rest} more` : ""}]`;
  }
  if (typeof value === "object") return firstWords(JSON.stringify(value), SHORT_STRING_MAX);
  return String(value);
}

/** The instant a timestamp with an offset names, in milliseconds; undefined for anything else. */
function instantOf(value: string): number | undefined {
  if (!TIMESTAMP_WITH_OFFSET.test(value)) return undefined;
  const time = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
  return Number.isNaN(time) ? undefined : time;
}

/** An own property only: a field called `constructor` or `__proto__` is data, not the prototype's. */
function ownValue(record: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}
