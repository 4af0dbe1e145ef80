import { z } from "zod";
import { inputSchemaFor, operation } from "../catalog.js";
import {
  DELIVERY_MODES,
  LEAD_MAGNET_STATUSES,
  LEAD_MAGNET_TITLE_MAX,
  MEDIA_IMAGE_MAX_BYTES,
  MEDIA_IMAGE_TYPES,
  MEDIA_PDF_MAX_BYTES,
  POST_IMAGES_MAX,
  POST_STATUSES,
  POST_TEXT_MAX,
  PUBLISHED_POST_MUTABLE_FIELDS,
} from "../contract.js";

/**
 * LeadPanther's post and lead magnet rules as this server enforces them: the limits from
 * src/contract.ts and each field as the write tools' input schemas describe it. Built from those
 * definitions, so the rules the model reads are the rules the server checks.
 */
export function rulesMarkdown(): string {
  return [
    "# LeadPanther rules",
    "",
    "## Posts",
    `- Text: 1–${POST_TEXT_MAX.toLocaleString("en-US")} characters.`,
    `- Media: 1–${POST_IMAGES_MAX} images, or one PDF document (document_url), never both. Images: ${MEDIA_IMAGE_TYPES.join(", ")}, at most ${mib(MEDIA_IMAGE_MAX_BYTES)}; PDF at most ${mib(MEDIA_PDF_MAX_BYTES)}.`,
    "- scheduled_at: a future ISO 8601 time; without it the post is a draft.",
    `- Statuses: ${POST_STATUSES.join(", ")}. A publishing post cannot be changed or deleted; a published post cannot be deleted and accepts changes only to ${PUBLISHED_POST_MUTABLE_FIELDS.join(", ")}.`,
    "",
    "### create_post fields",
    ...fieldLines("create_post"),
    "",
    "## Lead magnets",
    `- Title: at most ${LEAD_MAGNET_TITLE_MAX} characters.`,
    `- Delivery modes: ${DELIVERY_MODES.join(", ")}. Statuses: ${LEAD_MAGNET_STATUSES.join(", ")}.`,
    "- A post's call to action names the lead magnet's keyword (\"Comment GUIDE …\"): commenters who write it become leads.",
    "",
    "### create_lead_magnet fields",
    ...fieldLines("create_lead_magnet"),
  ].join("\n");
}

function mib(bytes: number): string {
  return `${(bytes / 1_048_576).toLocaleString("en-US")} MiB`;
}

interface JsonSchemaProperty {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  maxLength?: number;
  minLength?: number;
}

/** One line per field of a write tool's (direct) input schema: name, type, required, description. */
function fieldLines(tool: string): string[] {
  const schema = z.toJSONSchema(inputSchemaFor(operation(tool), "direct"), { unrepresentable: "any", io: "input" }) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([field, property]) => {
    const type = property.enum ? `one of ${property.enum.join(", ")}` : [property.type ?? "value"].flat().join(" or ");
    return `- \`${field}\` (${type}${required.has(field) ? ", required" : ""}): ${property.description ?? ""}`.trimEnd();
  });
}
