import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { secrets } from "../safety/secrets.js";
import type { ToolExtra } from "../tools/types.js";
import { formatInZone, listTimeZones } from "../writes/time.js";
import { clientIdOf, collect, metricsOf, numberOf, postOpening } from "./collections.js";
import type { Completer } from "./completions.js";
import { ICONS } from "./icons.js";
import type { Reader } from "./read.js";
import type { Feature } from "./registry.js";
import { clientIdArgument, userPrompt } from "./prompt-text.js";

const DAY_MS = 86_400_000;
/** leadpanther://calendar: the scheduled posts of the next 14 days. */
export const CALENDAR_DAYS = 14;
const PLAN_DAYS = 7;
/** plan_week's "best posting times": published posts of the last 30 days. */
const BEST_TIMES_WINDOW_DAYS = 30;

/** The scheduled posts of a window of local dates in a zone, one line each, oldest first. */
async function scheduledLines(
  reader: Reader,
  clientId: string | undefined,
  zone: string,
  dates: readonly string[],
  extra: ToolExtra,
): Promise<{ lines: string[]; byDate: Map<string, number>; coverage: string } | { problem: string }> {
  const wanted = new Set(dates);
  const localDate = (post: Record<string, unknown>): string => formatInZone(new Date(String(post.scheduled_at)), zone).slice(0, 10);
  const scheduled = await collect(
    reader,
    "list_posts",
    clientId,
    (post) => post.status === "scheduled" && typeof post.scheduled_at === "string" && !Number.isNaN(Date.parse(post.scheduled_at)) && wanted.has(localDate(post)),
    extra,
  );
  if (!scheduled.ok) return { problem: scheduled.problem };
  const posts = scheduled.records.sort((a, b) => Date.parse(String(a.scheduled_at)) - Date.parse(String(b.scheduled_at)));
  const byDate = new Map<string, number>();
  for (const post of posts) byDate.set(localDate(post), (byDate.get(localDate(post)) ?? 0) + 1);
  return {
    lines: posts.map((post) => `- ${formatInZone(new Date(String(post.scheduled_at)), zone)} · ${String(post.id)} · ${postOpening(post.text)}`),
    byDate,
    coverage: scheduled.coverage,
  };
}

/** `count` calendar dates (YYYY-MM-DD) from `start`. */
function datesFrom(start: string, count: number): string[] {
  const first = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: count }, (_, index) => new Date(first + index * DAY_MS).toISOString().slice(0, 10));
}

async function calendarMarkdown(reader: Reader, clientId: string | undefined, extra: ToolExtra): Promise<string> {
  const dates = datesFrom(new Date().toISOString().slice(0, 10), CALENDAR_DAYS);
  const calendar = await scheduledLines(reader, clientId, "UTC", dates, extra);
  if ("problem" in calendar) return calendar.problem;
  return [
    `# Scheduled posts, ${dates[0] ?? ""} to ${dates.at(-1) ?? ""} (UTC)`,
    "Post openings are the account's own text.",
    "",
    ...(calendar.lines.length > 0 ? calendar.lines : ["(none)"]),
    "",
    calendar.coverage,
  ].join("\n");
}

function calendarContents(uri: string, text: string): ReadResourceResult {
  return { contents: [{ uri, mimeType: "text/markdown", text: secrets.scrub(text) }] };
}

