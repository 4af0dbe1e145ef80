import { z } from "zod";
import { POST_IMAGES_MAX, POST_TEXT_MAX, POST_UPDATE_NULL_CLEARS, PUBLISHED_POST_MUTABLE_FIELDS } from "../contract.js";
import { sanitizeText } from "../safety/sanitize.js";
import { formatUtc, parseScheduledAt } from "../writes/time.js";
import { countPostCharacters, describeTextTooLong, firstWords } from "../writes/text-length.js";
import { CONFIRM_NOTE, confirmShape, mediaReference, uuidField } from "./fields.js";
import { FILTER_COST, pagedList } from "./list.js";
import { defineTool, type ToolHints } from "./types.js";
import { BOARD_TOOL_META } from "../app/resource.js";

/**
 * Posts (contract §11). Rules that need no server state are checked here, so the model learns
 * which field is wrong before anything is sent; rules that depend on the post's current status
 * (4–6) are left to LeadPanther, whose `conflict` the error hints explain.
 */

/** Characters as a person counts them (code points, see text-length.ts): an emoji is one, not two. */
const text = z
  .string({ error: "must be a string: the post's text" })
  .min(1, { error: "must not be empty" })
  .refine((value) => value.trim() !== "", { error: "must not be only spaces: a post needs words" })
  .refine((value) => countPostCharacters(value) <= POST_TEXT_MAX, {
    error: (issue) => (typeof issue.input === "string" ? describeTextTooLong(issue.input) : `must be at most ${POST_TEXT_MAX} characters`),
  });

/**
 * Checked with time_zone (in the tool's refine, where both are seen) and sent as UTC with
 * milliseconds (by `normalize`), the form LeadPanther uses (contract §1).
 */
const scheduledAt = z.string({ error: "must be a string: a date and time such as 2026-06-01T09:00:00+02:00" });

const timeZone = z
  .string({ error: "must be a string: an IANA time zone such as Europe/Berlin" })
  .describe("IANA zone (e.g. Europe/Berlin) for a scheduled_at without offset.");

const images = z
  .array(mediaReference("an image"), { error: "must be a list of image URLs or media paths" })
  .min(1, { error: "must hold at least one image; leave images out for a post without images" })
  .max(POST_IMAGES_MAX, { error: `must hold at most ${POST_IMAGES_MAX} images` });

const documentUrl = mediaReference("a PDF document");

const postFields = {
  text: text.describe(`Up to ${POST_TEXT_MAX} characters.`),
  scheduled_at: scheduledAt.describe(
    "Future time with offset (2026-06-01T09:00:00+02:00, +0200, Z), or local with time_zone. Left out: a draft.",
  ),
  images: images.describe("Image https URLs or upload_media paths; not with document_url."),
  document_url: documentUrl.describe("A PDF (https URL or upload_media path): a document post; not with images."),
  theme_id: uuidField("a theme id"),
  template_id: uuidField("a template id").describe("A lead-magnet post is a post with its template_id."),
  notes: z.string({ error: "must be a string" }).describe("Internal notes; never published."),
};

function documentWithoutImages(
  value: { images?: unknown; document_url?: unknown },
  context: z.RefinementCtx,
): void {
  const hasDocument = value.document_url !== undefined && value.document_url !== null;
  const hasImages = value.images !== undefined && value.images !== null;
  if (hasDocument && hasImages) {
    context.addIssue({
      code: "custom",
      path: ["images"],
      message: "a document post (document_url) cannot include images: send either images or document_url",
    });
  }
}

const createPostShape = {
  text: postFields.text,
  scheduled_at: postFields.scheduled_at.optional(),
  time_zone: timeZone.optional(),
  images: postFields.images.optional(),
  document_url: postFields.document_url.optional(),
  theme_id: postFields.theme_id.optional(),
  template_id: postFields.template_id.optional(),
  notes: postFields.notes.optional(),
};

/**
 * An update field: optional and, where the contract's [inferred] null meaning holds
 * (POST_UPDATE_NULL_CLEARS), nullable; the tool's description says what null does, once.
 */
function updateField(schema: z.ZodType, description?: string): z.ZodType {
  const field = POST_UPDATE_NULL_CLEARS ? schema.nullable().optional() : schema.optional();
  return description === undefined ? field : field.describe(description);
}

