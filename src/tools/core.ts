import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { parseIdentity } from "../access.js";
import { ApiError } from "../api/errors.js";
import { hintFor } from "../hints.js";
import { apiErrorResult, errorText, isSecretFree, render } from "../results.js";
import { checkPinnedClient, describePinnedClient } from "../pin.js";
import { defineTool, type ToolCall } from "./types.js";

/** The tools every server exposes, with or without a working key. */
export const CORE_TOOLS = [
  defineTool({
    name: "get_api_info",
    title: "LeadPanther API info",
    description: "Name and version of the LeadPanther API this server talks to. Needs no key; use it to check connectivity.",
    method: "GET",
    directPath: "/",
    requires: { kind: "none" },
    toolset: "core",
    provenance: "stated",
    inputShape: {},
    request: {},
    effect: "read",
    idempotent: true,
    list: false,
    noun: "API info",
  }),
  defineTool({
    name: "get_me",
    title: "Who am I",
    description:
      "The account behind the configured API key: owner, actor_type (direct_user or agency) and scopes. If the server has no working key, explains exactly what to fix.",
    method: "GET",
    directPath: "/me",
    requires: { kind: "key" },
    toolset: "core",
    provenance: "stated",
    inputShape: {},
    request: {},
    effect: "read",
    idempotent: true,
    list: false,
    noun: "identity",
    runsWithoutAccess: true,
    handler: getMe,
  }),
];

/** GET /me, which also refreshes the key's access (and so the tool list), or says what to fix. */
async function getMe(call: ToolCall): Promise<CallToolResult> {
  const { access, api, op } = call;
  const state = access.state;
  if (state.status === "no_key") return errorText(`No usable API key. ${state.problem}`);
  try {
    const success = await api.call({ method: "GET", path: "/me", route: "/me", authenticated: true, signal: call.extra.signal });
    const identity = parseIdentity(success.data);
    if (identity) access.observe(identity);
    const current = access.state;
    const structured: Record<string, unknown> = { data: success.data, request_id: success.requestId };
    if (current.status === "misconfigured") structured.notice = current.problem;
    const lines = [`get_me: ok. Tools available with this key and these settings: ${call.exposedToolNames().join(", ")}.`];
    if (call.config.clientId !== undefined && current.status === "ready" && current.identity.actorType === "agency") {
      const pinned = await checkPinnedClient(api, call.config.clientId, current, call.config, call.extra.signal);
      structured.pinned_client = pinned;
      lines.push(describePinnedClient(pinned));
    }
    return render(lines.join("\n"), structured, {
      notice: current.status === "misconfigured" ? current.problem : undefined,
      scrubbed: isSecretFree(success.bodyText),
    });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (state.status === "failing" || error.code === "unauthorized") {
      const refreshed = await access.refresh("get_me");
      if ("problem" in refreshed) return errorText(`GET /me failed. ${refreshed.problem}`);
    }
    return apiErrorResult(op, error, hintFor(error, { op, variant: "direct", clientId: undefined, access: access.state }));
  }
}
