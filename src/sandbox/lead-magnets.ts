/**
 * Lead magnets (§12), with the seven stated rules checked on create and on the merged state
 * after every PATCH:
 *  1. delivery_mode ∈ hosted_content | gated_external | external_link (required on create);
 *  2. hosted_content and gated_external need a hosted_page;
 *  3. a published hosted_content needs non-empty hosted_page.content;
 *  4. a published gated_external needs a valid hosted_page.external_resource_url;
 *  5. external_link needs a valid resource_link (on create, and kept by later PATCHes);
 *  6. cta_label and cta_url together or neither;
 *  7. DELETE archives: gone from lists, reads as not_found.
 *
 * Decisions where the contract is silent: a PATCH's `hosted_page` object is merged field by
 * field into the current page (a field set to null is cleared); `hosted_page: null` removes
 * the page. `status` accepts draft | published. `keyword` is 1..50 characters or null.
 * Create answers 201; DELETE answers `{ id, archived: true }`.
 */
import { randomUUID } from "node:crypto";
import {
  DELIVERY_MODES,
  LEAD_MAGNET_STATUSES,
  LEAD_MAGNET_TITLE_MAX,
  LEAD_MAGNET_WRITE_FIELDS,
  type DeliveryMode,
} from "../contract.js";
import { accountOf, routeParam, type Handler, type RequestContext } from "./context.js";
import { paginate } from "./query.js";
import type { HostedPage, LeadMagnet } from "./records.js";
import { badRequest, notFound } from "./wire.js";
import {
  has,
  isPlainObject,
  nullableHttpsUrl,
  optionalNullableString,
  rejectUnknownFields,
  requireString,
  type JsonObject,
} from "./validate.js";

const HOSTED_PAGE_FIELDS = ["headline", "content", "external_resource_url"] as const;
const HOSTED_CONTENT_MAX = 100_000;

interface LeadMagnetFields {
  title?: string;
  keyword?: string | null;
  status?: LeadMagnet["status"];
  delivery_mode?: DeliveryMode;
  hosted_page?: Partial<HostedPage> | null;
  resource_link?: string | null;
  cta_label?: string | null;
  cta_url?: string | null;
}

export function findLeadMagnet(context: RequestContext): LeadMagnet {
  const magnet = accountOf(context).leadMagnetById.get(routeParam(context, "leadMagnetId"));
  if (magnet === undefined) throw notFound("Lead magnet not found in this account (it may be archived).");
  return magnet;
}

function parseHostedPage(value: unknown): Partial<HostedPage> | null {
  if (value === null) return null;
  if (!isPlainObject(value)) throw badRequest("'hosted_page' must be an object or null.");
  rejectUnknownFields(value, HOSTED_PAGE_FIELDS, "hosted_page");
  const page: Partial<HostedPage> = {};
  if (has(value, "headline")) page.headline = optionalNullableString(value["headline"], "hosted_page.headline", 1, 200);
  if (has(value, "content")) page.content = optionalNullableString(value["content"], "hosted_page.content", 0, HOSTED_CONTENT_MAX);
  if (has(value, "external_resource_url")) {
    page.external_resource_url = nullableHttpsUrl(value["external_resource_url"], "hosted_page.external_resource_url");
  }
  return page;
}

function parseFields(body: JsonObject): LeadMagnetFields {
  const fields: LeadMagnetFields = {};
  if (has(body, "title")) fields.title = requireString(body["title"], "title", 1, LEAD_MAGNET_TITLE_MAX);
  if (has(body, "keyword")) fields.keyword = optionalNullableString(body["keyword"], "keyword", 1, 50);
  if (has(body, "status")) {
    const status = body["status"];
    if (typeof status !== "string" || !(LEAD_MAGNET_STATUSES as readonly string[]).includes(status)) {
      throw badRequest(`'status' must be one of ${LEAD_MAGNET_STATUSES.join(", ")}.`);
    }
    fields.status = status as LeadMagnet["status"];
  }
  if (has(body, "delivery_mode")) {
    const mode = body["delivery_mode"];
    if (typeof mode !== "string" || !(DELIVERY_MODES as readonly string[]).includes(mode)) {
      throw badRequest(`'delivery_mode' must be one of ${DELIVERY_MODES.join(", ")}.`);
    }
    fields.delivery_mode = mode as DeliveryMode;
  }
  if (has(body, "hosted_page")) fields.hosted_page = parseHostedPage(body["hosted_page"]);
  if (has(body, "resource_link")) fields.resource_link = nullableHttpsUrl(body["resource_link"], "resource_link");
  if (has(body, "cta_label")) fields.cta_label = optionalNullableString(body["cta_label"], "cta_label", 1, 80);
  if (has(body, "cta_url")) fields.cta_url = nullableHttpsUrl(body["cta_url"], "cta_url");
  return fields;
}