/** On an update, null clears a field (e.g. images: null and a document_url to turn an image post into a document post). */
const updatePostShape = {
  post_id: uuidField("the post's id"),
  text: text.optional(),
  scheduled_at: updateField(scheduledAt),
  time_zone: timeZone.optional(),
  images: updateField(images, "Replaces all images."),
  document_url: updateField(documentUrl),
  theme_id: updateField(uuidField("a theme id")),
  template_id: updateField(uuidField("a template id")),
  notes: updateField(z.string({ error: "must be a string" })),
};

const POST_UPDATE_FIELDS = Object.keys(updatePostShape).filter((key) => key !== "post_id" && key !== "time_zone");

/** scheduled_at read together with time_zone: one line naming what to send instead. */
function checkScheduledAt(value: Record<string, unknown>, context: z.RefinementCtx): void {
  const zone = typeof value.time_zone === "string" ? value.time_zone : undefined;
  if (typeof value.scheduled_at !== "string") {
    if (zone !== undefined) context.addIssue({ code: "custom", path: ["time_zone"], message: "only applies to scheduled_at: give scheduled_at too, or leave time_zone out" });
    return;
  }
  const parsed = parseScheduledAt(value.scheduled_at, { now: new Date(), ...(zone !== undefined ? { timeZone: zone } : {}) });
  if (!parsed.ok) {
    context.addIssue({ code: "custom", path: [parsed.message.startsWith("time_zone") ? "time_zone" : "scheduled_at"], message: parsed.message.replace(/^(scheduled_at|time_zone) /, "") });
  }
}

/** What is sent: scheduled_at as UTC with milliseconds; time_zone only shapes how it was read. */
function normalizePost(args: Record<string, unknown>): Record<string, unknown> {
  if (typeof args.scheduled_at !== "string") return args;
  const zone = typeof args.time_zone === "string" ? args.time_zone : undefined;
  const parsed = parseScheduledAt(args.scheduled_at, { now: new Date(), ...(zone !== undefined ? { timeZone: zone } : {}) });
  return parsed.ok ? { ...args, scheduled_at: parsed.iso } : args;
}

/** Cross-field checks, applied after the field checks by the tool's schema. */
function refineCreatePost(value: Record<string, unknown>, context: z.RefinementCtx): void {
  documentWithoutImages(value, context);
  checkScheduledAt(value, context);
}

function refineUpdatePost(value: Record<string, unknown>, context: z.RefinementCtx): void {
  documentWithoutImages(value, context);
  checkScheduledAt(value, context);
  if (!POST_UPDATE_FIELDS.some((field) => value[field] !== undefined)) {
    context.addIssue({
      code: "custom",
      path: [],
      message: `give at least one field to change: ${POST_UPDATE_FIELDS.join(", ")}`,
    });
  }
}

export const postIdShape = { post_id: uuidField("the post's id") };

/** A post (or its engagement) that is not found. */
export function postNotFound(): string {
  return "The post may have been deleted or the post_id is wrong: list_posts shows the current ids.";
}

const postHints: ToolHints = {
  badRequest: ({ sentNull }) =>
    `Post rules: text 1–${POST_TEXT_MAX.toLocaleString("en-US")} characters; scheduled_at a future ISO 8601 time; images (1–${POST_IMAGES_MAX}) or document_url, never both; ids are UUIDs.${sentNull === true ? " This request also set a field to null to clear it, which this API may not accept: try again without the null fields, or give the field a new value instead." : ""}`,
  notFound: postNotFound,
  conflict: `The post's status does not allow this. A publishing post cannot be edited or deleted; a published post cannot be deleted and only accepts changes to ${PUBLISHED_POST_MUTABLE_FIELDS.join(", ")}. Call get_post to see its status.`,
};

