/**
 * Shaping of sensitive records before they reach the model (contract §10, §14, §15).
 *
 * Activity (`list_activity`) is the dangerous one: `content` is written by strangers and
 * `metadata` carries LinkedIn's own identifiers. The operator picks the mode
 * (LEADPANTHER_ACTIVITY_CONTENT); no tool argument reaches these functions.
 * - `redact` (default): content becomes `[redacted: N characters]` and every identifier that
 *   is not a LeadPanther record UUID becomes `[redacted]`. The output depends only on the
 *   content's length and on fields we can vouch for, never on the content's text.
 * - `sanitized`: the same, but content is sanitized, capped at 500 characters and wrapped in
 *   random-boundary untrusted-data markers.
 *
 * Leads and clients are shown as they are (that is the tools' purpose) with every string
 * sanitized and capped, and every non-string kept with its type.
 */
import { countCodePoints, sanitizeText, setOwn, transformStrings } from "./sanitize.js";
import { wrapUntrusted } from "./untrusted.js";

/** How inbound comment and message text reaches the model (the operator picks; see the header). */
export const ACTIVITY_CONTENT_MODES = ["redact", "sanitized"] as const;
export type ActivityContentMode = (typeof ACTIVITY_CONTENT_MODES)[number];

export const REDACTED_VALUE = "[redacted]";
export const ACTIVITY_CONTENT_MAX_LENGTH = 500;
export const ACTIVITY_CONTENT_LABEL = "activity content";

