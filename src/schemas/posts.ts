import { z } from "zod";
import { POST_IMAGES_MAX, POST_TEXT_MAX, POST_UPDATE_NULL_CLEARS } from "../contract.js";
import { isoTimestamp, mediaReference, uuidField } from "./common.js";

/**
 * Posts (contract §11). Rules that need no server state are checked here, so the model learns
 * which field is wrong before anything is sent; rules that depend on the post's current status
 * (4–6) are left to LeadPanther, whose `conflict` the error hints explain.
 */

/** Characters as a person counts them (code points): an emoji is one, not two. */
const text = z
  .string({ error: "must be a string: the post's text" })
  .min(1, { error: "must not be empty" })
  .refine((value) => value.trim() !== "", { error: "must not be only spaces: a post needs words" })
  .refine((value) => value.length <= POST_TEXT_MAX || [...value].length <= POST_TEXT_MAX, {
    error: `must be at most ${POST_TEXT_MAX.toLocaleString("en-US")} characters (LinkedIn's effective limit)`,
  });

/** Sent as UTC with milliseconds, the form LeadPanther uses (contract §1), whatever zone was given. */
const futureTimestamp = isoTimestamp("when to publish")
  .refine((value) => Date.parse(value) > Date.now(), {
    error: "must be in the future: a scheduled post needs a future scheduled_at",
  })
  .transform((value) => new Date(value).toISOString());

const images = z
  .array(mediaReference("an image"), { error: "must be a list of image URLs or media paths" })
  .min(1, { error: "must hold at least one image; leave images out for a post without images" })
  .max(POST_IMAGES_MAX, { error: `must hold at most ${POST_IMAGES_MAX} images` });

const documentUrl = mediaReference("a PDF document");

const postFields = {
  text: text.describe(`Post text, 1–${POST_TEXT_MAX} characters.`),
  scheduled_at: futureTimestamp.describe(
    "Future ISO 8601 time to publish (e.g. 2026-06-01T09:00:00.000Z). Given: the post is scheduled; left out: a draft.",
  ),
  images: images.describe(`1–${POST_IMAGES_MAX} image https URLs or upload_media paths. Not with document_url.`),
  document_url: documentUrl.describe("A PDF as an https URL or upload_media path: makes a document post. Not with images."),
  theme_id: uuidField("a theme id").describe("Theme UUID."),
  template_id: uuidField("a template id").describe("Template UUID; a lead-magnet post is a post with its template_id."),
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

export const createPostShape = {
  text: postFields.text,
  scheduled_at: postFields.scheduled_at.optional(),
  images: postFields.images.optional(),
  document_url: postFields.document_url.optional(),
  theme_id: postFields.theme_id.optional(),
  template_id: postFields.template_id.optional(),
  notes: postFields.notes.optional(),
};

/**
 * An update field: optional and, where the contract's [inferred] null meaning holds
 * (POST_UPDATE_NULL_CLEARS), nullable, with what null does in its description.
 */
function updateField(schema: z.ZodType, description: string, whatNullDoes: string): z.ZodType {
  return POST_UPDATE_NULL_CLEARS
    ? schema.nullable().optional().describe(`${description} ${whatNullDoes}`)
    : schema.optional().describe(description);
}

/** On an update, null clears a field (e.g. images: null and a document_url to turn an image post into a document post). */
export const updatePostShape = {
  post_id: uuidField("the post's id").describe("The post to change."),
  text: postFields.text.optional(),
  scheduled_at: updateField(futureTimestamp, "New future publish time.", "null unschedules the post back to a draft."),
  images: updateField(postFields.images, "Replaces the images.", "null removes them."),
  document_url: updateField(postFields.document_url, "Replaces the document.", "null removes it."),
  theme_id: updateField(postFields.theme_id, "Theme UUID.", "null clears it."),
  template_id: updateField(postFields.template_id, "Template UUID.", "null clears it."),
  notes: updateField(postFields.notes, "Internal notes; never published.", "null clears them."),
};

export const POST_UPDATE_FIELDS = Object.keys(updatePostShape).filter((key) => key !== "post_id");

/** Cross-field checks, applied after the field checks by the tool's schema. */
export function refineCreatePost(value: Record<string, unknown>, context: z.RefinementCtx): void {
  documentWithoutImages(value, context);
}

export function refineUpdatePost(value: Record<string, unknown>, context: z.RefinementCtx): void {
  documentWithoutImages(value, context);
  if (!POST_UPDATE_FIELDS.some((field) => value[field] !== undefined)) {
    context.addIssue({
      code: "custom",
      path: [],
      message: `give at least one field to change: ${POST_UPDATE_FIELDS.join(", ")}`,
    });
  }
}
