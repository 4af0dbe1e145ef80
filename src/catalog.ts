import { z } from "zod";
import type { AccessState } from "./access.js";
import { hasScope } from "./access.js";
import { ACTIVITY_TOOLS } from "./tools/activity.js";
import { LEAD_MAGNET_ANALYTICS_TOOL, POST_ENGAGEMENT_TOOL } from "./tools/analytics.js";
import { CLIENT_TOOLS } from "./tools/clients.js";
import { CORE_TOOLS } from "./tools/core.js";
import { LEAD_MAGNET_TOOLS } from "./tools/lead-magnets.js";
import { LEAD_TOOLS } from "./tools/leads.js";
import { MEDIA_TOOLS } from "./tools/media.js";
import { POST_TOOLS } from "./tools/posts.js";
import type { ToolDefinition, RouteVariant } from "./tools/types.js";
import { isAccountScoped } from "./tools/routes.js";
export { fillPath, pathTemplateFor } from "./tools/routes.js";
import type { Toolset } from "./tools/toolsets.js";

export type { HttpMethod } from "./contract.js";
export type { Provenance, Requirement, RequestMapping, RouteVariant } from "./tools/types.js";

/**
 * The endpoint catalog: the index of the tools, one per documented LeadPanther API v1
 * operation (contract §10). Each tool is defined, whole, in its domain module under src/tools/.
 *
 * The tool list, the scope filter, the README's tool table, the `doctor` probe and the tests are
 * all derived from this index. Every fact the public documentation does not state is marked
 * `inferred` in the tool's definition, so correcting it against the live API is a one-field edit.
 */

/** A tool as the catalog lists it. */
export type Operation = ToolDefinition;

/** In the order tools/list and the README show them: analytics beside the records they measure. */
export const CATALOG: readonly Operation[] = [
  ...CORE_TOOLS,
  ...CLIENT_TOOLS,
  ...POST_TOOLS,
  POST_ENGAGEMENT_TOOL,
  ...LEAD_MAGNET_TOOLS,
  LEAD_MAGNET_ANALYTICS_TOOL,
  ...MEDIA_TOOLS,
  ...LEAD_TOOLS,
  ...ACTIVITY_TOOLS,
];

const clientIdField = {
  client_id: z
    .guid({
      error: (issue) =>
        issue.input === undefined
          ? "is required with an agency key: which client account to work on, a user_id from list_clients"
          : "must be a UUID: a client's user_id from list_clients, e.g. 00000000-0000-4000-8000-000000000000",
    })
    .describe("user_id from list_clients."),
};

export const OPERATIONS_BY_NAME: ReadonlyMap<string, Operation> = new Map(CATALOG.map((op) => [op.name, op]));

export function operation(name: string): Operation {
  const found = OPERATIONS_BY_NAME.get(name);
  if (!found) throw new Error(`no operation named ${name} in the catalog`);
  return found;
}

/** Whether `client_id` is an input of the tool: its own path needs it, or agency work does. */
export function takesClientId(op: Operation, variant: RouteVariant): boolean {
  if (variant === "pinned") return false;
  if (op.directPath.includes("{clientId}")) return true;
  return variant === "agency" && isAccountScoped(op);
}

const schemaCache = new Map<string, z.ZodType<Record<string, unknown>>>();

/** The zod input schema of the tool for a variant: strict, with cross-field rules. Built once per pair. */
export function inputSchemaFor(op: Operation, variant: RouteVariant): z.ZodType<Record<string, unknown>> {
  const key = `${op.name}:${variant}`;
  let schema = schemaCache.get(key);
  if (!schema) {
    schema = buildInputSchema(op, variant);
    schemaCache.set(key, schema);
  }
  return schema;
}

function buildInputSchema(op: Operation, variant: RouteVariant): z.ZodType<Record<string, unknown>> {
  const shape: z.ZodRawShape = takesClientId(op, variant) ? { ...clientIdField, ...op.inputShape } : { ...op.inputShape };
  const allowed = Object.keys(shape);
  const object = z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field ${issue.keys.map((key) => `"${key}"`).join(", ")}: ${op.name} accepts ${allowed.length > 0 ? allowed.join(", ") : "no arguments"}`
        : issue.code === "invalid_type"
          ? "arguments must be an object"
          : undefined,
  });
  const refine = op.refine;
  if (!refine) return object as unknown as z.ZodType<Record<string, unknown>>;
  // Cross-field rules run even when a field failed, so one answer lists every problem.
  return object.check(
    z.superRefine((value, context) => {
      if (typeof value === "object" && value !== null) refine(value as Record<string, unknown>, context);
    }),
  ) as unknown as z.ZodType<Record<string, unknown>>;
}

/** A tool exposed to a session, and how it looks for this key. */
export interface ExposedTool {
  op: Operation;
  variant: RouteVariant;
}

/** The settings that decide which tools are exposed. */
export interface ExposureSettings {
  readOnly: boolean;
  toolsets: ReadonlySet<Toolset>;
  clientId: string | undefined;
}

/** The tools a state allows, in catalog order: scopes ∩ read-only ∩ toolsets (contract §3–§5). */
export function exposedTools(state: AccessState, settings: ExposureSettings): ExposedTool[] {
  if (state.status !== "ready") {
    return CATALOG.filter((op) => op.toolset === "core").map((op) => ({ op, variant: "direct" as const }));
  }
  const { identity } = state;
  const variant: RouteVariant =
    identity.actorType === "agency" ? (settings.clientId !== undefined ? "pinned" : "agency") : "direct";
  return CATALOG.filter((op) => {
    if (op.toolset !== "core" && !settings.toolsets.has(op.toolset)) return false;
    if (settings.readOnly && op.effect !== "read") return false;
    if (op.requires.kind === "scope" && !hasScope(identity.scopes, op.requires.scope)) return false;
    return true;
  }).map((op) => ({ op, variant }));
}
