import { z } from "zod";
import { MEDIA_CONTENT_TYPES } from "../contract.js";
import { isMediaPath } from "./common.js";

/** Media (contract §13). The file checks that need the bytes (type, size) live in src/media. */

export const uploadMediaShape = {
  file_path: z
    .string({ error: "must be a string: an absolute path to the file" })
    .min(1, { error: "must not be empty" })
    .max(4096, { error: "must be at most 4,096 characters" })
    .optional()
    .describe("Absolute path of the file, inside the client's roots or LEADPANTHER_UPLOAD_ROOTS."),
  content_base64: z
    .string({ error: "must be a string of base64" })
    .min(1, { error: "must not be empty" })
    .optional()
    .describe("The file's bytes as base64, instead of file_path."),
  file_name: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(255, { error: "must be at most 255 characters" })
    .optional()
    .describe("File name, e.g. chart.png; required with content_base64."),
  content_type: z
    .enum(MEDIA_CONTENT_TYPES, { error: `must be one of: ${MEDIA_CONTENT_TYPES.join(", ")}` })
    .optional()
    .describe("Optional; must match the file's actual type."),
};

export function refineUploadMedia(value: Record<string, unknown>, context: z.RefinementCtx): void {
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

export const deleteMediaShape = {
  path: z
    .string({ error: "must be a string: a media path from upload_media" })
    .refine(isMediaPath, { error: "must be a media path as upload_media returned it, e.g. <account id>/images/api-v1/<file>.png" })
    .describe("Media path returned by upload_media."),
};
