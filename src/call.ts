import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ApiError } from "./api/errors.js";
import { hintFor } from "./hints.js";
import { apiErrorResult, errorText, successResult } from "./results.js";
import { MAX_JSON_BODY_BYTES } from "./contract.js";
import { fillPath, pathTemplateFor } from "./tools/routes.js";
import type { ToolCall } from "./tools/types.js";

export type { ToolCall, ToolExtra } from "./tools/types.js";

/**
 * One call of a tool that is one request: the route from the tool's definition and the
 * caller's variant, the request, and its result or error.
 */

/**
 * The operation's route for this call: the catalog's direct or agency template (as the server
 * chose it from GET /me), with the client and the tool's path arguments filled in.
 */
export function routeFor(call: ToolCall, args: Record<string, unknown>): { path: string; route: string } {
  const { op, variant, clientId } = call;
  const route = pathTemplateFor(op, variant);
  const values: Record<string, string> = {};
  for (const [field, placeholder] of Object.entries(op.request.pathParams ?? {})) {
    const value = field === "client_id" ? clientId : args[field];
    if (typeof value === "string") values[placeholder] = value;
  }
  if (route.includes("{clientId}") && clientId !== undefined) values.clientId = clientId;
  return { path: fillPath(route, values), route };
}

/** A request as the tool's definition maps its checked input, or why it cannot be sent. */
export type PreparedRequest =
  | { path: string; route: string; query: Record<string, string | number | undefined>; body: Record<string, unknown> | undefined }
  | { result: CallToolResult };

export function prepareRequest(call: ToolCall, input: Record<string, unknown>): PreparedRequest {
  const { op } = call;
  const args = op.normalize ? op.normalize(input) : input;
  const { path, route } = routeFor(call, args);
  const query: Record<string, string | number | undefined> = {};
  for (const field of op.request.query ?? []) query[field] = args[field] as string | number | undefined;
  let body: Record<string, unknown> | undefined;
  if (op.request.body) {
    body = {};
    for (const field of op.request.body) if (args[field] !== undefined) body[field] = args[field];
  }
  const oversize = body === undefined ? undefined : oversizeBody(body);
  if (oversize) return { result: errorText(`${op.name}: invalid input, nothing was sent. ${oversize}`) };
  return { path, route, query, body };
}

/** One request for one operation: path from the catalog and the route variant, then the result. */
export async function send(call: ToolCall, args: Record<string, unknown>): Promise<CallToolResult> {
  const { op, api, config } = call;
  const prepared = prepareRequest(call, args);
  if ("result" in prepared) return prepared.result;
  const { path, route, query, body } = prepared;
  try {
    const success = await api.call({
      method: op.method,
      path,
      route,
      query,
      body,
      authenticated: op.requires.kind !== "none",
      signal: call.extra.signal,
    });
    return successResult(op, success, config);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return failure(call, error, body);
  }
}

export function failure(call: ToolCall, error: ApiError, body?: Record<string, unknown>): CallToolResult {
  if (error.code === "forbidden") call.access.noteForbidden();
  if (error.code === "unauthorized") void call.access.refresh("unauthorized");
  const sentNull = body !== undefined && Object.values(body).some((value) => value === null);
  return apiErrorResult(call.op, error, hintFor(error, { op: call.op, variant: call.variant, clientId: call.clientId, access: call.access.state, sentNull }));
}


/** LeadPanther refuses JSON bodies over 1 MiB (contract §17); say which field makes it so before sending. */
function oversizeBody(body: Record<string, unknown>): string | undefined {
  const size = Buffer.byteLength(JSON.stringify(body));
  if (size <= MAX_JSON_BODY_BYTES) return undefined;
  const largest = Object.entries(body)
    .map(([field, value]) => ({ field, bytes: Buffer.byteLength(JSON.stringify(value) ?? "") }))
    .sort((a, b) => b.bytes - a.bytes)[0];
  return `The request body would be ${size.toLocaleString("en-US")} bytes; LeadPanther accepts at most ${MAX_JSON_BODY_BYTES.toLocaleString("en-US")} (1 MiB). The largest field is ${largest?.field ?? "?"} (${(largest?.bytes ?? 0).toLocaleString("en-US")} bytes): shorten it.`;
}
