import { firstWords } from "./text-length.js";
import { describeInstant } from "./time.js";

/**
 * Scheduling guardrails: warnings that go into a write's result, never refusals — the person
 * may well want two posts close together or the same text twice, but should know.
 */

/** A post as LeadPanther lists it; only these fields are read. */
export interface ExistingPost {
  id: string;
  text?: string | null;
  status?: string | null;
  scheduled_at?: string | null;
}

/** The post being created or updated. */
export interface CandidatePost {
  scheduledAt?: Date;
  text?: string;
  /** The post being updated, which must not warn about itself. */
  excludeId?: string;
}

/** How close (either side) another scheduled post must be to draw a warning. */
export const SCHEDULE_PROXIMITY_MINUTES = 60;

/** Posts named in one warning before the rest are counted as "and N more". */
const NAMED_POSTS_MAX = 5;

/**
 * Warnings for a candidate post against the existing ones: another post scheduled within
 * 60 minutes of its time, and the same text (whitespace collapsed) already in a draft or
 * scheduled post. Each warning names the posts (id, status, time, first words). Times are
 * shown in UTC, and also in `options.timeZone` (a zone name or offset) when given.
 */
export function schedulingWarnings(
  candidate: CandidatePost,
  existing: readonly ExistingPost[],
  options: { timeZone?: string } = {},
): string[] {
  const others = existing.filter((post) => post.id !== candidate.excludeId);
  const warnings: string[] = [];
  const scheduledAt = candidate.scheduledAt;
  if (scheduledAt !== undefined) {
    const near = others
      .filter((post) => post.status === "scheduled" && minutesApart(post, scheduledAt) <= SCHEDULE_PROXIMITY_MINUTES)
      .sort((a, b) => minutesApart(a, scheduledAt) - minutesApart(b, scheduledAt));
    if (near.length > 0) {
      warnings.push(
        `${near.length === 1 ? "another post is" : `${near.length} other posts are`} scheduled within ${SCHEDULE_PROXIMITY_MINUTES} minutes of ${describeInstant(scheduledAt, options.timeZone)}: ${nameAll(near, options.timeZone)}`,
      );
    }
  }
  if (candidate.text !== undefined && normalizedText(candidate.text) !== "") {
    const wanted = normalizedText(candidate.text);
    const same = others.filter(
      (post) => (post.status === "draft" || post.status === "scheduled") && typeof post.text === "string" && normalizedText(post.text) === wanted,
    );
    if (same.length > 0) {
      warnings.push(
        `the same text is already in ${same.length === 1 ? "another post" : `${same.length} other posts`}: ${nameAll(same, options.timeZone)}`,
      );
    }
  }
  return warnings;
}

/** Minutes between a post's scheduled time and an instant; Infinity when it has no valid time. */
function minutesApart(post: ExistingPost, instant: Date): number {
  const time = typeof post.scheduled_at === "string" ? Date.parse(post.scheduled_at) : Number.NaN;
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : Math.abs(time - instant.getTime()) / 60_000;
}

function nameAll(posts: readonly ExistingPost[], timeZone: string | undefined): string {
  const named = posts.slice(0, NAMED_POSTS_MAX).map((post) => namePost(post, timeZone));
  const rest = posts.length - named.length;
  return named.join("; ") + (rest > 0 ? `; and ${rest} more` : "");
}

/** `post <id> (scheduled, 2026-12-05 08:30 UTC): "First words…"`. */
export function namePost(post: ExistingPost, timeZone?: string): string {
  const details = [post.status ?? "status unknown"];
  const time = typeof post.scheduled_at === "string" ? Date.parse(post.scheduled_at) : Number.NaN;
  if (!Number.isNaN(time)) details.push(describeInstant(new Date(time), timeZone));
  const words = typeof post.text === "string" ? firstWords(post.text) : "";
  return `post ${post.id} (${details.join(", ")})${words === "" ? "" : `: ${JSON.stringify(words)}`}`;
}

function normalizedText(text: string): string {
  return text.normalize("NFC").replace(/\s+/gu, " ").trim();
}
