import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { AccessController, AccessState } from "../access.js";
import type { ApiClient } from "../api/client.js";
import type { HttpMethod, Scope } from "../contract.js";
import type { FindCollection } from "../find/filters.js";
import type { Logger } from "../log.js";
import type { ActivityContentMode } from "../safety/redact.js";
import type { Toolset } from "./toolsets.js";

/**
 * What a tool is, in one object: its catalog row (route, scope, provenance), its input, and
 * every behaviour that differs from one tool to the next (hints, confirmation, result shaping,
 * its own handler). The server, the hints, the confirmation and the result shaper read these
 * fields; none of them branches on a tool's name.
 */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  method: HttpMethod;
  /** Path on a direct account, relative to the base URL, with `{placeholders}`. */
  directPath: string;
  /** The nested route an agency uses for client work; absent for account-independent routes. */
  agencyPath?: string;
  requires: Requirement;
  /** Always exposed (get_api_info, get_me) or part of a toolset the operator can switch off. */
  toolset: Toolset | "core";
  /** Whether the route exists as documented (`stated`) or is this project's reading (`inferred`). */
  provenance: Provenance;
  provenanceNote?: string;
  /** Fields of the tool's own input, without `client_id` (added for agency keys). */
  inputShape: z.ZodRawShape;
  /** Cross-field rules, run after the field checks (and even when one failed). */
  refine?: (value: Record<string, unknown>, context: z.RefinementCtx) => void;
  request: RequestMapping;
  /** The checked input as it is sent (e.g. a local time made UTC); runs before the request is built. */
  normalize?: (args: Record<string, unknown>) => Record<string, unknown>;
  /** read: never changes anything; write: creates or changes; destructive: removes or archives. */
  effect: "read" | "write" | "destructive";
  idempotent: boolean;
  list: boolean;
  /** A list tool's collection: its find filters and concise projection (src/find/). */
  collection?: FindCollection;
  /** Singular noun for result summaries. */
  noun: string;
  /** For doctor: the list tool whose first item's id a probe of this route needs. */
  probeFrom?: string;
  /** For a write whose outcome is unknown: how to find out whether it took effect. */
  verify?: Verification;
  /** How a write reads its record: the "old" of an update, what a delete removes, and its outcome when the answer is lost. */
  record?: RecordAccess;
  /** A post write: warn (never refuse) about posts scheduled close by or with the same text, read with this list tool. */
  guardrails?: { listWith: string };
  /** What to do next after this tool's own failures; the generic hints cover the rest. */
  hints?: ToolHints;
  /** How a delete or archive describes its record to the person asked to confirm it. */
  confirm?: ConfirmPreview;
  /** Third-party text in the answer: how each record is made inert, and what the model is told. */
  shape?: ResultShaper;
  /** Runs while the key's access is not ready, instead of being refused (get_me explains what is wrong). */
  runsWithoutAccess?: boolean;
  /** `_meta` sent with the tool's definition: the MCP Apps view hosts show beside its results (src/app). */
  meta?: Readonly<Record<string, unknown>>;
  /** A tool that is not one request (get_me, upload_media) answers here instead. */
  handler?: (call: ToolCall, args: Record<string, unknown>) => Promise<CallToolResult>;
}

/** How a write's record is read, never written, to describe it and settle a lost answer. */
export interface RecordAccess {
  kind: "create" | "update" | "remove";
  /** The read tool whose scope the reads need: get_… for update/remove (same route as the write), list_… for create. */
  readWith: string;
  /** update/remove: the input field with the record's id. */
  idField?: string;
  /** create: the field a record made by this call is recognised by (same text, same title). */
  matchField?: string;
  /** Fields LeadPanther may store differently from how they were sent (an upload path that comes back as a URL): not compared. */
  rewritten?: readonly string[];
}

export type Provenance = "stated" | "inferred";

/** What a tool needs from the key: nothing, any valid key, or one scope. */
export type Requirement = { kind: "none" } | { kind: "key" } | { kind: "scope"; scope: Scope };

