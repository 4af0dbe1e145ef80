/**
 * Concise results (issue 11, `response_format`): per record, the facts a person asks about, not
 * the whole record. A 100-post page in full is about 36,000 tokens, past what a client accepts
 * for one tool result; its concise form is a few thousand.
 *
 * Projections run on records AFTER redaction and sanitizing and only copy or count what is
 * there: they never un-redact. A field that is missing or of an unexpected type is left out.
 * Items are flat (strings, numbers, booleans), so the text channel can render each fact once.
 */
import { z } from "zod";
import { countCodePoints } from "../safety/sanitize.js";
import { RECORD_FIELDS, valueAt, type FindCollection } from "./filters.js";

export const RESPONSE_FORMATS = ["concise", "detailed"] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/** The list tools' `response_format` input field. */
export const responseFormatShape = {
  response_format: z
    .enum(RESPONSE_FORMATS, { error: "must be concise or detailed" })
    .optional()
    .describe("Default concise; detailed: full records."),
};

export type ConciseValue = string | number | boolean;
export type ConciseItem = Record<string, ConciseValue>;

/** Words of a post's text a concise post shows, and the most characters they may take. */
export const EXCERPT_WORDS = 5;
export const EXCERPT_MAX_CHARS = 32;

type Extract = (record: unknown) => ConciseValue | undefined;

/** The value at a path when it is of the accepted type; anything else is left out. */
function readAt(path: string, accept: (value: unknown) => value is ConciseValue): Extract {
  return (record) => {
    const value = valueAt(record, path);
    return accept(value) ? value : undefined;
  };
}

const isText = (value: unknown): value is string => typeof value === "string";
const isCount = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isFlag = (value: unknown): value is boolean => typeof value === "boolean";
const textAt = (path: string): Extract => readAt(path, isText);
const countAt = (path: string): Extract => readAt(path, isCount);
const flagAt = (path: string): Extract => readAt(path, isFlag);

function timestampAt(path: string): Extract {
  const read = textAt(path);
  return (record) => {
    const value = read(record);
    return typeof value === "string" ? compactTimestamp(value) : undefined;
  };
}

/**
 * A timestamp to the minute, its zone kept (2026-12-04T11:40:41.532Z → 2026-12-04T11:40Z): the
 * precision a person reads a post's or a comment's time at, still ISO 8601. Seconds and their
 * fraction are cut, never rounded, so the minute shown is the one the instant falls in; the
 * detailed format carries the full value. Anything not of this shape is kept as it is.
 */
