import { z } from "zod";
import { DELIVERY_MODES, LEAD_MAGNET_CREATE_REQUIRES_DELIVERY_MODE, LEAD_MAGNET_STATUSES, LEAD_MAGNET_TITLE_MAX } from "../contract.js";
import { sanitizeText } from "../safety/sanitize.js";
import { CONFIRM_NOTE, confirmShape, httpsUrl, isHttpsUrl, uuidField } from "./fields.js";
import { FILTER_COST, pagedList } from "./list.js";
import { defineTool, type ToolHints } from "./types.js";

/**
 * Lead magnets (contract §12). Every rule that can be judged from the request alone is checked
 * here; rules that need the stored lead magnet (a PATCH that relies on fields set earlier) are
 * left to LeadPanther.
 */

const hostedPage = z
  .strictObject(
    {
      headline: z.string({ error: "must be a string" }).optional(),
      content: z.string({ error: "must be a string" }).optional().describe("Needed to publish hosted_content."),
      external_resource_url: httpsUrl("the gated resource")
        .optional()
        .describe("https URL; needed to publish gated_external."),
    },
    { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}; hosted_page accepts headline, content, external_resource_url` : "must be an object: { headline?, content?, external_resource_url? }") },
  );

/** The cross-field rules of a lead magnet, stated once per tool (the fields stay short). */
const DELIVERY_RULES = "delivery_mode hosted_content and gated_external need hosted_page; external_link needs resource_link; cta_label and cta_url go together";

const fields = {
  title: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .refine((value) => value.trim() !== "", { error: "must not be only spaces" })
    .max(LEAD_MAGNET_TITLE_MAX, { error: `must be at most ${LEAD_MAGNET_TITLE_MAX} characters` }),
  keyword: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .describe("Comment keyword that triggers delivery, e.g. GUIDE."),
  status: z.enum(LEAD_MAGNET_STATUSES, { error: `must be one of: ${LEAD_MAGNET_STATUSES.join(", ")}` }),
  delivery_mode: z
    .enum(DELIVERY_MODES, { error: `must be one of: ${DELIVERY_MODES.join(", ")}` }),
  hosted_page: hostedPage,
  resource_link: httpsUrl("where external_link sends people").describe("https URL."),
  cta_label: z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .describe("Button label."),
  cta_url: httpsUrl("the button's target").describe("Button https URL."),
};

/** Every field optional: what an update takes, and (with title required) what a create takes. */
const optionalFields = {
  title: fields.title.optional(),
  delivery_mode: fields.delivery_mode.optional(),
  keyword: fields.keyword.optional(),
  status: fields.status.optional(),
  hosted_page: fields.hosted_page.optional(),
  resource_link: fields.resource_link.optional(),
  cta_label: fields.cta_label.optional(),
  cta_url: fields.cta_url.optional(),
};

const createLeadMagnetShape = {
  ...optionalFields,
  title: fields.title,
  ...(LEAD_MAGNET_CREATE_REQUIRES_DELIVERY_MODE ? { delivery_mode: fields.delivery_mode } : {}),
};

const updateLeadMagnetShape = {
  lead_magnet_id: uuidField("the lead magnet's id"),
  ...optionalFields,
};

const LEAD_MAGNET_UPDATE_FIELDS = Object.keys(updateLeadMagnetShape).filter((key) => key !== "lead_magnet_id");

interface LeadMagnetInput {
  delivery_mode?: unknown;
  status?: unknown;
  hosted_page?: unknown;
  resource_link?: unknown;
  cta_label?: unknown;
  cta_url?: unknown;
}

function hostedPageOf(value: LeadMagnetInput): { content?: unknown; external_resource_url?: unknown } | undefined {
  return typeof value.hosted_page === "object" && value.hosted_page !== null
    ? (value.hosted_page as { content?: unknown; external_resource_url?: unknown })
    : undefined;
}

/** Rules 2–6 as far as the request shows them; `complete` is true on create, where nothing is stored yet. */
function checkRules(value: LeadMagnetInput, context: z.RefinementCtx, complete: boolean): void {
  const page = hostedPageOf(value);
  const mode = value.delivery_mode;
  const publishing = value.status === "published";
  if (complete && (mode === "hosted_content" || mode === "gated_external") && value.hosted_page === undefined) {
    context.addIssue({ code: "custom", path: ["hosted_page"], message: `is required when delivery_mode is ${mode}` });
  }
  if (mode === "hosted_content" && publishing && page && (typeof page.content !== "string" || page.content.trim() === "")) {
    if (complete || page.content !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["hosted_page", "content"],
        message: "must be non-empty to publish a hosted_content lead magnet (or keep status draft)",
      });
    }
  }
  if (mode === "gated_external" && publishing && (complete || page?.external_resource_url !== undefined)) {
    const url = page?.external_resource_url;
    if (typeof url !== "string" || !isHttpsUrl(url)) {
      context.addIssue({
        code: "custom",
        path: ["hosted_page", "external_resource_url"],
        message: "must be a valid https URL to publish a gated_external lead magnet (or keep status draft)",
      });
    }
  }
  if (complete && mode === "external_link" && value.resource_link === undefined) {
    context.addIssue({ code: "custom", path: ["resource_link"], message: "is required when delivery_mode is external_link" });
  }
  // On an update the other half may already be stored: only a create must carry both.
  if (complete && (value.cta_label === undefined) !== (value.cta_url === undefined)) {
    context.addIssue({
      code: "custom",
      path: [value.cta_label === undefined ? "cta_label" : "cta_url"],
      message: "cta_label and cta_url go together: give both or neither",
    });
  }
}

function refineCreateLeadMagnet(value: Record<string, unknown>, context: z.RefinementCtx): void {
  checkRules(value, context, true);
}

function refineUpdateLeadMagnet(value: Record<string, unknown>, context: z.RefinementCtx): void {
  checkRules(value, context, false);
  if (!LEAD_MAGNET_UPDATE_FIELDS.some((field) => value[field] !== undefined)) {
    context.addIssue({
      code: "custom",
      path: [],
      message: `give at least one field to change: ${LEAD_MAGNET_UPDATE_FIELDS.join(", ")}`,
    });
  }
}

export const leadMagnetIdShape = {
  lead_magnet_id: uuidField("the lead magnet's id"),
};

/** A lead magnet (or its analytics) that is not found. */
export function leadMagnetNotFound(): string {
  return "The lead magnet may be archived (archived ones read as not found) or the id is wrong: list_lead_magnets shows the current ones.";
}

const leadMagnetHints: ToolHints = {
  badRequest: () =>
    "Lead magnet rules: delivery_mode hosted_content or gated_external needs hosted_page; publishing hosted_content needs non-empty page content, gated_external a valid external_resource_url; external_link needs resource_link; cta_label and cta_url together. On an update these apply to the lead magnet as it will be after the change: get_lead_magnet shows the current fields.",
  notFound: leadMagnetNotFound,
};

export const LEAD_MAGNET_TOOLS = [
  defineTool({
    name: "list_lead_magnets",
    title: "List lead magnets",
    description: `Lead magnets of the account (archived ones are not listed). ${FILTER_COST}`,
    method: "GET",
    directPath: "/lead-magnets",
    agencyPath: "/clients/{clientId}/lead-magnets",
    requires: { kind: "scope", scope: "lead_magnets:read" },
    toolset: "lead_magnets",
    provenance: "stated",
    ...pagedList("lead_magnets"),
    noun: "lead magnet",
    hints: leadMagnetHints,
  }),
  defineTool({
    name: "get_lead_magnet",
    title: "Get a lead magnet",
    description: "One lead magnet with its hosted page, links and call to action.",
    method: "GET",
    directPath: "/lead-magnets/{leadMagnetId}",
    agencyPath: "/clients/{clientId}/lead-magnets/{leadMagnetId}",
    requires: { kind: "scope", scope: "lead_magnets:read" },
    toolset: "lead_magnets",
    provenance: "inferred",
    provenanceNote: "path inferred from the collection route",
    inputShape: leadMagnetIdShape,
    request: { pathParams: { lead_magnet_id: "leadMagnetId" } },
    effect: "read",
    idempotent: true,
    list: false,
    noun: "lead magnet",
    probeFrom: "list_lead_magnets",
    hints: leadMagnetHints,
  }),
  defineTool({
    name: "create_lead_magnet",
    title: "Create a lead magnet",
    description:
      `Create a lead magnet. ${DELIVERY_RULES}. Never retried: a lost answer is settled by reading.`,
    method: "POST",
    directPath: "/lead-magnets",
    agencyPath: "/clients/{clientId}/lead-magnets",
    requires: { kind: "scope", scope: "lead_magnets:write" },
    toolset: "lead_magnets",
    provenance: "stated",
    inputShape: createLeadMagnetShape,
    refine: refineCreateLeadMagnet,
    request: { body: Object.keys(createLeadMagnetShape) },
    effect: "write",
    idempotent: false,
    list: false,
    noun: "lead magnet",
    verify: {
      tool: "list_lead_magnets",
      instruction: "first call list_lead_magnets and look for the lead magnet (same title) before creating it again.",
    },
    record: { kind: "create", readWith: "list_lead_magnets", matchField: "title" },
    hints: leadMagnetHints,
  }),
  defineTool({
    name: "update_lead_magnet",
    title: "Update a lead magnet",
    description: `Change a lead magnet's fields; the result must hold: ${DELIVERY_RULES}.`,
    method: "PATCH",
    directPath: "/lead-magnets/{leadMagnetId}",
    agencyPath: "/clients/{clientId}/lead-magnets/{leadMagnetId}",
    requires: { kind: "scope", scope: "lead_magnets:write" },
    toolset: "lead_magnets",
    provenance: "inferred",
    provenanceNote: "path and PATCH inferred; field rules stated",
    inputShape: updateLeadMagnetShape,
    refine: refineUpdateLeadMagnet,
    request: { pathParams: { lead_magnet_id: "leadMagnetId" }, body: LEAD_MAGNET_UPDATE_FIELDS },
    effect: "write",
    idempotent: true,
    list: false,
    noun: "lead magnet",
    probeFrom: "list_lead_magnets",
    verify: {
      tool: "get_lead_magnet",
      instruction: "call get_lead_magnet with the same lead_magnet_id and compare the fields before changing it again.",
    },
    record: { kind: "update", readWith: "get_lead_magnet", idField: "lead_magnet_id" },
    hints: leadMagnetHints,
  }),
  defineTool({
    name: "archive_lead_magnet",
    title: "Archive a lead magnet",
    description: `Archive a lead magnet: it leaves the lists and reads as not found afterwards.${CONFIRM_NOTE}`,
    method: "DELETE",
    directPath: "/lead-magnets/{leadMagnetId}",
    agencyPath: "/clients/{clientId}/lead-magnets/{leadMagnetId}",
    requires: { kind: "scope", scope: "lead_magnets:write" },
    toolset: "lead_magnets",
    provenance: "stated",
    provenanceNote: "DELETE archives",
    inputShape: { ...leadMagnetIdShape, ...confirmShape },
    request: { pathParams: { lead_magnet_id: "leadMagnetId" } },
    effect: "destructive",
    idempotent: true,
    list: false,
    noun: "lead magnet",
    probeFrom: "list_lead_magnets",
    verify: { tool: "get_lead_magnet", instruction: "call get_lead_magnet with the same lead_magnet_id: not_found means it was archived." },
    record: { kind: "remove", readWith: "get_lead_magnet", idField: "lead_magnet_id" },
    hints: leadMagnetHints,
    confirm: {
      kind: "record",
      readWith: "get_lead_magnet",
      idField: "lead_magnet_id",
      findWith: "list_lead_magnets",
      describe: (id, leadMagnet) => {
        const title = typeof leadMagnet.title === "string" ? sanitizeText(leadMagnet.title, { maxLength: 120 }) : "(untitled)";
        return `Lead magnet ${id}: "${title}".`;
      },
    },
  }),
];