const RECORD_ID_KEYS: ReadonlySet<string> = new Set([
  "id",
  "post_id",
  "lead_magnet_id",
  "lead_id",
  "client_id",
  "user_id",
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Field names we keep at all; anything else (a key written by who knows whom) is dropped. */
const SANE_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** `id`, `post_id`, `lead_magnet_id`, `lead_id`, `client_id`, `user_id`: LeadPanther's own UUIDs. */
export function isLeadPantherRecordIdKey(key: string): boolean {
  return RECORD_ID_KEYS.has(key);
}

const ACTIVITY_TEXT_CAPS: Readonly<Record<string, number>> = {
  source: 100,
  keyword: 100,
  status: 100,
  author_name: 200,
  author_profile_url: 500,
  created_at: 64,
  updated_at: 64,
};
const ACTIVITY_UNKNOWN_TEXT_CAP = 500;

/** Words that make an unknown field look like a platform identifier. */
const IDENTIFIER_WORDS = new Set(["id", "ids", "uid", "uuid", "guid", "urn", "urns", "platform", "thread", "chat", "conversation"]);
/** Words that make an unknown field look like more third-party content. */
const CONTENT_WORDS = new Set([
  "content", "text", "message", "messages", "body", "comment", "comments", "snippet", "preview",
  "excerpt", "subject", "reply", "replies", "html", "markdown", "raw", "transcript", "caption",
]);

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

function looksLikeIdentifierKey(key: string): boolean {
  return keyWords(key).some((word) => IDENTIFIER_WORDS.has(word));
}

function looksLikeContentKey(key: string): boolean {
  return keyWords(key).some((word) => CONTENT_WORDS.has(word));
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own enumerable entries, never throwing (a hostile getter or proxy yields nothing). */
function safeEntries(record: Record<string, unknown>): [string, unknown][] {
  try {
    return Object.keys(record).map((key): [string, unknown] => {
      try {
        return [key, record[key]];
      } catch {
        return [key, REDACTED_VALUE];
      }
    });
  } catch {
    return [];
  }
}

function shapeRecordId(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  return typeof value === "string" && UUID.test(value) ? value : REDACTED_VALUE;
}

function redactedContent(content: string): string {
  return `[redacted: ${countCodePoints(content)} characters]`;
}

function shapeContent(content: unknown, mode: ActivityContentMode): unknown {
  if (content === null || content === undefined) return content;
  if (typeof content !== "string") return REDACTED_VALUE;
  if (mode === "sanitized") {
    return wrapUntrusted(sanitizeText(content, { maxLength: ACTIVITY_CONTENT_MAX_LENGTH }), ACTIVITY_CONTENT_LABEL);
  }
  return redactedContent(content);
}

/** Metadata keeps LeadPanther record UUIDs; every other value (platform IDs and unknowns) goes. */
function shapeMetadata(metadata: unknown): unknown {
  if (metadata === null || metadata === undefined) return metadata;
  if (!isPlainRecord(metadata)) return REDACTED_VALUE;
  const shaped: Record<string, unknown> = {};
  for (const [key, value] of safeEntries(metadata)) {
    if (!SANE_KEY.test(key)) continue;
    if (isLeadPantherRecordIdKey(key)) setOwn(shaped, key, shapeRecordId(value));
    else setOwn(shaped, key, value === null ? null : REDACTED_VALUE);
  }
  return shaped;
}

function shapeActivityField(key: string, value: unknown, mode: ActivityContentMode): unknown {
  if (key === "content") return shapeContent(value, mode);
  if (key === "metadata") return shapeMetadata(value);
  if (isLeadPantherRecordIdKey(key)) return shapeRecordId(value);
  if (value === null || value === undefined || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;

  const knownCap = Object.hasOwn(ACTIVITY_TEXT_CAPS, key) ? ACTIVITY_TEXT_CAPS[key] : undefined;
  if (knownCap !== undefined) {
    return typeof value === "string" ? singleLine(sanitizeText(value, { maxLength: knownCap })) : REDACTED_VALUE;
  }
  // An undocumented field: an identifier is redacted, more content is treated as content, and a
  // nested structure (which could hold either) is not shown at all.
  if (looksLikeIdentifierKey(key)) return REDACTED_VALUE;
  if (typeof value !== "string") return REDACTED_VALUE;
  if (looksLikeContentKey(key)) return shapeContent(value, mode);
  return sanitizeText(value, { maxLength: ACTIVITY_UNKNOWN_TEXT_CAP });
}

/** One `list_activity` item, shaped for the model. Never throws. */
export function shapeActivityItem(item: unknown, mode: ActivityContentMode): unknown {
  const effectiveMode: ActivityContentMode = mode === "sanitized" ? "sanitized" : "redact";
  if (item === null || item === undefined) return null;
  if (!isPlainRecord(item)) return REDACTED_VALUE;
  const shaped: Record<string, unknown> = {};
  for (const [key, value] of safeEntries(item)) {
    if (!SANE_KEY.test(key)) continue;
    setOwn(shaped, key, shapeActivityField(key, value, effectiveMode));
  }
  return shaped;
}

// ---------------------------------------------------------------------------------------
/**
 * Names, labels, headlines, keywords, statuses, emails and URLs are one line: a line break in a
 * name is there to make the text after it look like something else (a new message, a system
 * line) in a rendering. Long free text keeps its line breaks.
 */
function singleLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

// Leads and clients: every string sanitized with a cap chosen by the nearest field name.

const DEFAULT_RECORD_TEXT_CAP = 500;

function capForField(key: string | undefined): number {
  if (key === undefined) return DEFAULT_RECORD_TEXT_CAP;
  const name = key.toLowerCase();
  if (name.includes("keyword") || name.endsWith("status") || name === "permissions") return 100;
  if (name.includes("email")) return 320;
  if (name.includes("url")) return 500;
  if (name.endsWith("name") || name === "label" || name === "company") return 200;
  if (name === "headline" || name === "title") return 300;
  return DEFAULT_RECORD_TEXT_CAP;
}

const RECORD_KEY_CAP = 100;

/**
 * Keys are sanitized too: a lead's form answers may be keyed by questions the account owner
 * wrote, and nothing stops a hostile string from arriving as a key.
 */
function shapeRecord(item: unknown): unknown {
  return transformStrings(
    item,
    (text, key) => {
      const cap = capForField(key);
      const clean = sanitizeText(text, { maxLength: cap });
      return cap < DEFAULT_RECORD_TEXT_CAP ? singleLine(clean) : clean;
    },
    (key) => (SANE_KEY.test(key) ? key : sanitizeText(key, { maxLength: RECORD_KEY_CAP })),
  );
}

/** One `list_leads` item (§14): structure and types kept, every string sanitized. */
export function shapeLead(item: unknown): unknown {
  return shapeRecord(item);
}

/** One `GET /clients` item (§10): names and the grant label sanitized; ids, status, permissions kept. */
export function shapeClient(item: unknown): unknown {
  return shapeRecord(item);
}