export function compactTimestamp(value: string): string {
  const timestamp = /^(\d{4}-\d\d-\d\dT\d\d:\d\d)(?::\d\d(?:\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/.exec(value);
  return timestamp === null ? value : `${timestamp[1]}${timestamp[2]}`;
}

/**
 * The first words of a text on one line, cut at a word boundary, and how many characters of the
 * text are not shown (0 when all of it is; no ellipsis: that count says the text goes on). Only a first word longer than the whole excerpt is
 * cut inside, so that something is always shown.
 */
export function excerpt(full: string): { text: string; moreChars: number } {
  const shown: string[] = [];
  let shownChars = 0;
  let end = 0;
  for (const word of full.matchAll(/\S+/g)) {
    if (shown.length === EXCERPT_WORDS) break;
    const points = Array.from(word[0]);
    const width = shownChars + (shown.length > 0 ? 1 : 0) + points.length;
    if (width > EXCERPT_MAX_CHARS) {
      if (shown.length === 0) {
        const kept = points.slice(0, EXCERPT_MAX_CHARS).join("");
        shown.push(kept);
        end = word.index + kept.length;
      }
      break;
    }
    shown.push(word[0]);
    shownChars = width;
    end = word.index + word[0].length;
  }
  return { text: shown.join(" "), moreChars: countCodePoints(full.slice(end).trim()) };
}

const POST = RECORD_FIELDS.posts;
const LEAD = RECORD_FIELDS.leads;
const ACTIVITY = RECORD_FIELDS.activity;
const LEAD_MAGNET = RECORD_FIELDS.lead_magnets;
const CLIENT = RECORD_FIELDS.clients;

const postText = textAt(POST.text);
const publishedAt = timestampAt(POST.publishedAt);
const scheduledAt = timestampAt(POST.scheduledAt);

function postExcerpt(post: unknown): { text: string; moreChars: number } | undefined {
  const body = postText(post);
  return typeof body === "string" ? excerpt(body) : undefined;
}

function mediaCount(post: unknown): number | undefined {
  const images = valueAt(post, POST.images);
  const hasDocument = typeof valueAt(post, POST.documentUrl) === "string";
  if (!Array.isArray(images)) return hasDocument ? 1 : undefined;
  return images.length + (hasDocument ? 1 : 0);
}

/** Each collection's concise fields, in the order they are shown, and where each comes from. */
const PROJECTIONS: Readonly<Record<FindCollection, Readonly<Record<string, Extract>>>> = {
  posts: {
    id: textAt(POST.id),
    status: textAt(POST.status),
    // The time a person asks about: when it went live, else when it is due.
    published_at: publishedAt,
    scheduled_at: (post) => (publishedAt(post) === undefined ? scheduledAt(post) : undefined),
    text: (post) => postExcerpt(post)?.text,
    more_chars: (post) => {
      const more = postExcerpt(post)?.moreChars;
      return more !== undefined && more > 0 ? more : undefined;
    },
    media: mediaCount,
    impressions: countAt(POST.impressions),
    reactions: countAt(POST.reactions),
    comments: countAt(POST.comments),
  },
  leads: {
    id: textAt(LEAD.id),
    name: textAt(LEAD.name),
    headline: textAt(LEAD.headline),
    email: (lead) => LEAD.emailPreference.map((path) => textAt(path)(lead)).find((email) => email !== undefined && email !== ""),
    profile_url: textAt(LEAD.profileUrl),
    keyword: textAt(LEAD.keyword),
    has_intent: flagAt(LEAD.hasIntent),
    qualification_status: textAt(LEAD.qualificationStatus),
  },
  activity: {
    id: textAt(ACTIVITY.id),
    source: textAt(ACTIVITY.source),
    author: textAt(ACTIVITY.author),
    keyword: textAt(ACTIVITY.keyword),
    status: textAt(ACTIVITY.status),
    post_id: textAt(ACTIVITY.postId),
    created_at: timestampAt(ACTIVITY.createdAt),
    // As the redaction left it: "[redacted: N characters]", or the wrapped, sanitized text.
    content: textAt(ACTIVITY.content),
  },
  lead_magnets: {
    id: textAt(LEAD_MAGNET.id),
    title: textAt(LEAD_MAGNET.title),
    status: textAt(LEAD_MAGNET.status),
    keyword: textAt(LEAD_MAGNET.keyword),
    delivery_mode: textAt(LEAD_MAGNET.deliveryMode),
  },
  clients: {
    user_id: textAt(CLIENT.userId),
    full_name: textAt(CLIENT.fullName),
    business_name: textAt(CLIENT.businessName),
    grant_status: textAt(CLIENT.grantStatus),
  },
};

/** A collection's concise fields, in the order they are shown: the columns of the text channel. */
export function conciseColumns(collection: FindCollection): readonly string[] {
  return Object.keys(PROJECTIONS[collection]);
}

/** The concise form of one (already shaped) record, without the facts it lacks; a non-object yields {}. */
export function projectConcise(collection: FindCollection, record: unknown): ConciseItem {
  const item: ConciseItem = {};
  for (const [key, extract] of Object.entries(PROJECTIONS[collection])) {
    const value = extract(record);
    if (value !== undefined) item[key] = value;
  }
  return item;
}
