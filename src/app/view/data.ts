/**
 * The board's data layer: tool results in, plain values out. It runs in the view (a browser
 * frame) and trusts nothing about its input: every field is checked before use, and a record
 * whose shape is unexpected is shown with what it has rather than breaking the view.
 */
import { wallClockIn } from "../../writes/time.js";

export type Json = Record<string, unknown>;

/** The part of a CallToolResult the view reads. */
export interface ToolResult {
  isError?: boolean;
  content?: { type: string; text?: string }[];
  structuredContent?: unknown;
}

export interface Page {
  records: Json[];
  /** The offset of the next page, when the server said there is one. */
  nextOffset: number | undefined;
  /** How many records a filtered call read to find these, when the server says. */
  scanned: number | undefined;
}

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * The records of a result: `data` (the list envelope today) or `items` (a concise format), an
 * array or one record.
 */
export function pageOf(result: ToolResult): Page {
  const structured = isRecord(result.structuredContent) ? result.structuredContent : {};
  const list = Array.isArray(structured.items) ? structured.items : structured.data;
  const records = Array.isArray(list) ? list.filter(isRecord) : isRecord(list) ? [list] : [];
  return { records, nextOffset: count(structured.next_offset), scanned: count(structured.scanned) };
}

/** What the server said: the text of the result (an error's every line: which field, what to do). */
export function messageOf(result: ToolResult): string {
  return (result.content ?? [])
    .map((part) => (part.type === "text" ? text(part.text).trim() : ""))
    .filter((line) => line.length > 0)
    .join("\n");
}

export type PostStatus = "draft" | "scheduled" | "publishing" | "published" | "failed" | "unknown";
const STATUSES: readonly PostStatus[] = ["draft", "scheduled", "publishing", "published", "failed"];

export interface Metrics {
  impressions: number | undefined;
  reactions: number | undefined;
  comments: number | undefined;
  reposts: number | undefined;
  clicks: number | undefined;
}

export interface Post {
  id: string;
  text: string;
  status: PostStatus;
  /** When it is (scheduled_at) or was (published_at) on the calendar. */
  at: Date | undefined;
  mediaCount: number;
  metrics: Metrics | undefined;
}

function date(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function metricsOf(value: unknown): Metrics | undefined {
  if (!isRecord(value)) return undefined;
  return {
    impressions: count(value.impressions),
    reactions: count(value.reactions),
    comments: count(value.comments),
    reposts: count(value.reposts),
    clicks: count(value.clicks),
  };
}

export function postOf(record: Json): Post {
  const status = STATUSES.find((known) => known === record.status) ?? "unknown";
  const images = Array.isArray(record.images) ? record.images.length : 0;
  return {
    id: text(record.id),
    text: text(record.text),
    status,
    at: date(record.published_at) ?? date(record.scheduled_at),
    mediaCount: images + (typeof record.document_url === "string" && record.document_url !== "" ? 1 : 0),
    metrics: metricsOf(record.metrics),
  };
}

/** The first words of a post, for a calendar cell. */
export function firstWords(value: string, words = 6): string {
  const all = value.trim().split(/\s+/).filter(Boolean);
  return all.length <= words ? all.join(" ") : `${all.slice(0, words).join(" ")}…`;
}

// ---- Time zones: calendar days and times as the person sees them, not as UTC has them ----

export interface Clock {
  locale: string;
  timeZone: string;
}

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function dayKey(at: Date, timeZone: string): string {
  const { year, month, day } = wallClockIn(timeZone, at.getTime());
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The instant at which a wall-clock time of a day happens in a time zone. */
export function instantAt(day: string, hour: number, minute: number, timeZone: string): Date {
  const [year = 1970, month = 1, dayOfMonth = 1] = day.split("-").map(Number);
  const wanted = Date.UTC(year, month - 1, dayOfMonth, hour, minute);
  // Guess the offset, then correct once with the offset at the guess (enough except inside a
  // daylight-saving jump, where the nearest existing time is as good as any).
  let guess = wanted;
  for (let step = 0; step < 2; step += 1) {
    const seen = wallClockIn(timeZone, guess);
    const seenAsUtc = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute);
    guess += wanted - seenAsUtc;
  }
  return new Date(guess);
}

/** Adds days to a YYYY-MM-DD day (calendar arithmetic, no time zone involved). */
export function addDays(day: string, days: number): string {
  const [year = 1970, month = 1, dayOfMonth = 1] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, dayOfMonth + days)).toISOString().slice(0, 10);
}

