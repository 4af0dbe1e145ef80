/**
 * Posts (§11), with the six stated rules:
 *  1. scheduled_at must be in the future; with it a new post is `scheduled`, else `draft`;
 *  2. text 1..3000 characters (Unicode code points);
 *  3. a document post (document_url) cannot include images — checked on create and on the
 *     merged state after a PATCH;
 *  4. a `publishing` post cannot be edited (409);
 *  5. a `published` post only accepts theme_id, template_id, notes (409 if any other field
 *     is present in the PATCH, even with an unchanged value);
 *  6. `published` and `publishing` posts cannot be deleted (409).
 *
 * Decisions where the contract is silent: `null` clears an optional field (images,
 * document_url, theme_id, template_id, notes) and `scheduled_at: null` unschedules a
 * scheduled or failed post back to draft; a future scheduled_at on a draft, scheduled or
 * failed post makes it scheduled. theme_id/template_id may be any UUID (not checked against
 * a catalogue). Media paths must be well-formed and belong to the account (not checked for
 * existence). Create answers 201; DELETE answers `{ id, deleted: true }`.
 */
import { randomUUID } from "node:crypto";
import {
  POST_IMAGES_MAX,
  POST_TEXT_MAX,
  POST_WRITE_FIELDS,
  PUBLISHED_POST_MUTABLE_FIELDS,
} from "../contract.js";
import { accountOf, routeParam, type Handler, type RequestContext } from "./context.js";
import { parseMediaPath } from "./media.js";
import { paginate } from "./query.js";
import type { Post } from "./records.js";
import type { AccountState } from "./store.js";
import { badRequest, conflict, notFound } from "./wire.js";
import {
  has,
  isHttpsUrl,
  nullableUuid,
  rejectUnknownFields,
  requireIsoUtc,
  requireString,
  type JsonObject,
} from "./validate.js";

interface PostFields {
  text?: string;
  scheduled_at?: string | null;
  images?: string[] | null;
  document_url?: string | null;
  theme_id?: string | null;
  template_id?: string | null;
  notes?: string | null;
}

export function findPost(context: RequestContext): Post {
  const post = accountOf(context).postById.get(routeParam(context, "postId"));
  if (post === undefined) throw notFound("Post not found in this account.");
  return post;
}

function checkMediaPath(value: string, account: AccountState, wantDocument: boolean, field: string): void {
  const parsed = parseMediaPath(value);
  const kind = wantDocument ? "a PDF" : "an image";
  if (parsed === null || parsed.isDocument !== wantDocument) {
    throw badRequest(`'${field}' must be an https URL or the media path of ${kind} returned by the upload-URL route.`);
  }
  if (parsed.ownerUserId !== account.profile.user_id) throw badRequest(`'${field}' is a media path of another account.`);
}

/** Validates the types and values of the given fields (not the rules that need the post). */
function parsePostFields(body: JsonObject, context: RequestContext): PostFields {
  const account = accountOf(context);
  const fields: PostFields = {};
  if (has(body, "text")) fields.text = requireString(body["text"], "text", 1, POST_TEXT_MAX);
  if (has(body, "scheduled_at")) {
    const value = body["scheduled_at"];
    if (value === null) fields.scheduled_at = null;
    else {
      const date = requireIsoUtc(value, "scheduled_at");
      if (date.getTime() <= context.now.getTime()) throw badRequest("'scheduled_at' must be in the future.");
      fields.scheduled_at = date.toISOString();
    }
  }
  if (has(body, "images")) {
    const value = body["images"];
    if (value === null) fields.images = null;
    else {
      if (!Array.isArray(value)) throw badRequest("'images' must be a list of image URLs or media paths.");
      if (value.length < 1 || value.length > POST_IMAGES_MAX) throw badRequest(`'images' must hold 1 to ${POST_IMAGES_MAX} items (got ${value.length}); use null to remove images.`);
      const images: string[] = [];
      for (const [index, item] of value.entries()) {
        if (typeof item !== "string") throw badRequest(`'images[${index}]' must be a string.`);
        if (!isHttpsUrl(item)) checkMediaPath(item, account, false, `images[${index}]`);
        images.push(item);
      }
      fields.images = images;
    }
  }
  if (has(body, "document_url")) {
    const value = body["document_url"];
    if (value === null) fields.document_url = null;
    else {
      if (typeof value !== "string") throw badRequest("'document_url' must be a string.");
      if (!isHttpsUrl(value)) checkMediaPath(value, account, true, "document_url");
      fields.document_url = value;
    }
  }
  if (has(body, "theme_id")) fields.theme_id = nullableUuid(body["theme_id"], "theme_id");
  if (has(body, "template_id")) fields.template_id = nullableUuid(body["template_id"], "template_id");
  if (has(body, "notes")) {
    const value = body["notes"];
    if (value !== null && typeof value !== "string") throw badRequest("'notes' must be a string or null.");
    fields.notes = value;
  }
  return fields;
}

