import { fileURLToPath } from "node:url";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { isRecord } from "../json.js";
import { ApiError } from "../api/errors.js";
import { errorText, render } from "../results.js";
import { secrets } from "../safety/secrets.js";
import { failure, routeFor } from "../call.js";
import type { ToolCall } from "./types.js";

import { MediaInputError, UploadError } from "../media/errors.js";
import { putToSignedUrl } from "../media/put.js";
import { prepareUpload, type PreparedUpload, type UploadInput } from "../media/source.js";

/**
 * upload_media: both steps of contract §13 in one tool call. The signed URL and its token stay
 * inside this module: registered with the scrubber the moment they arrive, never returned.
 */
export async function uploadMedia(call: ToolCall, args: Record<string, unknown>): Promise<CallToolResult> {

  let prepared;
  try {
    const roots = await allowedRoots(call);
    prepared = await prepareUpload(toInput(args), roots);
  } catch (error) {
    if (error instanceof MediaInputError) {
      return errorText(`upload_media refused ${error.field}: ${error.message} Nothing was sent.`);
    }
    throw error;
  }

  // The signed URL and token are secrets only while they can be used: they are scrubbed from
  // everything while this upload runs and forgotten after (the list would otherwise grow with
  // every upload of a long-running server, and slow every scrub).
  const issued: string[] = [];
  try {
    return await uploadWithGrant(call, prepared, issued);
  } finally {
    for (const secret of issued) secrets.removeSecret(secret);
  }
}

async function uploadWithGrant(
  call: ToolCall,
  prepared: PreparedUpload,
  issued: string[],
): Promise<CallToolResult> {
  const { api, config, extra, logger } = call;
  const { path, route } = routeFor(call, {});
  let grant: { uploadUrl: string; path: string; bucket: string; requestId: string };
  try {
    const success = await api.call({
      method: "POST",
      path,
      route,
      body: { content_type: prepared.contentType, file_name: prepared.fileName, size: prepared.size },
      authenticated: true,
      signal: extra.signal,
    });
    const data = isRecord(success.data) ? success.data : {};
    for (const secret of [data.upload_url, data.token]) {
      if (typeof secret === "string") {
        secrets.addSecret(secret);
        issued.push(secret);
      }
    }
    if (typeof data.upload_url !== "string" || typeof data.path !== "string") {
      return errorText(
        `upload_media failed: LeadPanther's upload-URL answer has no upload_url or path (request_id ${success.requestId}). Nothing was uploaded.`,
      );
    }
    if (typeof data.max_file_size === "number" && prepared.size > data.max_file_size) {
      return errorText(
        `upload_media refused the file: LeadPanther allows at most ${data.max_file_size} bytes for ${prepared.contentType} here and the file has ${prepared.size}. Nothing was uploaded.`,
      );
    }
    grant = {
      // §13: the bytes go to upload_url exactly as given. Adding anything (even the separate
      // token) would break a URL whose query is signed.
      uploadUrl: data.upload_url,
      path: data.path,
      bucket: typeof data.bucket === "string" ? data.bucket : "",
      requestId: success.requestId,
    };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return failure(call, error);
  }

  const progressToken = extra._meta?.progressToken;
  const onProgress =
    progressToken === undefined
      ? undefined
      : (sent: number, total: number): void => {
          void extra
            .sendNotification({
              method: "notifications/progress",
              params: { progressToken, progress: sent, total, message: `uploaded ${sent} of ${total} bytes` },
            })
            .catch(() => undefined);
        };

  try {
    await putToSignedUrl({
      uploadUrl: grant.uploadUrl,
      contentType: prepared.contentType,
      size: prepared.size,
      open: () => prepared.open(),
      dispatcher: api.dispatcherForUploads,
      timeoutMs: Math.max(config.timeoutMs, 60_000),
      ...(onProgress ? { onProgress } : {}),
      signal: extra.signal,
    });
  } catch (error) {
    if (error instanceof MediaInputError) {
      return errorText(`upload_media refused ${error.field}: ${error.message} The upload did not complete.`);
    }
    if (!(error instanceof UploadError)) throw error;
    logger.warn("upload to the signed URL failed", { kind: error.kind, status: error.httpStatus });
    const tail =
      error.mayBeStored
        ? ` The file may or may not be stored at ${grant.path}. Call upload_media again for a fresh upload (it gets a new path); delete_media with ${grant.path} removes the uncertain copy if it exists.`
        : " Nothing usable was stored.";
    return errorText(`upload_media failed (${error.kind}): ${error.message}${tail} request_id of the upload-URL call: ${grant.requestId}`);
  }

  const kind = prepared.contentType === "application/pdf" ? "document_url" : "images";
  return render(
    `upload_media: stored ${prepared.fileName} (${prepared.contentType}, ${prepared.size} bytes).${prepared.nameNote ? ` Note: ${prepared.nameNote}` : ""} Use path ${grant.path} in create_post's ${kind}${kind === "images" ? " list" : ""}.`,
    {
      data: { path: grant.path, bucket: grant.bucket, content_type: prepared.contentType, size: prepared.size },
      request_id: grant.requestId,
      usage: `Put "${grant.path}" in create_post's ${kind}${kind === "images" ? " (a list of up to 20)" : ""}.`,
    },
  );
}

/**
 * The arguments as prepareUpload's input, every field passed on: prepareUpload checks the
 * combination itself (file_name with file_path is refused there, not dropped here).
 */
function toInput(args: Record<string, unknown>): UploadInput {
  const fields = ["file_path", "content_base64", "file_name", "content_type"] as const;
  const input: Record<string, unknown> = {};
  for (const field of fields) if (args[field] !== undefined) input[field] = args[field];
  return input as UploadInput;
}

/** The client's MCP roots when it declares them (file:// only), else LEADPANTHER_UPLOAD_ROOTS. */
async function allowedRoots(call: ToolCall): Promise<string[]> {
  const capabilities = call.mcp.server.getClientCapabilities();
  if (capabilities?.roots) {
    try {
      const { roots } = await call.mcp.server.listRoots(undefined, { signal: call.extra.signal, timeout: 5_000 });
      const paths = roots.filter((root) => root.uri.startsWith("file://")).map((root) => fileURLToPath(root.uri));
      if (paths.length > 0) return paths;
    } catch (error) {
      call.logger.warn("roots/list failed; using LEADPANTHER_UPLOAD_ROOTS", { error });
    }
  }
  return [...call.config.uploadRoots];
}
