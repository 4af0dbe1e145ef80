/**
 * Shaping of third-party records before they reach the model (contract §10, §14, §15).
 *
 * Every record type has one table of the fields this server knows (KNOWN_FIELDS, from the
 * contract and the sandbox that implements it); only those are shown as they are. The operator
 * picks the mode (LEADPANTHER_ACTIVITY_CONTENT); no tool argument reaches these functions.
 * - `redact` (default): activity content becomes `[redacted: N characters]`, every identifier
 *   that is not a LeadPanther record UUID becomes `[redacted]`, and so does any string in a
 *   field the server does not know (a future field, an added `summary`): its length is all
 *   that is shown. The output depends only on lengths and on fields we can vouch for.
 * - `sanitized`: the same, but content and unknown strings are sanitized, capped and wrapped in
 *   random-boundary untrusted-data markers, and so are the strings strangers wrote in known
 *   fields: lead names, headlines and form names, activity author names.
 * In both modes every string shown is sanitized and cannot imitate a marker, not even with
 * look-alike characters (defuseMarkerLookalikes); the tools add the third-party notice.
 */
import { countCodePoints, sanitizeText, setOwn } from "./sanitize.js";
import { defuseMarkerLookalikes, wrapUntrusted } from "./untrusted.js";

/** How inbound comment and message text reaches the model (the operator picks; see the header). */
export const ACTIVITY_CONTENT_MODES = ["redact", "sanitized"] as const;
export type ActivityContentMode = (typeof ACTIVITY_CONTENT_MODES)[number];

export const REDACTED_VALUE = "[redacted]";
/** Cap of activity content and of unknown strings shown in sanitized mode. */
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

/** How a known field is shown. */
type KnownField =
  /** A LeadPanther record UUID: anything else is redacted. */
  | { kind: "record_id" }
  /** Kept as it is (a boolean, a number). */
  | { kind: "scalar" }
  /**
   * A string, sanitized and capped; `stranger` when third parties wrote it (wrapped in markers
   * in sanitized mode); `multiline` for free text that keeps its line breaks.
   */
  | { kind: "text"; cap: number; stranger: boolean; multiline?: boolean }
  | { kind: "list"; item: KnownField }
  | { kind: "record"; fields: KnownFields }
  /** Activity content: a length marker, or sanitized inside markers (see the module comment). */
  | { kind: "content" }
  /** Activity metadata: LeadPanther record UUIDs kept, every other value redacted. */
  | { kind: "metadata" };
type KnownFields = Readonly<Record<string, KnownField>>;

const RECORD_ID: KnownField = { kind: "record_id" };
const SCALAR: KnownField = { kind: "scalar" };
/** A value the account or LeadPanther chose (keyword, status, URL, timestamp, email…). */
const label = (cap: number): KnownField => ({ kind: "text", cap, stranger: false });
/** A string a stranger wrote (a name, a headline, a form name). */
const strangers = (cap: number): KnownField => ({ kind: "text", cap, stranger: true });
const TIMESTAMP = label(64);
const SHORT = label(100);
const URL_FIELD = label(500);
const EMAIL = label(320);

export type ThirdPartyRecordType = "activity" | "leads" | "clients";

/**
 * The fields this server knows for each third-party record type: §15 activity, §14 leads, §10
 * clients (shapes stated by the contract; the sandbox's records add only what it says records
 * "can carry": headline, form_name, source, intent_signals, timestamps, author_profile_url).
 */