/** How a tool's input becomes a request. */
export interface RequestMapping {
  /** Input field → `{placeholder}` in the path. */
  pathParams?: Record<string, string>;
  /** Input fields sent as query parameters. */
  query?: readonly string[];
  /** Input fields sent as the JSON body (PATCH/POST). */
  body?: readonly string[];
}

export interface Verification {
  /** The tool that shows whether the write took effect. */
  tool: string;
  /** The instruction given after an unknown outcome, e.g. "call get_post with the same post_id …". */
  instruction: string;
}

/** How a tool varies from one caller to the next: direct account, agency with client_id, or a pinned client. */
export type RouteVariant = "direct" | "agency" | "pinned";

/** What a hint may take into account besides the error. */
export interface HintContext {
  op: ToolDefinition;
  variant: RouteVariant;
  clientId: string | undefined;
  access: AccessState;
  /** The request's body set a field to null (to clear it). */
  sentNull?: boolean;
}

export interface ToolHints {
  /** After `bad_request` on a write: the rules worth checking (LeadPanther does not name the field). */
  badRequest?: (context: HintContext) => string;
  /** After `not_found`: what may be missing and where to find the current ids. */
  notFound?: (context: HintContext) => string;
  /** After `conflict`: which state forbids the change. */
  conflict?: string;
}

export type ConfirmPreview =
  /** Described from the arguments alone. */
  | { kind: "arguments"; describe: (args: Record<string, unknown>) => string }
  /** Described from the record, read (GET on the tool's own path) with `readWith` before asking. */
  | {
      kind: "record";
      readWith: string;
      /** The input field holding the record's id. */
      idField: string;
      /** The list tool that shows the current ids, named when the record is not found. */
      findWith: string;
      /** The field whose value other records may share (a post's text), counted with findWith to tell them apart. */
      sharedField?: string;
      describe: (id: string, record: Record<string, unknown>) => string;
    };

/** The operator's settings a result shaper may follow. */
export interface ShapeSettings {
  activityContent: ActivityContentMode;
  /** Lead emails shown in full or masked (LEADPANTHER_LEAD_PII). */
  leadPii: "full" | "masked";
}

export interface ResultShaper {
  /** One record (or each record of a list) as the model may see it. */
  record: (record: unknown, settings: ShapeSettings) => unknown;
  /** Said beside the data, e.g. that its strings are third-party text. */
  notice?: (settings: ShapeSettings) => string;
  /**
   * What the find filters compare, when the model may not see all of a record: the record
   * with those values withheld (not yet wrapped as untrusted text), so that a filter cannot
   * tell the model what the result would hide. Without it, filters compare the record as read.
   * It must only withhold (never add a word or a value): the scan tests the record as read
   * first and builds the view only for records that pass.
   */
  filterView?: (record: unknown, settings: ShapeSettings) => unknown;
}

/** The settings a tool call may need, declared here so the tools layer does not depend on the configuration module. */
export interface ToolSettings extends ShapeSettings {
  readOnly: boolean;
  toolsets: ReadonlySet<Toolset>;
  confirmDestructive: boolean;
  timeoutMs: number;
  /** How long a filtered list call reads pages (LEADPANTHER_FIND_TIME_BUDGET_MS). */
  findTimeBudgetMs: number;
  uploadRoots: readonly string[];
  /** The client the operator pinned with LEADPANTHER_CLIENT_ID, if any. */
  clientId: string | undefined;
  /** Signs confirm tokens; undefined: a per-process random secret. */
  confirmSecret: string | undefined;
}

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Everything a tool handler has for one call. */
export interface ToolCall {
  op: ToolDefinition;
  variant: RouteVariant;
  clientId: string | undefined;
  config: ToolSettings;
  api: ApiClient;
  access: AccessController;
  logger: Logger;
  mcp: McpServer;
  extra: ToolExtra;
  /** The API key's fingerprint, which a confirm token is bound to. */
  keyFingerprint: string;
  /** The tools this key and these settings expose right now (get_me lists them). */
  exposedToolNames: () => string[];
}

/** Checks a definition's type where it is written, keeping its literal fields. */
export function defineTool(definition: ToolDefinition): ToolDefinition {
  return definition;
}
