import type { Operation, RouteVariant } from "./catalog.js";
import { MEDIA_IMAGE_MAX_BYTES, MEDIA_PDF_MAX_BYTES, PAGINATION, POST_IMAGES_MAX, POST_TEXT_MAX, PUBLISHED_POST_MUTABLE_FIELDS } from "./contract.js";
import { KEY_CHECKS } from "./config.js";
import { hasScope, type AccessState } from "./access.js";
import type { ApiError } from "./api/errors.js";

/**
 * What a model should do next after a failed call, drawn from LeadPanther's troubleshooting
 * guide and specific to the tool, the key and the route. Never quotes anything a stranger wrote.
 */

export interface HintContext {
  op: Operation;
  variant: RouteVariant;
  clientId: string | undefined;
  access: AccessState;
  /** The request's body set a field to null (to clear it). */
  sentNull?: boolean;
}

export function hintFor(error: ApiError, context: HintContext): string {
  const { op } = context;
  if (op.effect !== "read" && error.outcome === "unknown") return outcomeUnknownHint(op);
  if (error.kind === "network" || error.kind === "timeout" || error.kind === "invalid_response") {
    return transportHint(error, op);
  }
  switch (error.code) {
    case "bad_request":
      return badRequestHint(op, context.sentNull === true);
    case "unauthorized":
      return KEY_CHECKS;
    case "forbidden":
      return forbiddenHint(context);
    case "not_found":
      return notFoundHint(context);
    case "method_not_allowed":
      return `LeadPanther says ${op.method} is not allowed on this route.${op.provenance === "inferred" ? ` This tool's route is inferred from LeadPanther's public docs (${op.provenanceNote ?? "path inferred"}); the operator can run \`leadpanther-mcp doctor\` to check it against the live API.` : ""}`;
    case "conflict":
      return conflictHint(op);
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

function transportHint(error: ApiError, op: Operation): string {
  if (op.effect !== "read" && error.outcome === "applied") {
    return `LeadPanther accepted the ${op.method} (HTTP ${error.status}) but its answer could not be read, so the result is not shown. Do not repeat the call: ${verifyText(op)}`;
  }
  if (op.effect !== "read") return "Nothing was sent to LeadPanther, so nothing changed. It is safe to try again once LeadPanther is reachable.";
  return "Try again in a little while; if it keeps failing, the operator should check LEADPANTHER_BASE_URL and the network.";
}

export function outcomeUnknownHint(op: Operation): string {
  return `OUTCOME UNKNOWN: the request reached LeadPanther but no answer says whether it was applied, and it was NOT retried (LeadPanther has no idempotency keys). Do not simply call ${op.name} again: ${verifyText(op)}`;
}

function verifyText(op: Operation): string {
  switch (op.verifyWith) {
    case "list_posts":
      return "first call list_posts and look for the post (same text) before creating it again.";
    case "list_lead_magnets":
      return "first call list_lead_magnets and look for the lead magnet (same title) before creating it again.";
    case "get_post":
      return op.effect === "destructive"
        ? "call get_post with the same post_id: not_found means it was deleted."
        : "call get_post with the same post_id and compare the fields before changing it again.";
    case "get_lead_magnet":
      return op.effect === "destructive"
        ? "call get_lead_magnet with the same lead_magnet_id: not_found means it was archived."
        : "call get_lead_magnet with the same lead_magnet_id and compare the fields before changing it again.";
    case "delete_media":
      return "calling delete_media again is harmless: not_found then means the file is already gone.";
    default:
      return "check the account's current state before repeating the call.";
  }
}

function badRequestHint(op: Operation, sentNull: boolean): string {
  const base = "LeadPanther refused the request (bad_request) without saying which field.";
  if (op.list) return `${base} Check limit (1–${PAGINATION.maxLimit}) and offset (0 or more)${op.agencyPath ? " and client_id" : ""}.`;
  if (op.effect === "read") return `${base} Check that every id is a UUID exactly as a list tool returned it.`;
  switch (op.toolset) {
    case "posts":
      return `${base} Post rules: text 1–${POST_TEXT_MAX.toLocaleString("en-US")} characters; scheduled_at a future ISO 8601 time; images (1–${POST_IMAGES_MAX}) or document_url, never both; ids are UUIDs.${sentNull ? " This request also set a field to null to clear it, which this API may not accept: try again without the null fields, or give the field a new value instead." : ""}`;
    case "lead_magnets":
      return `${base} Lead magnet rules: delivery_mode hosted_content or gated_external needs hosted_page; publishing hosted_content needs non-empty page content, gated_external a valid external_resource_url; external_link needs resource_link; cta_label and cta_url together. On an update these apply to the lead magnet as it will be after the change: get_lead_magnet shows the current fields.`;
    case "media":
      return `${base} Allowed: JPEG, PNG, GIF, WebP up to ${MEDIA_IMAGE_MAX_BYTES / 1_048_576} MB; PDF up to ${MEDIA_PDF_MAX_BYTES / 1_048_576} MB; the path must be one upload_media returned.`;
    default:
      return `${base} Check the arguments against the tool's description.`;
  }
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
  if (variant !== "direct" && (op.agencyPath || op.name === "get_client")) {
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
  } else if (op.name === "get_client" && context.access.status === "ready" && context.access.identity.actorType === "direct_user") {
    parts.push("This key is a direct key: it acts on its own account and has no client accounts (list_clients lists none). Client tools are for agency keys.");
  } else if (op.name === "get_client") {
    parts.push("A 404 here does not prove the client is missing: use a user_id exactly as list_clients returns it.");
  }
  if (op.toolset === "posts" || op.name === "get_post_engagement") {
    parts.push("The post may have been deleted or the post_id is wrong: list_posts shows the current ids.");
  } else if (op.toolset === "lead_magnets" || op.name === "get_lead_magnet_analytics") {
    parts.push("The lead magnet may be archived (archived ones read as not found) or the id is wrong: list_lead_magnets shows the current ones.");
  } else if (op.toolset === "media") {
    parts.push("The media path is unknown or already deleted.");
  }
  if (op.provenance === "inferred") {
    parts.push(`This tool's route is inferred (${op.provenanceNote ?? "path inferred"}); if every id checks out, the operator can run \`leadpanther-mcp doctor\`.`);
  }
  return parts.join(" ") || "The route or record was not found.";
}

function conflictHint(op: Operation): string {
  if (op.toolset === "posts") {
    return `The post's status does not allow this. A publishing post cannot be edited or deleted; a published post cannot be deleted and only accepts changes to ${PUBLISHED_POST_MUTABLE_FIELDS.join(", ")}. Call get_post to see its status.`;
  }
  return "The record's current state does not allow this change; read it first to see its state.";
}