export const POST_TOOLS = [
  defineTool({
    name: "list_posts",
    title: "List posts",
    description: `LinkedIn posts of the account, in LeadPanther's order (by creation); a scheduled_after/before window by scheduled_at, offset counting within it. ${FILTER_COST}`,
    method: "GET",
    directPath: "/posts",
    agencyPath: "/clients/{clientId}/posts",
    requires: { kind: "scope", scope: "posts:read" },
    toolset: "posts",
    provenance: "stated",
    ...pagedList("posts"),
    noun: "post",
    meta: BOARD_TOOL_META,
    hints: postHints,
  }),
  defineTool({
    name: "get_post",
    title: "Get a post",
    description: "One post with its text, status, schedule, images or document, and metrics.",
    method: "GET",
    directPath: "/posts/{postId}",
    agencyPath: "/clients/{clientId}/posts/{postId}",
    requires: { kind: "scope", scope: "posts:read" },
    toolset: "posts",
    provenance: "inferred",
    provenanceNote: "path inferred from the collection route",
    inputShape: { ...postIdShape },
    request: { pathParams: { post_id: "postId" } },
    effect: "read",
    idempotent: true,
    list: false,
    noun: "post",
    probeFrom: "list_posts",
    hints: postHints,
  }),
  defineTool({
    name: "create_post",
    title: "Create a post",
    description:
      "Create a LinkedIn post: a draft, or scheduled when scheduled_at (future) is given. Never retried: a lost answer is settled by reading.",
    method: "POST",
    directPath: "/posts",
    agencyPath: "/clients/{clientId}/posts",
    requires: { kind: "scope", scope: "posts:write" },
    toolset: "posts",
    provenance: "stated",
    inputShape: createPostShape,
    refine: refineCreatePost,
    request: { body: Object.keys(createPostShape).filter((key) => key !== "time_zone") },
    normalize: normalizePost,
    effect: "write",
    idempotent: false,
    list: false,
    noun: "post",
    verify: { tool: "list_posts", instruction: "first call list_posts and look for the post (same text) before creating it again." },
    record: { kind: "create", readWith: "list_posts", matchField: "text" },
    guardrails: { listWith: "list_posts" },
    hints: postHints,
  }),
  defineTool({
    name: "update_post",
    title: "Update a post",
    description:
      `Change a post's fields, as in create_post${POST_UPDATE_NULL_CLEARS ? "; null clears one (scheduled_at null: back to a draft)" : ""}. A publishing post cannot be edited; a published post only accepts theme_id, template_id and notes.`,
    method: "PATCH",
    directPath: "/posts/{postId}",
    agencyPath: "/clients/{clientId}/posts/{postId}",
    requires: { kind: "scope", scope: "posts:write" },
    toolset: "posts",
    provenance: "inferred",
    provenanceNote: "path and PATCH inferred; field rules stated",
    inputShape: updatePostShape,
    refine: refineUpdatePost,
    request: { pathParams: { post_id: "postId" }, body: POST_UPDATE_FIELDS },
    normalize: normalizePost,
    effect: "write",
    idempotent: true,
    list: false,
    noun: "post",
    probeFrom: "list_posts",
    verify: { tool: "get_post", instruction: "call get_post with the same post_id and compare the fields before changing it again." },
    record: { kind: "update", readWith: "get_post", idField: "post_id", rewritten: ["images", "document_url"] },
    guardrails: { listWith: "list_posts" },
    hints: postHints,
  }),
  defineTool({
    name: "delete_post",
    title: "Delete a post",
    description: `Delete a draft, scheduled or failed post (not a published or publishing one).${CONFIRM_NOTE}`,
    method: "DELETE",
    directPath: "/posts/{postId}",
    agencyPath: "/clients/{clientId}/posts/{postId}",
    requires: { kind: "scope", scope: "posts:write" },
    toolset: "posts",
    provenance: "inferred",
    provenanceNote: "path inferred; the rule on published posts stated",
    inputShape: { ...postIdShape, ...confirmShape },
    request: { pathParams: { post_id: "postId" } },
    effect: "destructive",
    idempotent: true,
    list: false,
    noun: "post",
    probeFrom: "list_posts",
    verify: { tool: "get_post", instruction: "call get_post with the same post_id: not_found means it was deleted." },
    record: { kind: "remove", readWith: "get_post", idField: "post_id" },
    hints: postHints,
    confirm: {
      kind: "record",
      readWith: "get_post",
      idField: "post_id",
      findWith: "list_posts",
      sharedField: "text",
      describe: (id, post) => {
        const text = typeof post.text === "string" ? sanitizeText(firstWords(post.text, 120), { maxLength: 120 }) : "(no text)";
        const dates = (["scheduled_at", "created_at", "updated_at"] as const)
          .filter((field) => typeof post[field] === "string" && !Number.isNaN(Date.parse(post[field] as string)))
          .map((field) => `${field.replace("_at", "")} ${formatUtc(new Date(post[field] as string))}`);
        return `Post ${id} (${[String(post.status ?? "unknown status"), ...dates].join(", ")}): "${text}".`;
      },
    },
  }),
];
