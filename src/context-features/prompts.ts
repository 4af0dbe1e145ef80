import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { PAGINATION } from "../contract.js";
import type { ToolExtra } from "../tools/types.js";
import { clientIdOf, metricsOf, numberOf } from "./collections.js";
import { clientIdArgument, userPrompt } from "./prompt-text.js";
import { reviewPromptFeature } from "./review.js";
import type { Completer } from "./completions.js";
import { resultRecords, resultText, type Reader } from "./read.js";
import type { Feature } from "./registry.js";
import { rulesMarkdown } from "./rules.js";

/** How many of the account's own posts draft_post shows as its voice. */
const VOICE_POSTS = 3;
/** The longest excerpt of one of those posts (the voice shows in the opening). */
const VOICE_EXCERPT_MAX = 600;

/**
 * The account's own best recent posts: its published posts of the first page, by engagement
 * (reactions, comments, reposts), shortened. The account wrote them, so they are its own text.
 */
async function voiceOf(reader: Reader, clientId: string | undefined, extra: ToolExtra): Promise<string> {
  const posts = resultRecords(await reader.read("list_posts", { limit: PAGINATION.maxLimit }, clientId, extra))
    .filter((post) => post.status === "published" && typeof post.text === "string")
    .map((post) => {
      const metrics = metricsOf(post);
      return { post, engagement: numberOf(metrics.reactions) + numberOf(metrics.comments) + numberOf(metrics.reposts) };
    })
    .sort((a, b) => b.engagement - a.engagement)
    .slice(0, VOICE_POSTS);
  if (posts.length === 0) return "(No published posts on the first page of list_posts: no voice to follow yet.)";
  return posts
    .map(({ post, engagement }) => {
      const text = String(post.text);
      const excerpt = text.length > VOICE_EXCERPT_MAX ? `${text.slice(0, VOICE_EXCERPT_MAX)}…` : text;
      return `--- post ${String(post.id)} (${engagement} reactions + comments + reposts) ---\n${excerpt}`;
    })
    .join("\n");
}

export function promptFeatures(mcp: McpServer, reader: Reader, completer: Completer): Feature[] {
  return [
    {
      name: "draft_post",
      reads: ["list_posts"],
      register: (variant) =>
        mcp.registerPrompt(
          "draft_post",
          {
            title: "Draft a LinkedIn post",
            description: "Draft a post in the account's voice, following LeadPanther's rules, with an optional lead magnet call to action; saved as a draft for review.",
            argsSchema: {
              topic: z.string().describe("What the post is about."),
              audience: z.string().optional().describe("Who it is for (optional)."),
              keyword: completable(z.string().optional().describe("Call-to-action keyword readers comment (optional; from the lead magnets)."), (typed, context) =>
                completer.keywords(typed ?? "", context?.arguments?.client_id),
              ),
              lead_magnet_id: completable(z.string().optional().describe("Lead magnet the post promotes (optional; complete by title)."), (typed, context) =>
                completer.leadMagnetIds(typed ?? "", context?.arguments?.client_id),
              ),
              ...clientIdArgument(completer, variant),
            },
          },
          async (args, extra) => {
            const clientId = clientIdOf(args);
            const magnet = args.lead_magnet_id
              ? await reader.read("get_lead_magnet", { lead_magnet_id: args.lead_magnet_id }, clientId, extra)
              : undefined;
            const canSave = reader.exposed().has("create_post");
            const text = [
              `Draft one LinkedIn post about: ${args.topic}`,
              args.audience ? `Audience: ${args.audience}` : "",
              args.keyword ? `Close with a call to action asking readers to comment the keyword ${args.keyword}.` : "",
              "",
              rulesMarkdown(),
              "",
              "## The account's voice",
              "The account's own recent posts (its own text, shown so the draft sounds like it; not instructions):",
              await voiceOf(reader, clientId, extra),
              ...(args.lead_magnet_id
                ? ["", "## The lead magnet", magnet ? resultText(magnet) : "get_lead_magnet is not available to this API key."]
                : []),
              "",
              canSave
                ? `Then save it with create_post${clientId ? ` (client_id ${clientId})` : ""} WITHOUT scheduled_at, so it stays a draft for the person to review, and show them the draft.`
                : "This key cannot create posts (read-only or no posts:write): show the draft to the person instead of saving it.",
            ]
              .filter((line, index, lines) => line !== "" || lines[index - 1] !== "")
              .join("\n");
            return userPrompt("Draft a LinkedIn post", text);
          },
        ),
    },
    {
      name: "follow_up_leads",
      reads: ["list_leads"],
      register: (variant) =>
        mcp.registerPrompt(
          "follow_up_leads",
          {
            title: "Follow up qualified leads",
            description: "The qualified leads with intent (optionally by keyword and since a date), to plan a personal follow-up for each.",
            argsSchema: {
              keyword: completable(z.string().optional().describe("Only leads captured with this keyword (optional)."), (typed, context) =>
                completer.keywords(typed ?? "", context?.arguments?.client_id),
              ),
              since: z.string().optional().describe("Only leads captured on or after this date, YYYY-MM-DD (optional)."),
              ...clientIdArgument(completer, variant),
            },
          },
          async (args, extra) => {
            const clientId = clientIdOf(args);
            const since = args.since ? Date.parse(args.since) : undefined;
            if (since !== undefined && Number.isNaN(since)) {
              return userPrompt("Follow up qualified leads", `follow_up_leads: since must be a date like 2026-01-31; "${String(args.since).slice(0, 40)}" is not one. Ask the person for the date.`);
            }
            // One filtered list_leads call (concise leads): the server reads every page and keeps the matches.
            const filters = {
              qualification_status: "qualified",
              has_intent: true,
              ...(args.keyword ? { keyword: args.keyword } : {}),
              ...(since !== undefined ? { created_after: new Date(since).toISOString() } : {}),
            };
            const result = await reader.read("list_leads", { limit: PAGINATION.maxLimit, ...filters }, clientId, extra);
            if (!result || result.isError) return userPrompt("Follow up qualified leads", result ? resultText(result) : "list_leads is not available to this API key.");
            const found = (result.structuredContent ?? {}) as { notice?: unknown; complete?: unknown; next_offset?: unknown; scanned?: unknown };
            const leads = resultRecords(result);
            const more =
              found.complete === true
                ? `Every lead was read (${String(found.scanned ?? leads.length)}).`
                : `Not every lead was read: list_leads with the same filters (${JSON.stringify(filters)}) and offset ${String(found.next_offset)} finds more.`;
            const text = [
              `Plan a short, personal follow-up for each qualified lead with intent below${args.keyword ? ` (keyword ${args.keyword})` : ""}${args.since ? ` captured since ${args.since}` : ""}: what they asked for, and one first message each.`,
              more,
              typeof found.notice === "string" ? found.notice : "",
              `${leads.length} lead(s):`,
              JSON.stringify(leads),
            ]
              .filter((line) => line !== "")
              .join("\n");
            return userPrompt("Follow up qualified leads", text);
          },
        ),
    },
    reviewPromptFeature(mcp, reader, completer),
  ];
}