function checkDocumentRule(images: readonly string[], documentUrl: string | null): void {
  if (documentUrl !== null && images.length > 0) {
    throw badRequest("A document post (document_url) cannot include images: remove one of them.");
  }
}

function themeOf(context: RequestContext, themeId: string | null): Post["theme"] {
  return themeId === null ? null : { id: themeId, name: context.state.store.themeName(themeId) };
}

export const listPosts: Handler = (context) => paginate(accountOf(context).posts, context.page);

export const getPost: Handler = (context) => ({ data: findPost(context) });

export const createPost: Handler = (context) => {
  const body = context.body;
  rejectUnknownFields(body, POST_WRITE_FIELDS, "the post body");
  if (!has(body, "text")) throw badRequest("'text' is required.");
  const fields = parsePostFields(body, context);
  const images = fields.images ?? [];
  const documentUrl = fields.document_url ?? null;
  checkDocumentRule(images, documentUrl);
  const account = accountOf(context);
  const now = context.now.toISOString();
  const scheduledAt = fields.scheduled_at ?? null;
  const themeId = fields.theme_id ?? null;
  const post: Post = {
    id: randomUUID(),
    text: fields.text ?? "",
    status: scheduledAt === null ? "draft" : "scheduled",
    scheduled_at: scheduledAt,
    published_at: null,
    images,
    document_url: documentUrl,
    theme_id: themeId,
    template_id: fields.template_id ?? null,
    notes: fields.notes ?? null,
    metrics: null,
    theme: themeOf(context, themeId),
    followups: [],
    created_at: now,
    updated_at: now,
  };
  account.posts.unshift(post);
  account.postById.set(post.id, post);
  return { status: 201, data: post };
};

export const updatePost: Handler = (context) => {
  const body = context.body;
  rejectUnknownFields(body, POST_WRITE_FIELDS, "the post update");
  if (Object.keys(body).length === 0) throw badRequest(`Nothing to update: give at least one of ${POST_WRITE_FIELDS.join(", ")}.`);
  const fields = parsePostFields(body, context);
  const post = findPost(context);
  if (post.status === "publishing") throw conflict("This post is publishing right now and cannot be edited.");
  if (post.status === "published") {
    const locked = Object.keys(body).filter((field) => !(PUBLISHED_POST_MUTABLE_FIELDS as readonly string[]).includes(field));
    if (locked.length > 0) {
      throw conflict(`A published post can only change ${PUBLISHED_POST_MUTABLE_FIELDS.join(", ")}; not ${locked.join(", ")}.`);
    }
  }
  const images = fields.images === undefined ? post.images : (fields.images ?? []);
  const documentUrl = fields.document_url === undefined ? post.document_url : fields.document_url;
  checkDocumentRule(images, documentUrl);

  if (fields.text !== undefined) post.text = fields.text;
  post.images = images;
  post.document_url = documentUrl;
  if (fields.theme_id !== undefined) {
    post.theme_id = fields.theme_id;
    post.theme = themeOf(context, fields.theme_id);
  }
  if (fields.template_id !== undefined) post.template_id = fields.template_id;
  if (fields.notes !== undefined) post.notes = fields.notes;
  if (fields.scheduled_at !== undefined) {
    post.scheduled_at = fields.scheduled_at;
    post.status = fields.scheduled_at === null ? "draft" : "scheduled";
  }
  post.updated_at = context.now.toISOString();
  return { data: post };
};

export const deletePost: Handler = (context) => {
  const post = findPost(context);
  if (post.status === "published" || post.status === "publishing") {
    throw conflict(`A ${post.status} post cannot be deleted through the API.`);
  }
  const account = accountOf(context);
  const index = account.posts.indexOf(post);
  if (index >= 0) account.posts.splice(index, 1);
  account.postById.delete(post.id);
  return { data: { id: post.id, deleted: true } };
};
