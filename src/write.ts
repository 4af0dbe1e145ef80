import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ApiSuccess } from "./api/client.js";
import { ApiError } from "./api/errors.js";
import { hasScope } from "./access.js";
import { OPERATIONS_BY_NAME } from "./catalog.js";
import { failure, prepareRequest, routeFor } from "./call.js";
import { LISTS_NEWEST_FIRST, PAGINATION } from "./contract.js";
import { isRecord } from "./json.js";
import { outcomeUnknownHint } from "./hints.js";
import { errorText, isSecretFree, render, safeRequestId, shapeData } from "./results.js";
import { describeChanges, describeNewValues, verifyFieldsApplied, type FieldChange } from "./writes/changes.js";
import { schedulingWarnings, type ExistingPost } from "./writes/guardrails.js";
import { describeInstant } from "./writes/time.js";
import type { RecordAccess, ToolCall } from "./tools/types.js";

/**
 * One write, said exactly: what it changed (old → new), created or removed, for which client;
 * the scheduling warnings; and, when LeadPanther's answer is lost, the outcome settled by
 * reading — never by writing again.
 */

/** Pages of a list read to settle a create or to look for scheduling conflicts, at most. */
const SCAN_PAGES = 5;
/** How far before the call began a record's created_at may lie and still be this call's (clocks differ). */
const CLOCK_SKEW_MS = 30_000;
/** How long a client's name is remembered for write results. */
const CLIENT_NAME_TTL_MS = 5 * 60_000;

/** A record read before or after a write. */
type RecordRead = { found: Record<string, unknown> } | { notFound: true } | { failed: string };

/** What a read after an unknown outcome showed. */
export type Settlement =
  | { outcome: "applied"; checked: string; record?: Record<string, unknown> }
  | { outcome: "not_applied"; checked: string }
  | { outcome: "unknown"; checked: string };

/** Whether this key may use the read tool (its scope); unknown access counts as no. */
export function mayRead(call: ToolCall, readTool: string): boolean {
  const requires = OPERATIONS_BY_NAME.get(readTool)?.requires;
  const state = call.access.state;
  if (requires === undefined || state.status !== "ready") return false;
  return requires.kind !== "scope" || hasScope(state.identity.scopes, requires.scope);
}

/** The zone or offset the caller wrote a time in, so results show times the same way. */
export function callerZone(args: Record<string, unknown>): string | undefined {
  if (typeof args.time_zone === "string") return args.time_zone;
  if (typeof args.scheduled_at !== "string") return undefined;
  return /(?:[Zz]|[+-]\d\d:?\d\d)$/.exec(args.scheduled_at.trim())?.[0];
}

/** GET on the write's own route (update, delete and archive share it with the record's read). */
export async function readRecord(call: ToolCall, args: Record<string, unknown>): Promise<RecordRead> {
  const { path, route } = routeFor(call, args);
  try {
    const success = await call.api.call({ method: "GET", path, route, authenticated: true, signal: call.extra.signal });
    return isRecord(success.data) ? { found: success.data } : { failed: "its answer held no record" };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === "not_found") return { notFound: true };
    return { failed: `${error.code ?? error.kind}${error.status ? `, HTTP ${error.status}` : ""}` };
  }
}