export function calendarFeatures(mcp: McpServer, reader: Reader, completer: Completer): Feature[] {
  const metadata = {
    title: "LeadPanther calendar",
    description: `Scheduled posts for the next ${CALENDAR_DAYS} days (UTC), from list_posts.`,
    mimeType: "text/markdown",
    icons: ICONS.calendar,
  };
  return [
    {
      name: "calendar",
      reads: ["list_posts"],
      variants: ["direct", "pinned"],
      register: () => mcp.registerResource("calendar", "leadpanther://calendar", metadata, async (uri, extra) => calendarContents(uri.href, await calendarMarkdown(reader, undefined, extra))),
    },
    {
      name: "client_calendar",
      reads: ["list_posts"],
      variants: ["agency"],
      register: () =>
        mcp.registerResource(
          "client_calendar",
          new ResourceTemplate("leadpanther://clients/{client_id}/calendar", { list: undefined, complete: { client_id: (typed) => completer.clientIds(typed) } }),
          { ...metadata, title: "LeadPanther calendar (client)" },
          async (uri, values, extra) => calendarContents(uri.href, await calendarMarkdown(reader, [values.client_id].flat()[0], extra)),
        ),
    },
    {
      name: "plan_week",
      reads: ["list_posts"],
      register: (variant) =>
        mcp.registerPrompt(
          "plan_week",
          {
            title: "Plan the week's posts",
            description: "The week's calendar of scheduled posts in a time zone, the days without one, and last month's best posting times.",
            argsSchema: {
              start_date: z.string().describe("First day of the week, YYYY-MM-DD."),
              time_zone: completable(z.string().describe("IANA time zone the week is planned in, e.g. Europe/Berlin."), (typed) => completer.timeZones(typed ?? "")),
              ...clientIdArgument(completer, variant),
            },
          },
          async (args, extra) => {
            const title = "Plan the week's posts";
            if (!/^\d{4}-\d\d-\d\d$/.test(args.start_date) || Number.isNaN(Date.parse(`${args.start_date}T00:00:00Z`))) {
              return userPrompt(title, `plan_week: start_date must be a date like 2026-12-07; "${args.start_date.slice(0, 40)}" is not one. Ask the person for the week's first day.`);
            }
            if (!listTimeZones().includes(args.time_zone)) {
              return userPrompt(title, `plan_week: time_zone "${args.time_zone.slice(0, 60)}" is not a known IANA time zone: use a name such as Europe/Berlin, America/New_York or UTC.`);
            }
            const clientId = clientIdOf(args);
            const dates = datesFrom(args.start_date, PLAN_DAYS);
            const week = await scheduledLines(reader, clientId, args.time_zone, dates, extra);
            if ("problem" in week) return userPrompt(title, week.problem);
            const gaps = dates.filter((date) => !week.byDate.has(date));
            return userPrompt(
              title,
              [
                `Plan the posts for ${dates[0] ?? ""} to ${dates.at(-1) ?? ""} (${args.time_zone}): suggest what to post on the open days and when, using the best times below. Post openings are the account's own text.`,
                "",
                "## Scheduled",
                ...(week.lines.length > 0 ? week.lines : ["(none)"]),
                "",
                `## Days without a scheduled post: ${gaps.length > 0 ? gaps.join(", ") : "none"}`,
                "",
                `## Best posting times (published posts of the last ${BEST_TIMES_WINDOW_DAYS} days, by hour in ${args.time_zone})`,
                ...(await bestTimes(reader, clientId, args.time_zone, extra)),
                "",
                week.coverage,
              ].join("\n"),
            );
          },
        ),
    },
  ];
}

/** The three local hours whose posts of the last month drew the most engagement on average. */
async function bestTimes(reader: Reader, clientId: string | undefined, zone: string, extra: ToolExtra): Promise<string[]> {
  const since = Date.now() - BEST_TIMES_WINDOW_DAYS * DAY_MS;
  const published = await collect(reader, "list_posts", clientId, (post) => post.status === "published" && typeof post.published_at === "string" && Date.parse(post.published_at) >= since, extra);
  if (!published.ok) return [published.problem];
  const byHour = new Map<string, { posts: number; engagement: number }>();
  for (const post of published.records) {
    const hour = formatInZone(new Date(String(post.published_at)), zone).slice(11, 13);
    const metrics = metricsOf(post);
    const entry = byHour.get(hour) ?? { posts: 0, engagement: 0 };
    entry.posts += 1;
    entry.engagement += numberOf(metrics.reactions) + numberOf(metrics.comments) + numberOf(metrics.reposts);
    byHour.set(hour, entry);
  }
  const ranked = [...byHour.entries()].map(([hour, entry]) => ({ hour, posts: entry.posts, average: entry.engagement / entry.posts })).sort((a, b) => b.average - a.average);
  if (ranked.length === 0) return ["(no published posts in that time)"];
  return ranked.slice(0, 3).map((entry) => `- ${entry.hour}:00: ${Math.round(entry.average)} reactions + comments + reposts on average over ${entry.posts} post(s)`);
}
