/**
 * Constants of the LeadPanther API v1 contract (../shared/leadpanther-api-v1.md).
 *
 * This is the only module the sandbox and the server both import: the sandbox is the other
 * side of the wire and shares nothing with the server but these facts. Values marked
 * [inferred] in the contract are marked here too, so a correction is one edit.
 */

/** The methods of the catalog's operations (§10). */
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** §1 [stated] */
export const OFFICIAL_BASE_URL = "https://app.leadpanther.ai/api/v1";
/** §1 [stated]: this host is not the API; a base URL on it is refused at start-up. */
export const WRONG_API_HOST = "api.leadpanther.ai";

/** §2 [stated] */
export const KEY_PREFIXES = ["lp_live_", "lp_test_"] as const;

/** §3 [stated] */
export const SCOPES = [
  "clients:read",
  "posts:read",
  "posts:write",
  "lead_magnets:read",
  "lead_magnets:write",
  "media:write",
  "analytics:read",
  "leads:read",
  "activity:read",
  "webhooks:write",
] as const;
export type Scope = (typeof SCOPES)[number];
export const WILDCARD_SCOPE = "*";

/** §4 [stated] */
export const ACTOR_TYPES = ["direct_user", "agency"] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** §8: codes [stated]; HTTP statuses other than 403 [inferred]. */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  internal_error: 500,
  not_implemented: 501,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** §7 [stated] */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_HEADER = "x-request-id";

/** §9: default and cap [stated]; the answer to bad values [inferred]. */
/** Lists come newest first (posts' list says so; the others are read the same way) [inferred]: settling a lost create stops at the first older record. */
export const LISTS_NEWEST_FIRST = true;

export const PAGINATION = { defaultLimit: 50, maxLimit: 100 } as const;

/** §11: draft/scheduled/publishing/published [stated by the rules]; failed [inferred]. */
export const POST_STATUSES = ["draft", "scheduled", "publishing", "published", "failed"] as const;
export type PostStatus = (typeof POST_STATUSES)[number];
/** §11 rule 2 [stated] */
export const POST_TEXT_MAX = 3000;
/** §11 [inferred]: LinkedIn allows up to 20 images in one post. */
export const POST_IMAGES_MAX = 20;
/** §11 rule 5 [stated]: the only fields a published post still accepts. */
export const PUBLISHED_POST_MUTABLE_FIELDS = ["theme_id", "template_id", "notes"] as const;
/** §11 [names stated, types inferred] */
export const POST_WRITE_FIELDS = [
  "text",
  "scheduled_at",
  "images",
  "document_url",
  "theme_id",
  "template_id",
  "notes",
] as const;

/**
 * §11 [inferred]: on update_post, null clears a field (null scheduled_at unschedules the post
 * back to a draft; images: null plus a document_url turns an image post into a document post).
 * The contract gives no meaning to null; set this to false and the update schema stops
 * offering it.
 */
export const POST_UPDATE_NULL_CLEARS = true;

/** §12 rule 1 [stated] */
export const DELIVERY_MODES = ["hosted_content", "gated_external", "external_link"] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];
/**
 * §12 [inferred]: a lead magnet is created with a delivery_mode. Rule 1 names the three modes
 * every lead magnet has one of; only title is stated as required. Set this to false and
 * create_lead_magnet stops requiring it.
 */
export const LEAD_MAGNET_CREATE_REQUIRES_DELIVERY_MODE = true;
/** §12 [inferred] */
export const LEAD_MAGNET_STATUSES = ["draft", "published"] as const;
export const LEAD_MAGNET_TITLE_MAX = 200;
/** §12 [inferred] */
export const LEAD_MAGNET_WRITE_FIELDS = [
  "title",
  "keyword",
  "status",
  "delivery_mode",
  "hosted_page",
  "resource_link",
  "cta_label",
  "cta_url",
] as const;

/** §13 [stated] */
export const MEDIA_IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;
export const MEDIA_DOCUMENT_TYPES = ["application/pdf"] as const;
export const MEDIA_CONTENT_TYPES = [...MEDIA_IMAGE_TYPES, ...MEDIA_DOCUMENT_TYPES] as const;
export type MediaContentType = (typeof MEDIA_CONTENT_TYPES)[number];
export const MEDIA_IMAGE_MAX_BYTES = 5_242_880;
export const MEDIA_PDF_MAX_BYTES = 15_728_640;
export function mediaMaxBytes(contentType: MediaContentType): number {
  return contentType === "application/pdf" ? MEDIA_PDF_MAX_BYTES : MEDIA_IMAGE_MAX_BYTES;
}

/** §17 [inferred] */
export const MAX_JSON_BODY_BYTES = 1_048_576;

/** §10 [stated]: guessed routes that are not part of v1. */
export const GUESSED_ROUTES = [
  "/accounts",
  "/users",
  "/lists",
  "/campaigns",
  "/organizations",
  "/team",
  "/workspaces",
] as const;
/** §10 [stated] */
export const NOT_IMPLEMENTED_ROUTES = ["/lead-magnet-posts"] as const;

/**
 * §11/§13 [inferred]: a media path as the upload-URL route returns it — the guide's example
 * and the sandbox use `<account user_id>/<folder>/…/<file>`, but only "a path" is relied on:
 * no scheme and no `//` host (so not a URL), no `..` segment, no control characters. A leading
 * slash is allowed: whatever path upload_media reports must be accepted by create_post.
 */
export const MEDIA_PATH_PATTERN = /^(?![A-Za-z][A-Za-z0-9+.-]*:)(?!\/\/)(?!(?:.*\/)?\.\.(?:\/|$))[^\u0000-\u001f\u007f\\]{1,1024}$/;