/** Pages of a list tool's collection, newest first, until `stop` says enough or SCAN_PAGES are read. */
async function scanList(
  call: ToolCall,
  listTool: string,
  stop: (page: Record<string, unknown>[]) => boolean,
): Promise<{ pages: number; complete: boolean } | { failed: string }> {
  const listOp = OPERATIONS_BY_NAME.get(listTool);
  if (!listOp) return { failed: `no ${listTool}` };
  const { path, route } = routeFor({ ...call, op: listOp }, {});
  for (let page = 0; page < SCAN_PAGES; page += 1) {
    let success: ApiSuccess;
    try {
      success = await call.api.call({
        method: "GET",
        path,
        route,
        query: { limit: PAGINATION.maxLimit, offset: page * PAGINATION.maxLimit },
        authenticated: true,
        signal: call.extra.signal,
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return { failed: `${listTool} failed (${error.code ?? error.kind}${error.status ? `, HTTP ${error.status}` : ""})` };
    }
    const items = Array.isArray(success.data) ? success.data.filter(isRecord) : [];
    if (stop(items) || success.pagination?.has_more !== true) return { pages: page + 1, complete: true };
  }
  return { pages: SCAN_PAGES, complete: false };
}

/** How many other records of a list hold the same value in `field` (the newest SCAN_PAGES pages); undefined when unreadable. */
export async function countSharing(call: ToolCall, listTool: string, field: string, value: unknown, excludeId: string): Promise<{ count: number; partial: boolean } | undefined> {
  if (!mayRead(call, listTool) || typeof value !== "string") return undefined;
  let count = 0;
  const scan = await scanList(call, listTool, (page) => {
    count += page.filter((item) => item.id !== excludeId && item[field] === value).length;
    return false;
  });
  return "failed" in scan ? undefined : { count, partial: !scan.complete };
}

/**
 * Scheduling warnings for a post write; skipped (no warnings) when the key cannot read posts.
 * `seenIds` are the posts the check read, all made before this write was sent.
 */
async function guardrailWarnings(
  call: ToolCall,
  listTool: string,
  body: Record<string, unknown>,
  args: Record<string, unknown>,
): Promise<{ warnings: string[]; seenIds: ReadonlySet<string> }> {
  const posts: ExistingPost[] = [];
  const seenIds = new Set<string>();
  if (typeof body.scheduled_at !== "string" && typeof body.text !== "string") return { warnings: [], seenIds };
  if (!mayRead(call, listTool)) return { warnings: [], seenIds };
  const scan = await scanList(call, listTool, (page) => {
    for (const item of page) {
      if (typeof item.id !== "string") continue;
      posts.push(item as unknown as ExistingPost);
      seenIds.add(item.id);
    }
    return false;
  });
  const zone = callerZone(args);
  const warnings = schedulingWarnings(
    {
      ...(typeof body.scheduled_at === "string" ? { scheduledAt: new Date(body.scheduled_at) } : {}),
      ...(typeof body.text === "string" ? { text: body.text } : {}),
      ...(typeof args.post_id === "string" ? { excludeId: args.post_id } : {}),
    },
    posts,
    zone !== undefined ? { timeZone: zone } : {},
  );
  if ("failed" in scan) warnings.push(`the check for nearby or identical posts could not read the posts: ${scan.failed}`);
  else if (!scan.complete) warnings.push(`the check for nearby or identical posts read only the newest ${posts.length} posts`);
  return { warnings, seenIds };
}

const clientNames = new WeakMap<object, Map<string, { name: string; until: number }>>();

/** "Name (id)" of the client an agency call works on, read once and remembered briefly. */
async function clientLabel(call: ToolCall): Promise<{ id: string; name?: string } | undefined> {
  if (call.variant === "direct" || call.clientId === undefined || call.op.agencyPath === undefined) return undefined;
  const id = call.clientId;
  let cache = clientNames.get(call.api);
  if (!cache) clientNames.set(call.api, (cache = new Map()));
  const cached = cache.get(id);
  if (cached && cached.until > Date.now()) return { id, name: cached.name };
  if (!mayRead(call, "get_client")) return { id };
  try {
    const success = await call.api.call({ method: "GET", path: `/clients/${encodeURIComponent(id)}`, route: "/clients/{clientId}", authenticated: true, signal: call.extra.signal });
    const data = isRecord(success.data) ? success.data : {};
    const name = [data.business_name, data.full_name].find((value): value is string => typeof value === "string" && value.trim() !== "");
    if (name === undefined) return { id };
    cache.set(id, { name, until: Date.now() + CLIENT_NAME_TTL_MS });
    return { id, name };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { id };
  }
}

/**
 * A write tool's call: a read of the record first when the key can (the "old" of old → new,
 * what a delete removes), the scheduling check, the one request, and a result that says what
 * happened — settled by reading when the answer is lost.
 */
export async function sendWrite(call: ToolCall, args: Record<string, unknown>, known?: Record<string, unknown>): Promise<CallToolResult> {
  const { op } = call;
  const prepared = prepareRequest(call, args);
  if ("result" in prepared) return prepared.result;
  const { path, route, query, body } = prepared;
  const access = op.record;
  const canRead = access !== undefined && mayRead(call, access.readWith);
  let before = known;
  if (before === undefined && canRead && access.kind !== "create") {
    const read = await readRecord(call, args);
    if ("found" in read) before = read.found;
  }
  const { warnings, seenIds } = op.guardrails && body ? await guardrailWarnings(call, op.guardrails.listWith, body, args) : { warnings: [], seenIds: new Set<string>() };
  const client = await clientLabel(call);
  const startedAt = Date.now();
  try {
    const success = await call.api.call({ method: op.method, path, route, query, body, authenticated: true, signal: call.extra.signal });
    const after = isRecord(success.data) ? success.data : undefined;
    return writeResult(call, args, { body, before, after, warnings, client, requestId: success.requestId, secretFree: isSecretFree(success.bodyText) });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.outcome !== "unknown" || access === undefined) return failure(call, error, body);
    const settled = canRead
      ? await settle(call, args, access, body ?? {}, startedAt, seenIds)
      : { outcome: "unknown" as const, checked: `nothing: this key lacks the scope of ${access.readWith}, so the server cannot read the record` };
    return settledResult(call, args, error, settled, { body, before, warnings, client });
  }
}

/**
 * Reads — never writes — whether a write whose answer was lost took effect. A create is matched
 * by its field among records made since the call began; `existingIds` (records read before the
 * write was sent) never match, and a match made within the clock-skew margin before the call
 * began may be an earlier identical call's, so it leaves the outcome unknown rather than claimed.
 */
export async function settle(
  call: ToolCall,
  args: Record<string, unknown>,
  access: RecordAccess,
  body: Record<string, unknown>,
  startedAt: number,
  existingIds: ReadonlySet<string> = new Set(),
): Promise<Settlement> {
  if (access.kind === "create") {
    const field = access.matchField ?? "";
    const wanted = body[field];
    let found: Record<string, unknown> | undefined;
    let earlier: Record<string, unknown> | undefined;
    let olderSeen = false;
    const since = startedAt - CLOCK_SKEW_MS;
    const scan = await scanList(call, access.readWith, (page) => {
      for (const item of page) {
        const created = typeof item.created_at === "string" ? Date.parse(item.created_at) : Number.NaN;
        if (item[field] === wanted && !(created < since) && !(typeof item.id === "string" && existingIds.has(item.id))) {
          if (!(created < startedAt)) {
            found = item;
            return true;
          }
          earlier ??= item;
        }
        if (created < since) olderSeen = true;
      }
      return LISTS_NEWEST_FIRST && olderSeen;
    });
    const what = `${access.readWith} for a ${call.op.noun} with the same ${field} created since the call began`;
    if ("failed" in scan) return { outcome: "unknown", checked: `${what}: ${scan.failed}` };
    if (found) return { outcome: "applied", checked: `${what}: found ${String(found.id)}`, record: found };
    if (earlier) {
      return {
        outcome: "unknown",
        checked: `${what}: none, but ${String(earlier.id)} (created ${String(earlier.created_at)}, just before the call began) may be this call's or an earlier identical one's`,
      };
    }
    if (scan.complete) return { outcome: "not_applied", checked: `${what}: none in ${scan.pages} page(s)` };
    return { outcome: "unknown", checked: `${what}: none in the newest ${scan.pages} pages, and more exist` };
  }
  const read = await readRecord(call, args);
  const id = String(args[access.idField ?? ""]);
  if ("failed" in read) return { outcome: "unknown", checked: `${access.readWith} for ${id} failed too (${read.failed})` };
  if (access.kind === "remove") {
    return "notFound" in read
      ? { outcome: "applied", checked: `${access.readWith} for ${id}: not_found, so it is gone` }
      : { outcome: "not_applied", checked: `${access.readWith} for ${id}: it is still there (${String(read.found.status ?? "status unknown")})`, };
  }
  if ("notFound" in read) return { outcome: "unknown", checked: `${access.readWith} for ${id}: not_found` };
  const comparable = Object.fromEntries(Object.entries(body).filter(([field]) => !(access.rewritten ?? []).includes(field)));
  if (Object.keys(comparable).length === 0) return { outcome: "unknown", checked: `${access.readWith} for ${id}: the fields sent cannot be compared (LeadPanther rewrites them)` };
  const verdict = verifyFieldsApplied(comparable, read.found);
  return verdict.applied
    ? { outcome: "applied", checked: `${access.readWith} for ${id}: it holds every field sent (${Object.keys(comparable).join(", ")})`, record: read.found }
    : { outcome: "not_applied", checked: `${access.readWith} for ${id}: ${verdict.mismatched.join(", ")} still differ from what was sent` };
}

interface WriteFacts {
  body: Record<string, unknown> | undefined;
  before: Record<string, unknown> | undefined;
  warnings: string[];
  client: { id: string; name?: string } | undefined;
}

/** What a write did, in one summary line (and more lines for changes), and the same facts structured. */
function describeWrite(
  call: ToolCall,
  args: Record<string, unknown>,
  facts: WriteFacts & { after: Record<string, unknown> | undefined },
): { lines: string[]; structured: Record<string, unknown> } {
  const { op } = call;
  const zone = callerZone(args);
  const access = op.record;
  const structured: Record<string, unknown> = {};
  const lines: string[] = [];
  const id = String(facts.after?.id ?? (access?.idField ? args[access.idField] : undefined) ?? "(no id in the answer)");
  if (access?.kind === "remove" || op.effect === "destructive") {
    const what = facts.before && op.confirm?.kind === "record" ? op.confirm.describe(id, facts.before) : `${op.noun} ${String(access?.idField ? args[access.idField] : "")}`.trim();
    lines.push(`${op.name}: done. Removed: ${what}`);
    structured.removed = facts.before ?? (access?.idField ? { id: args[access.idField] } : args);
  } else if (access?.kind === "create") {
    const status = facts.after?.status;
    const when = timeOf(facts.after?.scheduled_at, zone);
    lines.push(`${op.name}: created ${op.noun} ${id}${typeof status === "string" ? ` (${status}${when ? `, scheduled for ${when}` : ""})` : ""}.`);
    structured.created = { id, ...(typeof status === "string" ? { status } : {}), ...(when ? { scheduled_for: when } : {}) };
  } else {
    const sent = Object.keys(facts.body ?? {});
    const zoneOption = zone !== undefined ? { timeZone: zone } : {};
    const changes: FieldChange[] = facts.before
      ? describeChanges(facts.before, facts.after ?? {}, sent, zoneOption)
      : describeNewValues(facts.after ?? {}, sent, zoneOption);
    if (changes.length === 0) lines.push(`${op.name}: ${op.noun} ${id} unchanged: the fields sent already held these values.`);
    else lines.push(`${op.name}: updated ${op.noun} ${id}${facts.before ? "" : " (old values not shown: this key cannot read them)"}:`, ...changes.map((change) => `- ${change.text}`));
    structured.changes = changes.map(({ field, from, to }) => ({ field, from: from ?? null, to: to ?? null }));
  }
  if (facts.client) {
    lines.push(`client: ${facts.client.name !== undefined ? `${facts.client.name} (${facts.client.id})` : facts.client.id}`);
    structured.client = facts.client;
  }
  if (facts.warnings.length > 0) {
    lines.push(...facts.warnings.map((warning) => `warning: ${warning}`));
    structured.warnings = facts.warnings;
  }
  return { lines, structured };
}

function timeOf(value: unknown, zone: string | undefined): string | undefined {
  if (typeof value !== "string" || Number.isNaN(Date.parse(value))) return undefined;
  return describeInstant(new Date(value), zone);
}

function writeResult(
  call: ToolCall,
  args: Record<string, unknown>,
  facts: WriteFacts & { after: Record<string, unknown> | undefined; requestId: string; secretFree: boolean },
): CallToolResult {
  const { lines, structured } = describeWrite(call, args, facts);
  const data = shapeData(call.op, facts.after ?? null, call.config);
  // The record read before the write (what was removed, the old values) was not part of this answer: scrub it all then.
  return render(lines.join("\n"), { outcome: "applied", summary: lines.join("\n"), ...structured, data, request_id: facts.requestId }, { scrubbed: facts.secretFree && facts.before === undefined });
}

function settledResult(call: ToolCall, args: Record<string, unknown>, error: ApiError, settled: Settlement, facts: WriteFacts): CallToolResult {
  const { op } = call;
  const lost = `LeadPanther's answer was lost (${error.kind === "http" ? `HTTP ${error.status ?? "?"}` : error.kind}), so the server read to check; it did not send the write again.\nrequest_id: ${safeRequestId(error.requestId)}`;
  if (settled.outcome === "applied") {
    const { lines, structured } = describeWrite(call, args, { ...facts, after: settled.record });
    const text = [`${op.name}: APPLIED. ${lost}`, `checked: ${settled.checked}`, ...lines].join("\n");
    const data = shapeData(op, settled.record ?? null, call.config);
    return render(text, { outcome: "applied", verified_by: settled.checked, summary: text, ...structured, data, request_id: error.requestId });
  }
  if (settled.outcome === "not_applied" && error.kind === "timeout") {
    // LeadPanther may still be working on a request it has not answered: no all-clear yet.
    return errorText(
      `${op.name}: NOT APPLIED SO FAR. ${lost}\nchecked: ${settled.checked}\nThe request timed out, so LeadPanther may still complete it: wait a minute and check with ${call.op.record?.readWith ?? "a read tool"} before calling ${op.name} again.`,
    );
  }
  if (settled.outcome === "not_applied") {
    return errorText(`${op.name}: NOT APPLIED. ${lost}\nchecked: ${settled.checked}\nNothing changed; it is safe to call ${op.name} again.`);
  }
  return errorText(`${op.name}: OUTCOME STILL UNKNOWN. ${lost}\nchecked: ${settled.checked}\n${outcomeUnknownHint(op)}`);
}
