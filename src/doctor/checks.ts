/** What the doctor checks, in order: GET /, GET /me, the client to probe for, then every catalog route. */
import { randomUUID } from "node:crypto";
import { hasScope, parseIdentity, type AccessState, type Identity } from "../access.js";
import { CATALOG, exposedTools, fillPath, operation, OPERATIONS_BY_NAME, type Operation } from "../catalog.js";
import { SETTINGS, type Config } from "../config.js";
import { isRecord } from "../json.js";
import { describeAnswer, requestIdOf, type ProbeAnswer, type ProbeMethod, type ProbeOutcome, type Prober } from "./probe.js";
import type { DoctorReport, RouteCheck, RouteResult } from "./report.js";

/** Pages of GET /clients read to find a client with an active grant. */
const MAX_CLIENT_PAGES = 10;

interface ProbeClient {
  userId: string;
  /** The grant's permissions; null when unknown (a pinned client without clients:read). */
  permissions: readonly string[] | null;
}

export async function checkEverything(config: Config, prober: Prober, report: DoctorReport): Promise<void> {
  const rootRoute = (name: string): Pick<RouteCheck, "tool" | "method" | "route" | "provenance"> => {
    const op = operation(name);
    return { tool: op.name, method: op.method, route: op.directPath, provenance: op.provenance };
  };

  // GET / — no key.
  const root = await prober.send("GET", "/", { authenticated: false });
  if (!root.ok) {
    report.api = { ok: false, requestId: root.requestId, detail: `GET / failed: ${root.failure}. Check ${SETTINGS.baseUrl.env} and the network.` };
    report.routes.push({ ...rootRoute("get_api_info"), probe: "GET", result: "error", requestId: root.requestId, detail: root.failure });
    return;
  }
  const rootData = isRecord(root.answer.body) && isRecord(root.answer.body.data) ? root.answer.body.data : undefined;
  const rootOk = root.answer.status === 200 && rootData !== undefined;
  report.api = {
    ok: rootOk,
    name: typeof rootData?.name === "string" ? rootData.name : undefined,
    version: typeof rootData?.version === "string" ? rootData.version : undefined,
    requestId: root.answer.requestId,
    detail: rootOk
      ? "answered"
      : `GET / answered ${describeAnswer(root.answer)}, not the API's info envelope. ${SETTINGS.baseUrl.env} must be the API v1 base URL.`,
  };
  report.routes.push({
    ...rootRoute("get_api_info"),
    probe: "GET",
    result: rootOk ? "ok" : root.answer.code === "not_found" ? "missing" : "error",
    status: root.answer.status,
    requestId: root.answer.requestId,
    detail: rootOk ? `${report.api.name ?? "?"} ${report.api.version ?? "?"}` : describeAnswer(root.answer),
  });
  if (!rootOk) return;

  // GET /me — who the key belongs to.
  const me = await prober.send("GET", "/me");
  const identity = me.ok && me.answer.status === 200 && isRecord(me.answer.body) ? parseIdentity(me.answer.body.data) : undefined;
  if (!identity) {
    const detail = me.ok ? explainMeAnswer(me.answer) : `GET /me failed: ${me.failure}.`;
    report.me = { ok: false, requestId: requestIdOf(me), detail };
    report.routes.push({
      ...rootRoute("get_me"),
      probe: "GET",
      result: me.ok && me.answer.code === "not_found" ? "missing" : "error",
      ...(me.ok ? { status: me.answer.status, code: me.answer.code } : {}),
      requestId: requestIdOf(me),
      detail,
    });
    return;
  }
  const owner = isRecord(identity.me.owner) ? identity.me.owner : undefined;
  report.me = {
    ok: true,
    actorType: identity.actorType,
    scopes: [...identity.scopes],
    ...(owner ? { owner: pick(owner, ["user_id", "full_name", "business_name", "account_status"]) } : {}),
    requestId: requestIdOf(me),
    detail: "answered",
  };
  report.routes.push({ ...rootRoute("get_me"), probe: "GET", result: "ok", status: 200, requestId: requestIdOf(me), detail: identity.actorType });

  const agency = identity.actorType === "agency";
  let state: AccessState = { status: "ready", identity, checkedAt: Date.now() };
  if (!agency && config.clientId !== undefined) {
    const problem = `${SETTINGS.clientId.env} is set, but this key belongs to a direct user, not an agency: remove it, or use the agency's key.`;
    report.problems.push(problem);
    state = { status: "misconfigured", identity, problem };
  }
  report.exposedTools = exposedTools(state, config).map((tool) => tool.op.name);

  const lists = new ListCache(prober);
  const client = agency ? await chooseClient(config, identity, prober, report) : undefined;

  for (const op of CATALOG) {
    if (op.name === "get_api_info" || op.name === "get_me") continue;
    report.routes.push(await checkRoute(op, { identity, agency, client, lists, prober }));
  }
}

