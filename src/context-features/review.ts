import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ToolExtra } from "../tools/types.js";
import { clientIdOf, collect, metricsOf, numberOf, postOpening } from "./collections.js";
import type { Completer } from "./completions.js";
import type { Reader } from "./read.js";
import type { Feature } from "./registry.js";
import { clientIdArgument, userPrompt } from "./prompt-text.js";

export const REVIEW_DEFAULT_POSTS = 5;
export const REVIEW_MAX_POSTS = 20;

/** One published post's funnel, each number with where it comes from. */
export interface PostFunnel {
  postId: string;
  publishedAt: string;
  opening: string;
  impressions: number;
  reactions: number;
  /** The post's metrics.comments, as LeadPanther counts them. */
  comments: number;
  /** Comment activity on the post (metadata.post_id) that matched a keyword. */
  matchedComments: number | undefined;
  /** The keywords those comments matched. */
  keywords: string[];
  /** Leads whose latest_keyword is one of those keywords, created at or after publication. */
  leadsAfter: number | undefined;
}

/**
 * The funnel of the last `count` published posts: metrics from list_posts, matched keyword
 * comments from list_activity, leads from list_leads. Numbers a key's scopes do not reach are
 * undefined, and the derivation says so.
 */
export async function reviewFunnels(
  reader: Reader,
  clientId: string | undefined,
  count: number,
  extra: ToolExtra,
): Promise<{ funnels: PostFunnel[]; derivation: string[] } | { problem: string }> {
  const posts = await collect(reader, "list_posts", clientId, (post) => post.status === "published" && typeof post.published_at === "string", extra);
  if (!posts.ok) return { problem: posts.problem };
  const latest = posts.records
    .sort((a, b) => Date.parse(String(b.published_at)) - Date.parse(String(a.published_at)))
    .slice(0, count);
  const ids = new Set(latest.map((post) => String(post.id)));
  const activity = await collect(
    reader,
    "list_activity",
    clientId,
    (item) => item.source === "comment" && typeof item.keyword === "string" && ids.has(String(metricsPostId(item))),
    extra,
  );
  const keywordsByPost = new Map<string, string[]>();
  const matchedByPost = new Map<string, number>();
  if (activity.ok) {
    for (const item of activity.records) {
      const postId = String(metricsPostId(item));
      matchedByPost.set(postId, (matchedByPost.get(postId) ?? 0) + 1);
      const keywords = keywordsByPost.get(postId) ?? [];
      if (!keywords.includes(String(item.keyword))) keywords.push(String(item.keyword));
      keywordsByPost.set(postId, keywords);
    }
  }
  const wantedKeywords = new Set([...keywordsByPost.values()].flat().map((keyword) => keyword.toLowerCase()));
  const leads = activity.ok
    ? await collect(reader, "list_leads", clientId, (lead) => typeof lead.latest_keyword === "string" && wantedKeywords.has(lead.latest_keyword.toLowerCase()), extra)
    : undefined;
  const funnels = latest.map((post): PostFunnel => {
    const postId = String(post.id);
    const metrics = metricsOf(post);
    const keywords = keywordsByPost.get(postId) ?? [];
    const publishedMs = Date.parse(String(post.published_at));
    const lowered = new Set(keywords.map((keyword) => keyword.toLowerCase()));
    return {
      postId,
      publishedAt: String(post.published_at),
      opening: postOpening(post.text),
      impressions: numberOf(metrics.impressions),
      reactions: numberOf(metrics.reactions),
      comments: numberOf(metrics.comments),
      matchedComments: activity.ok ? (matchedByPost.get(postId) ?? 0) : undefined,
      keywords,
      leadsAfter: leads?.ok
        ? leads.records.filter((lead) => lowered.has(String(lead.latest_keyword).toLowerCase()) && Date.parse(String(lead.created_at)) >= publishedMs).length
        : undefined,
    };
  });
  const derivation = [
    `Posts: the ${latest.length} most recently published (by published_at). ${posts.coverage}`,
    "comments: the post's metrics.comments, as LeadPanther counts them.",
    activity.ok
      ? `matched keyword comments: comment activity whose metadata.post_id is the post and that matched a keyword. ${activity.coverage}`
      : `matched keyword comments: not available (${activity.problem}).`,
    leads === undefined
      ? "leads after publication: not available without activity (the keyword comes from the matched comments)."
      : leads.ok
        ? `leads after publication: leads whose latest_keyword is a keyword the post's comments matched, created at or after the post's published_at. ${leads.coverage}`
        : `leads after publication: not available (${leads.problem}).`,
  ];
  return { funnels, derivation };
}

function metricsPostId(item: Record<string, unknown>): unknown {
  return typeof item.metadata === "object" && item.metadata !== null ? (item.metadata as Record<string, unknown>).post_id : undefined;
}

function cell(value: number | undefined): string {
  return value === undefined ? "n/a" : String(value);
}

export function reviewPromptFeature(mcp: McpServer, reader: Reader, completer: Completer): Feature {
  return {
    name: "review_performance",
    reads: ["list_posts"],
    register: (variant) =>
      mcp.registerPrompt(
        "review_performance",
        {
          title: "Review post performance",
          description: "Metrics of the last published posts and, per post, the funnel the data supports: comments, matched keyword comments, leads captured after it — with how each number was derived.",
          argsSchema: {
            count: z.string().optional().describe(`How many of the last published posts, 1–${REVIEW_MAX_POSTS} (default ${REVIEW_DEFAULT_POSTS}).`),
            ...clientIdArgument(completer, variant),
          },
        },
        async (args, extra) => {
          const title = "Review post performance";
          const count = args.count === undefined || args.count.trim() === "" ? REVIEW_DEFAULT_POSTS : Number(args.count);
          if (!Number.isInteger(count) || count < 1 || count > REVIEW_MAX_POSTS) {
            return userPrompt(title, `review_performance: count must be a whole number from 1 to ${REVIEW_MAX_POSTS}; "${String(args.count).slice(0, 20)}" is not. Ask the person how many posts to review.`);
          }
          const review = await reviewFunnels(reader, clientIdOf(args), count, extra);
          if ("problem" in review) return userPrompt(title, review.problem);
          const rows = review.funnels.map(
            (f) =>
              `| ${f.postId} | ${f.publishedAt.slice(0, 10)} | ${f.opening} | ${f.impressions} | ${f.reactions} | ${f.comments} | ${cell(f.matchedComments)} | ${f.keywords.join(", ") || "—"} | ${cell(f.leadsAfter)} |`,
          );
          return userPrompt(
            title,
            [
              "Review how these posts performed and what to do next: which openings and calls to action worked, where the funnel leaks (comments → matched keyword comments → leads), and two concrete suggestions.",
              "The opening column is the account's own text.",
              "",
              "| post_id | published | opening | impressions | reactions | comments | matched keyword comments | keyword | leads after publication |",
              "|---|---|---|---|---|---|---|---|---|",
              ...rows,
              "",
              "How each number was derived:",
              ...review.derivation.map((line) => `- ${line}`),
            ].join("\n"),
          );
        },
      ),
  };
}