export const KNOWN_FIELDS: Readonly<Record<ThirdPartyRecordType, KnownFields>> = {
  activity: {
    id: RECORD_ID,
    source: SHORT,
    author_name: strangers(200),
    author_profile_url: URL_FIELD,
    content: { kind: "content" },
    keyword: SHORT,
    status: SHORT,
    metadata: { kind: "metadata" },
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
  leads: {
    id: SHORT,
    linkedin_profile_url: URL_FIELD,
    name: strangers(200),
    headline: strangers(300),
    emails: { kind: "record", fields: { submitted: EMAIL, work: EMAIL, personal: EMAIL } },
    latest_keyword: SHORT,
    has_intent: SCALAR,
    qualification_status: SHORT,
    form_name: strangers(200),
    source: SHORT,
    intent_signals: { kind: "list", item: label(500) },
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  },
  clients: {
    user_id: SHORT,
    full_name: label(200),
    business_name: label(200),
    account_status: SHORT,
    grant: {
      kind: "record",
      fields: {
        id: SHORT,
        label: label(200),
        status: SHORT,
        permissions: { kind: "list", item: SHORT },
        created_at: TIMESTAMP,
        updated_at: TIMESTAMP,
      },
    },
  },
};

const RECORD_KEY_CAP = 100;

/** Words that make an unknown field look like a platform identifier. */
const IDENTIFIER_WORDS = new Set(["id", "ids", "uid", "uuid", "guid", "urn", "urns", "platform", "thread", "chat", "conversation"]);

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

/** Array items, never throwing. */
function safeItems(list: unknown[]): unknown[] {
  try {
    return Array.from(list, (item: unknown) => item);
  } catch {
    return [];
  }
}

function shapeRecordId(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  return typeof value === "string" && UUID.test(value) ? value : REDACTED_VALUE;
}

function shapeScalar(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  return REDACTED_VALUE;
}

/**
 * Names, labels, headlines, keywords, statuses, emails and URLs are one line: a line break in a
 * name is there to make the text after it look like something else (a new message, a system
 * line) in a rendering. Long free text keeps its line breaks.
 */
function singleLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function cleanText(text: string, cap: number, multiline: boolean): string {
  const clean = defuseMarkerLookalikes(sanitizeText(text, { maxLength: cap }));
  return multiline ? clean : singleLine(clean);
}

/** Text nobody vouches for: its length in redact mode, sanitized inside markers in sanitized mode. */
function shapeUntrustedText(text: string, mode: ActivityContentMode, source: string): string {
  if (mode !== "sanitized") return `[redacted: ${countCodePoints(text)} characters]`;
  return wrapUntrusted(cleanText(text, ACTIVITY_CONTENT_MAX_LENGTH, true), source);
}

interface ShapeContext {
  mode: ActivityContentMode;
  type: ThirdPartyRecordType;
}

const SOURCE_NOUN: Readonly<Record<ThirdPartyRecordType, string>> = { activity: "activity", leads: "lead", clients: "client" };

function shapeKnown(field: KnownField, key: string, value: unknown, context: ShapeContext): unknown {
  switch (field.kind) {
    case "record_id":
      return shapeRecordId(value);
    case "scalar":
      return shapeScalar(value);
    case "content":
      if (value === null || value === undefined) return value;
      return typeof value === "string" ? shapeUntrustedText(value, context.mode, ACTIVITY_CONTENT_LABEL) : REDACTED_VALUE;
    case "metadata":
      return shapeMetadata(value);
    case "list":
      if (value === null || value === undefined) return value;
      return Array.isArray(value) ? safeItems(value).map((item) => shapeKnown(field.item, key, item, context)) : REDACTED_VALUE;
    case "record":
      if (value === null || value === undefined) return value;
      return isPlainRecord(value) ? shapeFields(value, field.fields, context) : REDACTED_VALUE;
    case "text": {
      if (value === null || value === undefined) return value;
      if (typeof value !== "string") return shapeScalar(value);
      const clean = cleanText(value, field.cap, field.multiline === true);
      return field.stranger && context.mode === "sanitized" ? wrapUntrusted(clean, `${SOURCE_NOUN[context.type]} ${key}`) : clean;
    }
  }
}

/**
 * A field the server does not know: an identifier is redacted, a string is untrusted text
 * (shapeUntrustedText), numbers and booleans are kept. A nested structure is not shown for
 * activity (it could hold either identifiers or content); for leads and clients (form answers,
 * keyed by the account owner's questions) its strings are untrusted text in turn.
 */
function shapeUnknown(key: string, value: unknown, context: ShapeContext, depth: number): unknown {
  if (looksLikeIdentifierKey(key)) return value === null ? null : REDACTED_VALUE;
  if (typeof value === "string") return shapeUntrustedText(value, context.mode, `${SOURCE_NOUN[context.type]} field`);
  if (value === null || value === undefined || typeof value === "boolean" || typeof value === "number") return shapeScalar(value);
  if (context.type === "activity" || depth >= MAX_UNKNOWN_DEPTH) return REDACTED_VALUE;
  if (Array.isArray(value)) return safeItems(value).map((item) => shapeUnknown(key, item, context, depth + 1));
  if (!isPlainRecord(value)) return REDACTED_VALUE;
  const shaped: Record<string, unknown> = {};
  for (const [innerKey, innerValue] of safeEntries(value)) {
    setOwn(shaped, shapeKey(innerKey), shapeUnknown(innerKey, innerValue, context, depth + 1));
  }
  return shaped;
}

const MAX_UNKNOWN_DEPTH = 8;

/** A key as shown: a plain field name as is, any other sanitized (activity drops those keys before). */
function shapeKey(key: string): string {
  return SANE_KEY.test(key) ? key : cleanText(key, RECORD_KEY_CAP, false);
}

function shapeFields(record: Record<string, unknown>, fields: KnownFields, context: ShapeContext): Record<string, unknown> {
  const shaped: Record<string, unknown> = {};
  for (const [key, value] of safeEntries(record)) {
    const known = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (known !== undefined) {
      setOwn(shaped, key, shapeKnown(known, key, value, context));
    } else if (SANE_KEY.test(key) || context.type !== "activity") {
      setOwn(shaped, shapeKey(key), shapeUnknown(key, value, context, 0));
    }
  }
  return shaped;
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

function shapeThirdPartyRecord(type: ThirdPartyRecordType, item: unknown, mode: ActivityContentMode): unknown {
  // An unknown mode can only mean the safe default.
  const context: ShapeContext = { mode: mode === "sanitized" ? "sanitized" : "redact", type };
  if (item === null || item === undefined) return null;
  if (!isPlainRecord(item)) return REDACTED_VALUE;
  return shapeFields(item, KNOWN_FIELDS[type], context);
}

/** One `list_activity` item (§15), shaped for the model. Never throws. */
export function shapeActivityItem(item: unknown, mode: ActivityContentMode): unknown {
  return shapeThirdPartyRecord("activity", item, mode);
}

/** One `list_leads` item (§14). Never throws. */
export function shapeLead(item: unknown, mode: ActivityContentMode = "redact"): unknown {
  return shapeThirdPartyRecord("leads", item, mode);
}

/** One `GET /clients` item (§10). Never throws. */
export function shapeClient(item: unknown, mode: ActivityContentMode = "redact"): unknown {
  return shapeThirdPartyRecord("clients", item, mode);
}