function mergePage(current: HostedPage | null, patch: Partial<HostedPage> | null | undefined): HostedPage | null {
  if (patch === undefined) return current;
  if (patch === null) return null;
  const base = current ?? { headline: null, content: null, external_resource_url: null };
  return {
    headline: patch.headline === undefined ? base.headline : patch.headline,
    content: patch.content === undefined ? base.content : patch.content,
    external_resource_url: patch.external_resource_url === undefined ? base.external_resource_url : patch.external_resource_url,
  };
}

/** Rules 2–6 on a complete (created or merged) lead magnet. */
function checkRules(magnet: LeadMagnet): void {
  const mode = magnet.delivery_mode;
  if ((mode === "hosted_content" || mode === "gated_external") && magnet.hosted_page === null) {
    throw badRequest(`delivery_mode ${mode} requires a hosted_page.`);
  }
  if (magnet.status === "published" && mode === "hosted_content" && (magnet.hosted_page?.content ?? "").trim() === "") {
    throw badRequest("A published hosted_content lead magnet requires non-empty hosted_page.content.");
  }
  if (magnet.status === "published" && mode === "gated_external" && (magnet.hosted_page?.external_resource_url ?? null) === null) {
    throw badRequest("A published gated_external lead magnet requires a valid hosted_page.external_resource_url (https).");
  }
  if (mode === "external_link" && magnet.resource_link === null) {
    throw badRequest("delivery_mode external_link requires a valid resource_link (https URL).");
  }
  if ((magnet.cta_label === null) !== (magnet.cta_url === null)) {
    throw badRequest("cta_label and cta_url must be given together or both omitted.");
  }
}

export const listLeadMagnets: Handler = (context) => paginate(accountOf(context).leadMagnets, context.page);

export const getLeadMagnet: Handler = (context) => ({ data: findLeadMagnet(context) });

export const createLeadMagnet: Handler = (context) => {
  const body = context.body;
  rejectUnknownFields(body, LEAD_MAGNET_WRITE_FIELDS, "the lead magnet body");
  if (!has(body, "title")) throw badRequest("'title' is required.");
  if (!has(body, "delivery_mode")) throw badRequest(`'delivery_mode' is required: one of ${DELIVERY_MODES.join(", ")}.`);
  const fields = parseFields(body);
  const now = context.now.toISOString();
  const magnet: LeadMagnet = {
    id: randomUUID(),
    title: fields.title ?? "",
    keyword: fields.keyword ?? null,
    status: fields.status ?? "draft",
    delivery_mode: fields.delivery_mode ?? "hosted_content",
    hosted_page: mergePage(null, fields.hosted_page ?? null),
    resource_link: fields.resource_link ?? null,
    cta_label: fields.cta_label ?? null,
    cta_url: fields.cta_url ?? null,
    created_at: now,
    updated_at: now,
  };
  checkRules(magnet);
  const account = accountOf(context);
  account.leadMagnets.unshift(magnet);
  account.leadMagnetById.set(magnet.id, magnet);
  account.leadMagnetStats.set(magnet.id, { views: 0, comments_matched: 0, leads_captured: 0, updated_at: now });
  return { status: 201, data: magnet };
};

export const updateLeadMagnet: Handler = (context) => {
  const body = context.body;
  rejectUnknownFields(body, LEAD_MAGNET_WRITE_FIELDS, "the lead magnet update");
  if (Object.keys(body).length === 0) throw badRequest(`Nothing to update: give at least one of ${LEAD_MAGNET_WRITE_FIELDS.join(", ")}.`);
  if (has(body, "title") && body["title"] === null) throw badRequest("'title' cannot be null.");
  const fields = parseFields(body);
  const current = findLeadMagnet(context);
  const merged: LeadMagnet = {
    ...current,
    title: fields.title ?? current.title,
    keyword: fields.keyword === undefined ? current.keyword : fields.keyword,
    status: fields.status ?? current.status,
    delivery_mode: fields.delivery_mode ?? current.delivery_mode,
    hosted_page: mergePage(current.hosted_page, fields.hosted_page),
    resource_link: fields.resource_link === undefined ? current.resource_link : fields.resource_link,
    cta_label: fields.cta_label === undefined ? current.cta_label : fields.cta_label,
    cta_url: fields.cta_url === undefined ? current.cta_url : fields.cta_url,
    updated_at: context.now.toISOString(),
  };
  checkRules(merged);
  Object.assign(current, merged);
  return { data: current };
};

export const archiveLeadMagnet: Handler = (context) => {
  const magnet = findLeadMagnet(context);
  const account = accountOf(context);
  const index = account.leadMagnets.indexOf(magnet);
  if (index >= 0) account.leadMagnets.splice(index, 1);
  account.leadMagnetById.delete(magnet.id);
  magnet.updated_at = context.now.toISOString();
  account.archivedLeadMagnets.set(magnet.id, magnet);
  return { data: { id: magnet.id, archived: true } };
};