interface RouteContext {
  identity: Identity;
  agency: boolean;
  client: ProbeClient | undefined;
  lists: ListCache;
  prober: Prober;
}

/** Whether the key (and, on a nested route, the client's grant) covers a scope. */
function allows(context: RouteContext, op: Operation, nested: boolean): { allowed: boolean; why: string } {
  if (op.requires.kind !== "scope") return { allowed: true, why: "" };
  const scope = op.requires.scope;
  if (!hasScope(context.identity.scopes, scope)) return { allowed: false, why: `the key lacks ${scope}` };
  const permissions = context.client?.permissions;
  if (nested && permissions && !hasScope(permissions, scope)) return { allowed: false, why: `the client's grant lacks ${scope}` };
  return { allowed: true, why: "" };
}

async function checkRoute(op: Operation, context: RouteContext): Promise<RouteCheck> {
  const nested = context.agency && op.agencyPath !== undefined;
  const template = nested ? (op.agencyPath as string) : op.directPath;
  const base = { tool: op.name, method: op.method, route: template, provenance: op.provenance };
  const skip = (result: RouteResult, detail: string): RouteCheck => ({ ...base, probe: null, result, detail });

  if (nested && context.client === undefined) return skip("unverified", "no client account with an active grant to probe with");
  const scope = allows(context, op, nested);
  if (op.effect === "read" && !scope.allowed) return skip("forbidden", `not sent: ${scope.why}`);

  // The record placeholder is the last one in the template; {clientId} before it is the probe client.
  const placeholders = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const recordPlaceholder = placeholders.length > 0 && !(nested && placeholders.length === 1) ? placeholders[placeholders.length - 1] : undefined;
  const values: Record<string, string> = {};
  if (nested && context.client) values.clientId = context.client.userId;
  let guessedId = false;
  if (recordPlaceholder !== undefined) {
    const source = op.probeFrom === undefined ? undefined : await context.lists.firstId(op.probeFrom, context);
    if (source?.id !== undefined) {
      values[recordPlaceholder] = source.id;
    } else if (op.effect === "read") {
      return skip("unverified", `no record to probe with (${source?.why ?? "no list to take an id from"})`);
    } else {
      values[recordPlaceholder] = randomUUID();
      guessedId = true;
    }
  }
  const path = fillPath(template, values);

  if (op.effect === "read") {
    const outcome = op.list ? await context.lists.fetch(op.name, path) : await context.prober.send("GET", path);
    const probe = op.list ? "GET ?limit=1" : "GET";
    if (!outcome.ok) return { ...base, probe, result: "error", requestId: outcome.requestId, detail: outcome.failure };
    return classifyRead(base, probe, outcome.answer, op.list);
  }

  // A write route: a method the route does not take, so the API must refuse without acting.
  const hasGetTwin = CATALOG.some((other) => other.method === "GET" && other.directPath === op.directPath);
  const probeMethod: ProbeMethod = hasGetTwin ? "PUT" : "GET";
  const probe = `${probeMethod} (expects 405)`;
  const outcome = await context.prober.send(probeMethod, path);
  if (!outcome.ok) return { ...base, probe, result: "error", requestId: outcome.requestId, detail: outcome.failure };
  return classifyWrite(base, probe, probeMethod, outcome.answer, { guessedId, scope });
}

function classifyRead(
  base: Pick<RouteCheck, "tool" | "method" | "route" | "provenance">,
  probe: string,
  answer: ProbeAnswer,
  list: boolean,
): RouteCheck {
  const seen = { ...base, probe, status: answer.status, requestId: answer.requestId, ...(answer.code ? { code: answer.code } : {}) };
  if (answer.status >= 200 && answer.status < 300) {
    const data = isRecord(answer.body) ? answer.body.data : undefined;
    if (list && Array.isArray(data)) return { ...seen, result: "ok", detail: `answered a list (limit=1: ${data.length === 0 ? "empty" : `${data.length} item${data.length === 1 ? "" : "s"}`})` };
    if (!list && data !== undefined) return { ...seen, result: "ok", detail: "answered a record" };
    return { ...seen, result: "error", detail: `HTTP ${answer.status} without the API's ${list ? "list " : ""}envelope` };
  }
  if (answer.code === "not_found" || answer.code === "not_implemented") return { ...seen, result: "missing", detail: `${describeAnswer(answer)}: the path is wrong for this key` };
  if (answer.code === "method_not_allowed") return { ...seen, result: "missing", detail: `${describeAnswer(answer)}: the path exists but does not take GET${answer.allow ? ` (Allow: ${answer.allow})` : ""}` };
  if (answer.code === "forbidden") return { ...seen, result: "forbidden", detail: `${describeAnswer(answer)}: refused by LeadPanther (scope, grant or subject)` };
  return { ...seen, result: "error", detail: describeAnswer(answer) };
}

