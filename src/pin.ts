import type { ApiClient } from "./api/client.js";
import { ApiError } from "./api/errors.js";
import { hasScope, type AccessState } from "./access.js";
import { exposedTools, type ExposureSettings } from "./catalog.js";
import { isRecord } from "./json.js";

/**
 * The client pinned with LEADPANTHER_CLIENT_ID, as the key sees it: its name and grant, and
 * what is wrong with the pin (unknown to the key, grant not active, scopes the tools need that
 * the grant lacks). Reported at start and by get_me; the server keeps running either way.
 */
export interface PinnedClient {
  id: string;
  name?: string;
  grant_status?: string;
  permissions?: string[];
  /** One line on what is wrong; absent when the pin works. */
  problem?: string;
}

export async function checkPinnedClient(
  api: ApiClient,
  clientId: string,
  state: AccessState,
  settings: ExposureSettings,
  signal?: AbortSignal,
): Promise<PinnedClient> {
  const pin = `LEADPANTHER_CLIENT_ID ${clientId}`;
  let record: Record<string, unknown>;
  try {
    const success = await api.call({ method: "GET", path: `/clients/${encodeURIComponent(clientId)}`, route: "/clients/{clientId}", authenticated: true, ...(signal ? { signal } : {}) });
    record = isRecord(success.data) ? success.data : {};
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return {
      id: clientId,
      problem:
        error.code === "not_found"
          ? `${pin} is not a client of this key (GET /clients/{id} is not_found): list_clients shows the user_ids the key holds grants for; the operator must fix the setting.`
          : `${pin} could not be checked (${error.code ?? error.kind}${error.status ? `, HTTP ${error.status}` : ""}).`,
    };
  }
  const grant = isRecord(record.grant) ? record.grant : {};
  const permissions = Array.isArray(grant.permissions) ? grant.permissions.filter((item): item is string => typeof item === "string") : [];
  const name = [record.business_name, record.full_name].find((value): value is string => typeof value === "string" && value.trim() !== "");
  const report: PinnedClient = { id: clientId, ...(name !== undefined ? { name } : {}), ...(typeof grant.status === "string" ? { grant_status: grant.status } : {}), permissions };
  if (grant.status !== "active") {
    return { ...report, problem: `${pin} (${name ?? "unnamed"}) has a grant that is ${String(grant.status ?? "missing")}, not active: every call on it will be refused until the client grants access again.` };
  }
  const needed = new Set(
    exposedTools(state, settings)
      .filter(({ op, variant }) => variant === "pinned" && op.requires.kind === "scope")
      .map(({ op }) => (op.requires.kind === "scope" ? op.requires.scope : "")),
  );
  const lacking = [...needed].filter((scope) => !hasScope(permissions, scope)).sort();
  if (lacking.length > 0) {
    return { ...report, problem: `${pin} (${name ?? "unnamed"}): its grant lacks ${lacking.join(", ")}, so the tools needing ${lacking.length === 1 ? "it" : "them"} will be refused for this client.` };
  }
  return report;
}

export function describePinnedClient(pin: PinnedClient): string {
  const who = pin.name !== undefined ? `${pin.name} (${pin.id})` : pin.id;
  const grant = pin.grant_status !== undefined ? `, grant ${pin.grant_status}, permissions: ${(pin.permissions ?? []).join(", ") || "none"}` : "";
  return `Pinned client (LEADPANTHER_CLIENT_ID): ${who}${grant}.${pin.problem ? ` PROBLEM: ${pin.problem}` : ""}`;
}
