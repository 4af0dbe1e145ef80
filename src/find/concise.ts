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
    .describe("concise (default): key fields; detailed: full records."),
};

export type ConciseValue = string | number | boolean;
export type ConciseItem = Record<string, ConciseValue>;

/** Words of a post's text a concise post shows, and the most characters they may take. */
export const EXCERPT_WORDS = 12;
export const EXCERPT_MAX_CHARS = 120;

function text(record: unknown, path: string): string | undefined {
  const value = valueAt(record, path);
  return typeof value === "string" ? value : undefined;
}

function count(record: unknown, path: string): number | undefined {
  const value = valueAt(record, path);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function flag(record: unknown, path: string): boolean | undefined {
  const value = valueAt(record, path);
  return typeof value === "boolean" ? value : undefined;
}

/** The item without the facts that are absent. */
function present(entries: Record<string, ConciseValue | undefined>): ConciseItem {
  const item: ConciseItem = {};
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) item[key] = value;
  return item;
}

/**
 * A timestamp without the zero seconds and milliseconds LeadPanther writes
 * (2026-12-08T09:00:00.000Z → 2026-12-08T09:00Z): still ISO 8601, and the same instant.
 */
export function compactTimestamp(value: string): string {
  const zulu = /^(\d{4}-\d\d-\d\dT\d\d:\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?Z$/.exec(value);
  if (zulu === null) return value;
  const [, minutes, seconds = "00", fraction = ""] = zulu;
  if (/^0*$/.test(fraction)) return seconds === "00" ? `${minutes}Z` : `${minutes}:${seconds}Z`;
  return value;
}

function timestamp(record: unknown, path: string): string | undefined {
  const value = text(record, path);
  return value === undefined ? undefined : compactTimestamp(value);
}

/**
 * The first words of a text on one line, and how many characters of the text are not shown
 * (0 when all of it is). A very long word is cut rather than shown whole.
 */
export function excerpt(full: string): { text: string; moreChars: number } {
  const shown: string[] = [];
  let shownChars = 0;
  let end = 0;
  for (const word of full.matchAll(/\S+/g)) {
    if (shown.length === EXCERPT_WORDS || shownChars >= EXCERPT_MAX_CHARS) break;
    const room = EXCERPT_MAX_CHARS - shownChars;
    const points = Array.from(word[0]);
    const kept = points.length > room ? points.slice(0, room).join("") : word[0];
    shown.push(kept);
    shownChars += Math.min(points.length, room) + 1;
    end = word.index + kept.length;
  }
  const moreChars = countCodePoints(full.slice(end).trim());
  const joined = shown.join(" ");
  return { text: moreChars > 0 ? `${joined}…` : joined, moreChars };
}

const POST = RECORD_FIELDS.posts;
const LEAD = RECORD_FIELDS.leads;
const ACTIVITY = RECORD_FIELDS.activity;
const LEAD_MAGNET = RECORD_FIELDS.lead_magnets;
const CLIENT = RECORD_FIELDS.clients;

function conciseTime(post: unknown): Record<string, string | undefined> {
  const published = timestamp(post, POST.publishedAt);
  if (published !== undefined) return { published_at: published };
  return { scheduled_at: timestamp(post, POST.scheduledAt) };
}

function mediaCount(post: unknown): number | undefined {
  const images = valueAt(post, POST.images);
  const hasDocument = typeof valueAt(post, POST.documentUrl) === "string";
  if (!Array.isArray(images)) return hasDocument ? 1 : undefined;
  return images.length + (hasDocument ? 1 : 0);
}

function concisePost(post: unknown): ConciseItem {
  const body = text(post, POST.text);
  const shown = body === undefined ? undefined : excerpt(body);
  return present({
    id: text(post, POST.id),
    status: text(post, POST.status),
    ...conciseTime(post),
    text: shown?.text,
    more_chars: shown !== undefined && shown.moreChars > 0 ? shown.moreChars : undefined,
    media: mediaCount(post),
    impressions: count(post, POST.impressions),
    reactions: count(post, POST.reactions),
    comments: count(post, POST.comments),
  });
}

function conciseLead(lead: unknown): ConciseItem {
  return present({
    id: text(lead, LEAD.id),
    name: text(lead, LEAD.name),
    headline: text(lead, LEAD.headline),
    email: LEAD.emailPreference.map((path) => text(lead, path)).find((email) => email !== undefined && email !== ""),
    profile_url: text(lead, LEAD.profileUrl),
    keyword: text(lead, LEAD.keyword),
    has_intent: flag(lead, LEAD.hasIntent),
    qualification_status: text(lead, LEAD.qualificationStatus),
  });
}

function conciseActivity(item: unknown): ConciseItem {
  return present({
    id: text(item, ACTIVITY.id),
    source: text(item, ACTIVITY.source),
    author: text(item, ACTIVITY.author),
    keyword: text(item, ACTIVITY.keyword),
    status: text(item, ACTIVITY.status),
    post_id: text(item, ACTIVITY.postId),
    created_at: timestamp(item, ACTIVITY.createdAt),
    // As the redaction left it: "[redacted: N characters]", or the wrapped, sanitized text.
    content: text(item, ACTIVITY.content),
  });
}

function conciseLeadMagnet(magnet: unknown): ConciseItem {
  return present({
    id: text(magnet, LEAD_MAGNET.id),
    title: text(magnet, LEAD_MAGNET.title),
    status: text(magnet, LEAD_MAGNET.status),
    keyword: text(magnet, LEAD_MAGNET.keyword),
    delivery_mode: text(magnet, LEAD_MAGNET.deliveryMode),
  });
}

function conciseClient(client: unknown): ConciseItem {
  return present({
    user_id: text(client, CLIENT.userId),
    full_name: text(client, CLIENT.fullName),
    business_name: text(client, CLIENT.businessName),
    grant_status: text(client, CLIENT.grantStatus),
  });
}

const PROJECTIONS: Readonly<Record<FindCollection, (record: unknown) => ConciseItem>> = {
  posts: concisePost,
  leads: conciseLead,
  activity: conciseActivity,
  lead_magnets: conciseLeadMagnet,
  clients: conciseClient,
};

/** The concise form of one (already shaped) record; a record that is not an object yields {}. */
export function projectConcise(collection: FindCollection, record: unknown): ConciseItem {
  return PROJECTIONS[collection](record);
}