function classifyWrite(
  base: Pick<RouteCheck, "tool" | "method" | "route" | "provenance">,
  probe: string,
  probeMethod: ProbeMethod,
  answer: ProbeAnswer,
  context: { guessedId: boolean; scope: { allowed: boolean; why: string } },
): RouteCheck {
  const seen = {
    ...base,
    probe,
    status: answer.status,
    requestId: answer.requestId,
    ...(answer.code ? { code: answer.code } : {}),
    ...(answer.allow ? { allow: answer.allow } : {}),
  };
  if (answer.code === "method_not_allowed" || answer.status === 405) {
    const allowed = answer.allow?.split(",").map((method) => method.trim().toUpperCase());
    if (allowed && allowed.length > 0 && !allowed.includes(base.method)) {
      return { ...seen, result: "missing", detail: `the path exists but Allow: ${answer.allow} does not list ${base.method}` };
    }
    if (!allowed || allowed.length === 0) {
      // The contract promises 405 for a wrong method, not an Allow header: the path exists,
      // but nothing says it takes this tool's method.
      return { ...seen, result: "unverified", detail: `refused ${probeMethod} with method_not_allowed: the path exists; no Allow header confirms ${base.method}` };
    }
    return { ...seen, result: "ok", detail: `refused ${probeMethod} with method_not_allowed: the path exists (Allow: ${answer.allow})` };
  }
  if (answer.code === "not_found" || answer.code === "not_implemented") {
    if (context.guessedId) {
      return { ...seen, result: "unverified", detail: `${describeAnswer(answer)} for an invented id (no record to probe with): inconclusive` };
    }
    if (probeMethod === "PUT") {
      // The same path answered GET (its read twin is checked on its own line): an API may route
      // an unknown method as not_found, which says nothing about this tool's method.
      return { ...seen, result: "unverified", detail: `${describeAnswer(answer)} for PUT on a path that answers GET: the API does not say whether it takes ${base.method}` };
    }
    return { ...seen, result: "missing", detail: `${describeAnswer(answer)}: the path is wrong for this key` };
  }
  if (answer.code === "forbidden") {
    return { ...seen, result: "forbidden", detail: `${describeAnswer(answer)}${context.scope.allowed ? ": refused by LeadPanther" : `: ${context.scope.why}`}` };
  }
  if (answer.status >= 200 && answer.status < 300 && probeMethod === "GET") {
    return { ...seen, result: "ok", detail: `answered GET with HTTP ${answer.status}: the path exists` };
  }
  if (answer.status >= 200 && answer.status < 300) {
    return { ...seen, result: "error", detail: `LeadPanther accepted ${probeMethod} (HTTP ${answer.status}), which no v1 route documents: check this route by hand` };
  }
  if (answer.code === "bad_request") return { ...seen, result: "unverified", detail: `${describeAnswer(answer)}: refused before routing, inconclusive` };
  return { ...seen, result: "error", detail: describeAnswer(answer) };
}

/** First pages of the list routes, fetched once and shared by the get and write probes. */
class ListCache {
  private readonly answers = new Map<string, Promise<ProbeOutcome>>();
  constructor(private readonly prober: Prober) {}

  fetch(listName: string, path: string): Promise<ProbeOutcome> {
    let pending = this.answers.get(listName);
    if (!pending) {
      pending = this.prober.send("GET", path, { query: { limit: "1" } });
      this.answers.set(listName, pending);
    }
    return pending;
  }