/** The Monday on or before a day. */
export function weekStart(day: string): string {
  const [year = 1970, month = 1, dayOfMonth = 1] = day.split("-").map(Number);
  const weekday = (new Date(Date.UTC(year, month - 1, dayOfMonth)).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** The 42 days (six weeks from a Monday) that show a month, and the month's first day. */
export function monthGrid(day: string): { first: string; days: string[] } {
  const first = `${day.slice(0, 7)}-01`;
  const start = weekStart(first);
  return { first, days: Array.from({ length: 42 }, (_, index) => addDays(start, index)) };
}

export function timeLabel(at: Date, clock: Clock): string {
  return new Intl.DateTimeFormat(clock.locale, { timeZone: clock.timeZone, hour: "2-digit", minute: "2-digit" }).format(at);
}

export function dayLabel(day: string, clock: Clock, style: "short" | "long" = "short"): string {
  const [year = 1970, month = 1, dayOfMonth = 1] = day.split("-").map(Number);
  // Noon UTC names the same calendar day in every time zone the label could be read in.
  const at = new Date(Date.UTC(year, month - 1, dayOfMonth, 12));
  return new Intl.DateTimeFormat(clock.locale, { timeZone: "UTC", weekday: style, day: "numeric", month: style === "long" ? "long" : "short" }).format(at);
}

export function hourMinute(at: Date, timeZone: string): { hour: number; minute: number } {
  const { hour, minute } = wallClockIn(timeZone, at.getTime());
  return { hour, minute };
}

// ---- Funnel: impressions → engagement → keyword comments → leads ----

export interface FunnelStep {
  label: string;
  value: number | undefined;
  /** How the number was derived, in words. */
  derivation: string;
  /** Why the number may be short, when it may be. */
  partial: string | undefined;
}

export interface Funnel {
  post: Post;
  keyword: string | undefined;
  steps: FunnelStep[];
}

export interface FunnelSources {
  /** Keywords of the account's lead magnets (the calls to action a post can name). */
  keywords: string[];
  /** All loaded posts: a keyword named by several posts cannot attribute its leads to one. */
  posts: Post[];
  activity: Json[];
  leads: Json[];
  /** Whether more activity or leads exist than were loaded. */
  activityComplete: boolean;
  leadsComplete: boolean;
}

/** The lead-magnet keyword a post asks readers to comment, found as a whole word in its text. */
export function callToActionKeyword(postText: string, keywords: string[]): string | undefined {
  const words = new Set(postText.split(/[^\p{L}\p{N}_]+/u));
  return keywords.find((keyword) => keyword !== "" && words.has(keyword));
}

function postIdOf(item: Json): string {
  return isRecord(item.metadata) ? text(item.metadata.post_id) : "";
}

export function funnelOf(post: Post, sources: FunnelSources): Funnel {
  const keyword = callToActionKeyword(post.text, sources.keywords);
  const metrics = post.metrics;
  const engaged = metrics?.reactions !== undefined && metrics.comments !== undefined ? metrics.reactions + metrics.comments : undefined;
  const commentsOnPost = sources.activity.filter((item) => item.source === "comment" && postIdOf(item) === post.id);
  const keywordComments = keyword === undefined ? undefined : commentsOnPost.filter((item) => item.keyword === keyword).length;
  const leads = keyword === undefined ? undefined : sources.leads.filter((lead) => lead.latest_keyword === keyword).length;
  const sharingPosts = sources.posts.filter((other) => other.id !== post.id && keyword !== undefined && callToActionKeyword(other.text, [keyword]) === keyword).length;
  const sharedKeyword =
    sharingPosts > 0 ? `Leads carry a keyword, not a post: ${String(sharingPosts)} other post(s) also ask for ${keyword ?? ""}, and their leads count here too.` : undefined;
  const activityPartial = sources.activityComplete ? undefined : "Only the activity loaded so far is counted; more exists.";
  const leadsPartial = [sources.leadsComplete ? undefined : "Only the leads loaded so far are counted; more exist.", sharedKeyword].filter(Boolean).join(" ");
  return {
    post,
    keyword,
    steps: [
      {
        label: "Impressions",
        value: metrics?.impressions,
        derivation: "metrics.impressions of the post (list_posts).",
        partial: metrics === undefined ? "The post has no metrics yet." : undefined,
      },
      {
        label: "Reactions + comments",
        value: engaged,
        derivation: "metrics.reactions + metrics.comments of the post (list_posts).",
        partial: engaged === undefined ? "The post has no reaction or comment counts yet." : undefined,
      },
      {
        label: "Keyword comments",
        value: keywordComments,
        derivation:
          keyword === undefined
            ? "The post names no lead-magnet keyword, so no comment can match one."
            : `Comments on this post (list_activity, source comment, metadata.post_id) whose keyword is ${keyword}.`,
        partial: keyword === undefined ? undefined : activityPartial,
      },
      {
        label: "Leads",
        value: leads,
        derivation: keyword === undefined ? "No keyword, so no lead can be attributed." : `Leads whose latest_keyword is ${keyword} (list_leads).`,
        partial: keyword === undefined || leadsPartial === "" ? undefined : leadsPartial,
      },
    ],
  };
}

// ---- Leads: the table's filters, applied by the server (list_leads) ----

export interface LeadFilter {
  words: string;
  keyword: string;
  intent: "" | "yes" | "no";
  qualification: string;
  source: string;
  /** YYYY-MM-DD: leads created on or after this day (in the person's time zone). */
  since: string;
  /** YYYY-MM-DD: leads created on or before this day (in the person's time zone). */
  until: string;
}

export const NO_LEAD_FILTER: LeadFilter = { words: "", keyword: "", intent: "", qualification: "", source: "", since: "", until: "" };

/**
 * The list_leads arguments of a filter: only what is set. Days are whole days in the person's
 * time zone, sent as the instants they start and end at (`created_before` excludes its instant).
 */
export function leadFilterArgs(filter: LeadFilter, timeZone: string): Json {
  const args: Json = {};
  if (/[\p{L}\p{N}]/u.test(filter.words)) args.query = filter.words.trim();
  if (filter.keyword !== "") args.keyword = filter.keyword;
  if (filter.intent !== "") args.has_intent = filter.intent === "yes";
  if (filter.qualification !== "") args.qualification_status = filter.qualification;
  if (filter.source !== "") args.source = filter.source;
  if (filter.since !== "") args.created_after = instantAt(filter.since, 0, 0, timeZone).toISOString();
  if (filter.until !== "") args.created_before = instantAt(addDays(filter.until, 1), 0, 0, timeZone).toISOString();
  return args;
}
