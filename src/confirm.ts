import { ErrorCode, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { randomBytes } from "node:crypto";
import { isRecord } from "./json.js";
import { secrets } from "./safety/secrets.js";
import { CONFIRM_FIELD, CONFIRM_TOKEN_TTL_MS, checkConfirmToken, issueConfirmToken, type ConfirmTokenInputs } from "./writes/confirm-token.js";
import { ApiError } from "./api/errors.js";
import { errorText } from "./results.js";
import { OPERATIONS_BY_NAME } from "./catalog.js";
import { routeFor } from "./call.js";
import { countSharing } from "./write.js";
import { hasScope } from "./access.js";
import type { ConfirmPreview, ToolCall } from "./tools/types.js";

/**
 * Asks the person (not the model) to confirm a delete or archive, showing what would be
 * removed: through MCP form elicitation where the client has it; elsewhere (and over stateless
 * HTTP) the first call sends nothing and returns the preview with a `confirm` token, and the
 * same call with the token goes ahead. Returns a result to send instead of the request;
 * undefined to go ahead. The tool's definition says how its record is described (`confirm`).
 */
export async function confirmDestructive(call: ToolCall, args: Record<string, unknown>): Promise<CallToolResult | undefined> {
  const token = args[CONFIRM_FIELD];
  if (typeof token === "string") return checkToken(call, args, token);
  const described = await describeSubject(call, call.op.confirm, args);
  if ("result" in described) return described.result;
  // The record's text may hold a secret-shaped value (a key pasted into a post): never shown.
  const subject = { text: secrets.scrub(described.text) };
  if (!supportsFormElicitation(call.mcp.server.getClientCapabilities()?.elicitation)) return preview(call, args, subject.text);
  let answer;
  try {
    answer = await call.mcp.server.elicitInput(
      {
        mode: "form",
        message: `${call.op.title}? ${subject.text} This cannot be undone through the API.`,
        requestedSchema: {
          type: "object",
          properties: {
            confirm: { type: "boolean", title: `Yes, ${call.op.title.toLowerCase()}`, description: subject.text },
          },
          required: ["confirm"],
        },
      },
      // A person may take a while to decide; the SDK's 60 s default would cut them off.
      { signal: call.extra.signal, timeout: CONFIRM_TIMEOUT_MS },
    );
  } catch (error) {
    const timedOut = error instanceof McpError && error.code === ErrorCode.RequestTimeout;
    call.logger.warn("confirmation request failed; nothing was sent", { tool: call.op.name, error });
    return errorText(
      timedOut
        ? `${call.op.name} was not sent: nobody answered the confirmation within ${CONFIRM_TIMEOUT_MS / 60_000} minutes. Nothing was changed.`
        : `${call.op.name} was not sent: the confirmation dialog could not be shown. Nothing was changed.`,
    );
  }
  if (answer.action === "accept" && isRecord(answer.content) && answer.content.confirm === true) return undefined;
  return errorText(
    `${call.op.name} was not sent: the person ${answer.action === "cancel" ? "dismissed" : "declined"} the confirmation. Nothing was changed; do not retry unless they ask again.`,
  );
}

const CONFIRM_TIMEOUT_MS = 5 * 60_000;

/** Signs tokens when the operator set no LEADPANTHER_CONFIRM_SECRET: valid only in this process. */
const PROCESS_SECRET = randomBytes(32);

function tokenInputs(call: ToolCall, args: Record<string, unknown>): ConfirmTokenInputs {
  return { secret: call.config.confirmSecret ?? PROCESS_SECRET, tool: call.op.name, args, keyFingerprint: call.keyFingerprint, now: Date.now() };
}

/** Nothing sent: what would be removed, and the token that makes the same call go ahead. */
function preview(call: ToolCall, args: Record<string, unknown>, subject: string): CallToolResult {
  const inputs = tokenInputs(call, args);
  const token = issueConfirmToken(inputs);
  const expiresAt = new Date(inputs.now + CONFIRM_TOKEN_TTL_MS).toISOString();
  const text = [
    `${call.op.name}: NOT SENT YET — confirmation needed. ${subject} This cannot be undone through the API.`,
    `Show this to the person and wait for their answer. If they agree, call ${call.op.name} again with the same arguments and confirm: "${token}" (valid until ${expiresAt}); if not, do nothing.`,
  ].join("\n");
  return {
    content: [{ type: "text", text }],
    structuredContent: { outcome: "confirmation_needed", preview: subject, confirm: token, expires_at: expiresAt },
  };
}

function checkToken(call: ToolCall, args: Record<string, unknown>, token: string): CallToolResult | undefined {
  const checked = checkConfirmToken(token, tokenInputs(call, args));
  if (checked.ok) return undefined;
  const why =
    checked.reason === "expired"
      ? "the token has expired"
      : checked.reason === "malformed"
        ? "that is not a token this server issued"
        : "the token was issued for other arguments (or another tool or key)";
  return errorText(
    `${call.op.name} was not sent: ${why}. Nothing was changed. Call ${call.op.name} without confirm to get a fresh preview, show it to the person, and use its token only if they agree.`,
  );
}

/**
 * Form elicitation is what a confirmation needs. `elicitation: {}` (the 2025-06-18 form)
 * means form support; newer clients list `form` and/or `url` explicitly.
 */
function supportsFormElicitation(elicitation: unknown): boolean {
  if (typeof elicitation !== "object" || elicitation === null) return false;
  const modes = elicitation as { form?: unknown; url?: unknown };
  if (modes.form !== undefined) return true;
  return modes.url === undefined;
}

async function describeSubject(
  call: ToolCall,
  preview: ConfirmPreview | undefined,
  args: Record<string, unknown>,
): Promise<{ text: string } | { result: CallToolResult }> {
  const { op } = call;
  if (preview === undefined) return { text: `${op.title}.` };
  if (preview.kind === "arguments") return { text: preview.describe(args) };
  const id = String(args[preview.idField]);
  // The record's GET shares the delete's path.
  const { path, route } = routeFor(call, args);
  // A key allowed to delete may not be allowed to read: then the preview is not asked for.
  const readRequires = OPERATIONS_BY_NAME.get(preview.readWith)?.requires;
  const state = call.access.state;
  if (readRequires?.kind === "scope" && state.status === "ready" && !hasScope(state.identity.scopes, readRequires.scope)) {
    return { text: `${op.noun} ${id} (its details are not shown: this key lacks ${readRequires.scope}).` };
  }
  try {
    const record = await call.api.call({
      method: "GET",
      path,
      route,
      authenticated: true,
      signal: call.extra.signal,
    });
    const found = isRecord(record.data) ? record.data : {};
    const shared = preview.sharedField === undefined ? undefined : await countSharing(call, preview.findWith, preview.sharedField, found[preview.sharedField], id);
    const sharing =
      shared === undefined || shared.count === 0
        ? ""
        : ` ${shared.count}${shared.partial ? "+" : ""} other ${shared.count === 1 ? op.noun : `${op.noun}s`} ${shared.count === 1 && !shared.partial ? "has" : "have"} the same ${preview.sharedField}: check this is the one meant (by its id, status and dates).`;
    return { text: preview.describe(id, found) + sharing };
  } catch (error) {
    if (error instanceof ApiError && error.code === "not_found") {
      // The record is gone (or out of reach): say so instead of asking about nothing.
      return {
        result: errorText(
          `${op.name} was not sent: ${preview.readWith} for this id failed first (${error.code ?? "error"}, HTTP ${error.status}, request_id ${error.requestId}), so there is nothing to confirm. Check the id with ${preview.findWith}.`,
        ),
      };
    }
    return { text: `${op.noun} ${id} (its details could not be loaded).` };
  }
}