  /** The id of the first record of a list, or why there is none. */
  async firstId(listName: string, context: RouteContext): Promise<{ id?: string; why: string }> {
    const listOp = OPERATIONS_BY_NAME.get(listName);
    if (!listOp) return { why: `no list ${listName}` };
    const nested = context.agency && listOp.agencyPath !== undefined;
    if (nested && !context.client) return { why: "no client to probe with" };
    const scope = allows(context, listOp, nested);
    if (!scope.allowed) return { why: `${listName} not allowed: ${scope.why}` };
    const path = nested ? fillPath(listOp.agencyPath as string, { clientId: (context.client as ProbeClient).userId }) : listOp.directPath;
    const outcome = await this.fetch(listName, path);
    if (!outcome.ok) return { why: `${listName} failed` };
    const data = isRecord(outcome.answer.body) ? outcome.answer.body.data : undefined;
    if (!Array.isArray(data)) return { why: `${listName} answered ${describeAnswer(outcome.answer)}` };
    const first: unknown = data[0];
    if (!isRecord(first)) return { why: `${listName} returned none` };
    const id = typeof first.id === "string" ? first.id : typeof first.user_id === "string" ? first.user_id : undefined;
    return id === undefined ? { why: `${listName}'s first item has no id` } : { id, why: "" };
  }
}

/** Agency work is probed on one client: the pinned one, else the first with an active grant. */
async function chooseClient(config: Config, identity: Identity, prober: Prober, report: DoctorReport): Promise<ProbeClient | undefined> {
  const canList = hasScope(identity.scopes, "clients:read");
  if (!canList) {
    if (config.clientId === undefined) {
      report.problems.push(
        `This agency key lacks clients:read, so the doctor cannot find a client to probe the account routes with. Set ${SETTINGS.clientId.env} to a client's user_id.`,
      );
      return undefined;
    }
    report.probeClient = { userId: config.clientId, name: null, grantStatus: null, permissions: null };
    return { userId: config.clientId, permissions: null };
  }
  let firstActive: Record<string, unknown> | undefined;
  let pinned: Record<string, unknown> | undefined;
  for (let page = 0; page < MAX_CLIENT_PAGES; page += 1) {
    const outcome = await prober.send("GET", "/clients", { query: { limit: "100", offset: String(page * 100) } });
    if (!outcome.ok || !isRecord(outcome.answer.body) || !Array.isArray(outcome.answer.body.data)) break;
    for (const item of outcome.answer.body.data as unknown[]) {
      if (!isRecord(item) || typeof item.user_id !== "string") continue;
      const active = isRecord(item.grant) && item.grant.status === "active";
      if (config.clientId !== undefined && item.user_id.toLowerCase() === config.clientId.toLowerCase()) pinned = item;
      if (active) firstActive ??= item;
    }
    const pagination = outcome.answer.body.pagination;
    if (!isRecord(pagination) || pagination.has_more !== true || (config.clientId === undefined ? firstActive : pinned)) break;
  }
  let chosen = firstActive;
  if (config.clientId !== undefined) {
    const pinnedActive = pinned !== undefined && isRecord(pinned.grant) && pinned.grant.status === "active";
    if (!pinnedActive) {
      report.problems.push(
        pinned === undefined
          ? `${SETTINGS.clientId.env} is not among this agency's clients (GET /clients). Use a user_id that list_clients shows.`
          : `${SETTINGS.clientId.env} names a client whose grant is not active: every call for it would be forbidden.`,
      );
    }
    chosen = pinned ?? { user_id: config.clientId };
  }
  if (chosen === undefined) return undefined;
  const grant = isRecord(chosen.grant) ? chosen.grant : undefined;
  const permissions = Array.isArray(grant?.permissions) ? grant.permissions.filter((item): item is string => typeof item === "string") : null;
  report.probeClient = {
    userId: chosen.user_id as string,
    name: typeof chosen.business_name === "string" ? chosen.business_name : typeof chosen.full_name === "string" ? chosen.full_name : null,
    grantStatus: typeof grant?.status === "string" ? grant.status : null,
    permissions,
  };
  return { userId: chosen.user_id as string, permissions };
}

function explainMeAnswer(answer: ProbeAnswer): string {
  if (answer.code === "unauthorized" || answer.status === 401) {
    return `LeadPanther refused the key (unauthorized, HTTP ${answer.status}). Check that ${SETTINGS.apiKey.env} is the whole key and that the key is still active (revoked and inactive keys are refused).`;
  }
  if (answer.code === "not_found" || answer.status === 404) {
    return `GET /me was not found (HTTP ${answer.status}). ${SETTINGS.baseUrl.env} must be the API v1 base URL.`;
  }
  if (answer.status === 200) return "GET /me answered, but not with the documented shape (actor_type and scopes).";
  return `GET /me answered ${describeAnswer(answer)}.`;
}

function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (key in record) picked[key] = record[key];
  return picked;
}

// ---------------------------------------------------------------------------------------------
// Text output
