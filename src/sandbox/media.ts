/**
 * Media (§13): the upload-URL route, the signed-URL storage endpoint the sandbox serves
 * itself (Supabase-Storage-like), and delete by path.
 *
 * Storage answers use Supabase's error shape `{ statusCode, error, message }` (statusCode as
 * a string, as Supabase does) and `{ Key: "<bucket>/<path>" }` on success.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { MEDIA_CONTENT_TYPES, mediaMaxBytes, type MediaContentType } from "../contract.js";
import { accountOf, type Handler } from "./context.js";
import { declaredLength, mediaType, readBodyLimited } from "./body.js";
import type { MediaState } from "./media-state.js";
import { badRequest, notFound, type WireResponse } from "./wire.js";
import { rejectUnknownFields, requireString } from "./validate.js";

export const IMAGE_BUCKET = "content-images";
export const DOCUMENT_BUCKET = "content-documents";
/** Where the signed upload URLs point, under the sandbox's origin. */
export const STORAGE_UPLOAD_PREFIX = "/storage/v1/object/upload/sign/";

const EXTENSION: Record<MediaContentType, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "application/pdf": "pdf",
};

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const MEDIA_PATH = new RegExp(`^(${UUID})/(images|documents)/api-v1/${UUID}\\.(jpg|png|gif|webp|pdf)$`);

export interface MediaPath {
  ownerUserId: string;
  bucket: typeof IMAGE_BUCKET | typeof DOCUMENT_BUCKET;
  isDocument: boolean;
}

/**
 * A media path as the upload-URL route makes it: `<user_id>/images/api-v1/<uuid>.<ext>` or
 * `<user_id>/documents/api-v1/<uuid>.pdf`; null for anything else.
 */
export function parseMediaPath(path: string): MediaPath | null {
  const match = MEDIA_PATH.exec(path);
  if (match === null) return null;
  const folder = match[2];
  const extension = match[3];
  const isDocument = folder === "documents";
  if (isDocument !== (extension === "pdf")) return null;
  return { ownerUserId: match[1] ?? "", bucket: isDocument ? DOCUMENT_BUCKET : IMAGE_BUCKET, isDocument };
}

// --- API routes --------------------------------------------------------------------------

const UPLOAD_FIELDS = ["content_type", "file_name", "size"] as const;

/** POST /media/upload-url (and nested): `{ content_type, file_name, size }` → signed URL. */
export const createUploadUrl: Handler = (context) => {
  const account = accountOf(context);
  const body = context.body;
  rejectUnknownFields(body, UPLOAD_FIELDS, "the upload-URL body");
  for (const field of UPLOAD_FIELDS) {
    if (!Object.hasOwn(body, field)) throw badRequest(`'${field}' is required.`);
  }
  const contentType = body["content_type"];
  if (typeof contentType !== "string" || !(MEDIA_CONTENT_TYPES as readonly string[]).includes(contentType)) {
    throw badRequest(`'content_type' must be one of ${MEDIA_CONTENT_TYPES.join(", ")}.`);
  }
  const type = contentType as MediaContentType;
  const fileName = requireString(body["file_name"], "file_name", 1, 255);
  if (/[/\\\u0000-\u001f\u007f]/.test(fileName)) throw badRequest("'file_name' must be a plain file name without slashes or control characters.");
  const maxFileSize = mediaMaxBytes(type);
  const size = body["size"];
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > maxFileSize) {
    throw badRequest(`'size' must be an integer from 1 to ${maxFileSize} bytes for ${type}.`);
  }
  const isDocument = type === "application/pdf";
  const bucket = isDocument ? DOCUMENT_BUCKET : IMAGE_BUCKET;
  const path = `${account.profile.user_id}/${isDocument ? "documents" : "images"}/api-v1/${randomUUID()}.${EXTENSION[type]}`;
  const token = randomBytes(24).toString("base64url");
  context.state.media.issue(token, {
    bucket,
    path,
    accountUserId: account.profile.user_id,
    contentType: type,
    declaredSize: size,
    maxFileSize,
    expiresAtMs: context.now.getTime() + context.state.signedUrlTtlMs,
    expired: false,
    used: false,
    inProgress: false,
  });
  const uploadUrl = `${context.state.origin()}${STORAGE_UPLOAD_PREFIX}${bucket}/${path}?token=${token}`;
  context.state.media.recordIssued(uploadUrl, token);
  return {
    data: {
      upload_url: uploadUrl,
      token,
      path,
      bucket,
      max_file_size: maxFileSize,
    },
  };
};

