import { z } from "zod";
import { MEDIA_CONTENT_TYPES, MEDIA_IMAGE_MAX_BYTES, MEDIA_PDF_MAX_BYTES } from "../contract.js";
import { uploadMedia } from "./upload-media.js";
import { CONFIRM_NOTE, confirmShape, isMediaPath } from "./fields.js";
import { defineTool, type ToolHints } from "./types.js";

/** Media (contract §13). The file checks that need the bytes (type, size) live in src/media. */

const uploadMediaShape = {
  file_path: z
    .string({ error: "must be a string: an absolute path to the file" })
    .min(1, { error: "must not be empty" })
    .refine((path) => path.length <= 4096, { error: "must be at most 4,096 characters" })
    .optional()
    .describe("Absolute path inside the client's roots or LEADPANTHER_UPLOAD_ROOTS."),
  content_base64: z
    .string({ error: "must be a string of base64" })
    .min(1, { error: "must not be empty" })
    .optional()
    .describe("The file as base64, instead of file_path."),
  file_name: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(255, { error: "must be at most 255 characters" })
    .optional()
    .describe("File name, e.g. chart.png; required with content_base64."),
  content_type: z
    .enum(MEDIA_CONTENT_TYPES, { error: `must be one of: ${MEDIA_CONTENT_TYPES.join(", ")}` })
    .optional()
    .describe("Must match the file's actual type."),
};

function refineUploadMedia(value: Record<string, unknown>, context: z.RefinementCtx): void {
  const hasPath = value.file_path !== undefined;
  const hasBase64 = value.content_base64 !== undefined;
  if (hasPath === hasBase64) {
    context.addIssue({
      code: "custom",
      path: [],
      message: "give exactly one of file_path or content_base64 (with file_name)",
    });
  }
  if (hasBase64 && value.file_name === undefined) {
    context.addIssue({ code: "custom", path: ["file_name"], message: "is required with content_base64, e.g. chart.png" });
  }
}

const deleteMediaShape = {
  path: z
    .string({ error: "must be a string: a media path from upload_media" })
    .refine(isMediaPath, { error: "must be a media path as upload_media returned it, e.g. <account id>/images/api-v1/<file>.png" })
    .describe("Media path returned by upload_media."),
};

const mediaHints: ToolHints = {
  badRequest: () =>
    `Allowed: JPEG, PNG, GIF, WebP up to ${MEDIA_IMAGE_MAX_BYTES / 1_048_576} MB; PDF up to ${MEDIA_PDF_MAX_BYTES / 1_048_576} MB; the path must be one upload_media returned.`,
  notFound: () => "The media path is unknown or already deleted.",
};

export const MEDIA_TOOLS = [
  defineTool({
    name: "upload_media",
    title: "Upload an image or PDF",
    description:
      "Upload a JPEG, PNG, GIF or WebP image (max 5 MB) or a PDF (max 15 MB) from file_path or content_base64 + file_name. Returns a media path for create_post's images or document_url.",
    method: "POST",
    directPath: "/media/upload-url",
    agencyPath: "/clients/{clientId}/media/upload-url",
    requires: { kind: "scope", scope: "media:write" },
    toolset: "media",
    provenance: "inferred",
    provenanceNote: "path, request body and the PUT to the signed URL inferred; the two steps stated",
    inputShape: uploadMediaShape,
    refine: refineUploadMedia,
    request: {},
    effect: "write",
    idempotent: false,
    list: false,
    noun: "media",
    hints: mediaHints,
    // Two steps: an upload URL from LeadPanther, then the bytes to it.
    handler: uploadMedia,
  }),
  defineTool({
    name: "delete_media",
    title: "Delete uploaded media",
    description: `Delete an uploaded file by the media path upload_media returned.${CONFIRM_NOTE}`,
    method: "DELETE",
    directPath: "/media",
    agencyPath: "/clients/{clientId}/media",
    requires: { kind: "scope", scope: "media:write" },
    toolset: "media",
    provenance: "inferred",
    provenanceNote: "path and ?path= parameter inferred",
    inputShape: { ...deleteMediaShape, ...confirmShape },
    request: { query: ["path"] },
    effect: "destructive",
    idempotent: true,
    list: false,
    noun: "media",
    verify: { tool: "delete_media", instruction: "no API route reads a media file, so the server cannot check. Ask the person before calling delete_media again: not_found then means the file is already gone." },
    hints: mediaHints,
    confirm: { kind: "arguments", describe: (args) => `Media file: ${String(args.path)}.` },
  }),
];
