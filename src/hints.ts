import { worksOnClient } from "./tools/routes.js";
import { PAGINATION } from "./contract.js";
import { KEY_CHECKS } from "./config.js";
import { hasScope } from "./access.js";
import type { ApiError } from "./api/errors.js";
import type { HintContext, ToolDefinition } from "./tools/types.js";

export type { HintContext } from "./tools/types.js";

/**
 * What a model should do next after a failed call, drawn from LeadPanther's troubleshooting
 * guide and specific to the tool, the key and the route. Never quotes anything a stranger wrote.
 * What only one tool needs to say is in its definition (`hints`, `verify`); this module adds
 * what holds for every tool.
 */

export function hintFor(error: ApiError, context: HintContext): string {
  const { op } = context;
  if (op.effect !== "read" && error.outcome === "unknown") return outcomeUnknownHint(op);
  if (error.kind === "network" || error.kind === "timeout" || error.kind === "invalid_response") {
    return transportHint(error, op);
  }
  switch (error.code) {
    case "bad_request":
      return badRequestHint(context);
    case "unauthorized":
      return KEY_CHECKS;
    case "forbidden":
      return forbiddenHint(context);
    case "not_found":
      return notFoundHint(context);
    case "method_not_allowed":
      return `LeadPanther says ${op.method} is not allowed on this route.${op.provenance === "inferred" ? ` This tool's route is inferred from LeadPanther's public docs (${op.provenanceNote ?? "path inferred"}); the operator can run \`leadpanther-mcp doctor\` to check it against the live API.` : ""}`;
    case "conflict":
      return op.hints?.conflict ?? "The record's current state does not allow this change; read it first to see its state.";
    case "internal_error":
      return `LeadPanther had an unexpected error. ${op.effect === "read" ? "Try again in a little while" : "Check whether it took effect before trying again"}; quote request_id ${error.requestId} if you report it.`;
    case "not_implemented":
      return "This LeadPanther feature is planned but not available in API v1 yet. There is no workaround through another route.";
    default:
      if (error.status === 429) {
        return `LeadPanther is rate limiting this key. Wait ${error.retryAfterSeconds !== undefined ? `${error.retryAfterSeconds} s` : "a minute"} before calling again${op.effect === "read" ? "" : "; the write was not applied"}.`;
      }
      return `LeadPanther answered ${error.code ?? "an error"}${error.status ? ` (HTTP ${error.status})` : ""}; quote request_id ${error.requestId} if you report it.`;
  }
}

function transportHint(error: ApiError, op: ToolDefinition): string {
  if (op.effect !== "read" && error.outcome === "applied") {
    return `LeadPanther accepted the ${op.method} (HTTP ${error.status}) but its answer could not be read, so the result is not shown. Do not repeat the call: ${verifyText(op)}`;
  }
  if (op.effect !== "read") return "Nothing was sent to LeadPanther, so nothing changed. It is safe to try again once LeadPanther is reachable.";
  return "Try again in a little while; if it keeps failing, the operator should check LEADPANTHER_BASE_URL and the network.";
}

export function outcomeUnknownHint(op: ToolDefinition): string {
  return `OUTCOME UNKNOWN: the request reached LeadPanther but no answer says whether it was applied, and it was NOT retried (LeadPanther has no idempotency keys). Do not simply call ${op.name} again: ${verifyText(op)}`;
}

function verifyText(op: ToolDefinition): string {
  return op.verify?.instruction ?? "check the account's current state before repeating the call.";
}

function badRequestHint(context: HintContext): string {
  const { op } = context;
  const base = "LeadPanther refused the request (bad_request) without saying which field.";
  if (op.list) return `${base} Check limit (1–${PAGINATION.maxLimit}) and offset (0 or more)${op.agencyPath ? " and client_id" : ""}.`;
  if (op.effect === "read") return `${base} Check that every id is a UUID exactly as a list tool returned it.`;
  return `${base} ${op.hints?.badRequest?.(context) ?? "Check the arguments against the tool's description."}`;
}

/** How the model names the client: its own client_id argument, or the operator's pinned setting. */
function clientReference(context: HintContext): string {
  return context.variant === "pinned"
    ? `the client pinned by LEADPANTHER_CLIENT_ID (${context.clientId ?? "unset"})`
    : "client_id";
}

function forbiddenHint(context: HintContext): string {
  const { op, access, variant, clientId } = context;
  const scope = op.requires.kind === "scope" ? op.requires.scope : undefined;
  const parts: string[] = [];
  if (scope) {
    const identity = access.status === "ready" || access.status === "misconfigured" ? access.identity : undefined;
    const keyHasIt = identity ? hasScope(identity.scopes, scope) : undefined;
    parts.push(
      `${op.name} needs the ${scope} scope; ${keyHasIt === undefined ? "the key's scopes are not known yet" : keyHasIt ? (variant === "direct" ? "the API key had it at the server's last check (GET /me), so its scopes may have changed since: the server is checking again, and the tool list will follow" : "the API key has it") : "the API key does NOT have it (ask for a key with that scope)"}.`,
    );
  }
  if (variant !== "direct" && worksOnClient(op)) {
    parts.push(
      `For agency work LeadPanther also needs an active grant for client ${clientId ?? "(none given)"} whose permissions include ${scope ?? "this operation"}: list_clients shows each client's grant status and permissions.${variant === "pinned" ? ` The client is ${clientReference(context)}; only the operator can change it.` : ""}`,
    );
  } else {
    parts.push("The record may belong to an account outside this key's access.");
  }
  return parts.join(" ");
}

function notFoundHint(context: HintContext): string {
  const { op, variant } = context;
  const parts: string[] = [];
  if (variant !== "direct" && op.agencyPath) {
    parts.push(
      `A 404 on a client route does not prove the client is missing: verify that ${clientReference(context)} is a client's user_id from list_clients with an active grant${variant === "pinned" ? " (only the operator can change it)" : ""}.`,
    );
  }
  const ownHint = op.hints?.notFound?.(context);
  if (ownHint !== undefined) parts.push(ownHint);
  if (op.provenance === "inferred") {
    parts.push(`This tool's route is inferred (${op.provenanceNote ?? "path inferred"}); if every id checks out, the operator can run \`leadpanther-mcp doctor\`.`);
  }
  return parts.join(" ") || "The route or record was not found.";
}