/** DELETE /media?path=… (and nested): deletes an uploaded object of this account. */
export const deleteMedia: Handler = (context) => {
  const account = accountOf(context);
  const path = context.query.get("path");
  if (path === null || path === "") throw badRequest("Query parameter 'path' is required: the media path returned by the upload-URL route.");
  const parsed = parseMediaPath(path);
  if (parsed === null) throw badRequest("'path' is not a media path returned by the upload-URL route.");
  // Another account's path reads as not found, like any resource outside the account (§8).
  if (parsed.ownerUserId !== account.profile.user_id || !context.state.media.delete(parsed.bucket, path)) {
    throw notFound("No uploaded media at this path in this account.");
  }
  return { data: { path, deleted: true } };
};

// --- the signed-URL storage endpoint -------------------------------------------------------

function storageWire(status: number, error: string, message: string, requestId: string, closeConnection = false): WireResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId },
    body: Buffer.from(JSON.stringify({ statusCode: String(status), error, message }), "utf8"),
    closeConnection,
  };
}

/**
 * A request to `/storage/v1/object/upload/sign/<bucket>/<path>?token=…`. Checks, in order:
 * method PUT (405) → token valid for this object (403) → not expired (403) → not already
 * used (409) → Content-Type equals the declared type (400) → size ≤ max_file_size (413, as
 * soon as the limit is passed) → size equals the declared size (400). A refused upload does
 * not use up the URL; a successful one does.
 */
export async function handleStorageRequest(
  request: IncomingMessage,
  objectKey: string,
  token: string | null,
  media: MediaState,
  nowMs: number,
  requestId: string,
): Promise<WireResponse> {
  if (request.method !== "PUT") {
    const response = storageWire(405, "Method Not Allowed", "Signed upload URLs accept PUT only.", requestId);
    response.headers["allow"] = "PUT";
    return response;
  }
  const ticket = token === null ? undefined : media.ticket(token);
  if (ticket === undefined || `${ticket.bucket}/${ticket.path}` !== objectKey) {
    return storageWire(403, "Unauthorized", "Invalid signature: the upload token is not valid for this object.", requestId);
  }
  if (ticket.expired || nowMs >= ticket.expiresAtMs) {
    return storageWire(403, "Unauthorized", "The signed upload URL has expired; request a new one.", requestId);
  }
  if (ticket.used || ticket.inProgress) {
    return storageWire(409, "Duplicate", "The resource already exists: this signed upload URL was already used.", requestId);
  }
  const sentType = mediaType(request.headers["content-type"]);
  if (sentType !== ticket.contentType) {
    return storageWire(400, "Invalid Content-Type", `Content-Type '${sentType ?? "(none)"}' does not match the declared content type '${ticket.contentType}'.`, requestId);
  }
  const tooLarge = (): WireResponse =>
    storageWire(413, "Payload too large", `The object exceeded the maximum allowed size of ${ticket.maxFileSize} bytes.`, requestId, true);
  const length = declaredLength(request);
  if (length !== null && length > ticket.maxFileSize) return tooLarge();
  ticket.inProgress = true;
  try {
    const result = await readBodyLimited(request, ticket.maxFileSize);
    if (result.kind === "too-large") return tooLarge();
    if (result.kind === "aborted") return storageWire(400, "Incomplete upload", "The upload was interrupted before the body was complete.", requestId, true);
    if (result.bytes.length !== ticket.declaredSize) {
      return storageWire(400, "Size mismatch", `Uploaded ${result.bytes.length} bytes but the upload URL was requested for ${ticket.declaredSize} bytes.`, requestId);
    }
    media.store(ticket, result.bytes);
    ticket.used = true;
    return {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId },
      body: Buffer.from(JSON.stringify({ Key: objectKey }), "utf8"),
    };
  } finally {
    ticket.inProgress = false;
  }
}
