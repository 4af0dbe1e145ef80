/**
 * The read-only routes: GET /me (§4), GET /clients and /clients/{clientId} (§5, §10),
 * leads (§14), activity (§15) and analytics (§16).
 *
 * Decisions where the contract is silent: GET /clients lists every client the agency holds
 * a grant record for, revoked grants included (the grant's `status` says so, which explains
 * a later 403); GET /clients/{id} answers any such client and not_found otherwise (also
 * for direct keys, whose client list is empty). Analytics rates are ratios rounded to four
 * decimals (0 when the denominator is 0); a post that is not published reports zeros.
 */
import { accountOf, type Handler, type RequestContext } from "./context.js";
import { findLeadMagnet } from "./lead-magnets.js";
import { findPost } from "./posts.js";
import { paginate } from "./query.js";
import type { GrantRecord } from "./records.js";
import { notFound } from "./wire.js";

export const getApiInfo = (): { name: string; version: string } => ({ name: "LeadPanther API", version: "v1" });

export const getMe: Handler = (context) => {
  const owner = context.state.store.user(context.key.userId);
  return {
    data: {
      owner: owner === undefined ? null : { ...owner },
      actor_type: context.key.actorType,
      scopes: [...context.key.scopes],
      subject: { user_id: context.key.userId },
    },
  };
};

function clientObject(context: RequestContext, record: GrantRecord): Record<string, unknown> {
  const profile = context.state.store.user(record.clientUserId);
  return {
    user_id: record.clientUserId,
    full_name: profile?.full_name ?? null,
    business_name: profile?.business_name ?? null,
    account_status: profile?.account_status ?? "active",
    grant: { ...record.grant, permissions: [...record.grant.permissions] },
  };
}

export const listClients: Handler = (context) => {
  if (context.key.actorType !== "agency") return paginate([], context.page);
  const clients = context.state.store.grantsOfAgency(context.key.userId).map((record) => clientObject(context, record));
  return paginate(clients, context.page);
};

export const getClient: Handler = (context) => {
  const clientId = context.params["clientId"] ?? "";
  const record = context.key.actorType === "agency" ? context.state.store.grantFor(context.key.userId, clientId) : undefined;
  if (record === undefined) throw notFound("No client account with this id is linked to this API key.");
  return { data: clientObject(context, record) };
};

export const listLeads: Handler = (context) => paginate(accountOf(context).leads, context.page);

export const listActivity: Handler = (context) => paginate(accountOf(context).activity, context.page);

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : Math.round((numerator / denominator) * 10_000) / 10_000;
}

export const getPostEngagement: Handler = (context) => {
  const post = findPost(context);
  const metrics = post.metrics ?? { impressions: 0, reactions: 0, comments: 0, reposts: 0, clicks: 0 };
  const interactions = metrics.reactions + metrics.comments + metrics.reposts + metrics.clicks;
  return {
    data: {
      post_id: post.id,
      impressions: metrics.impressions,
      reactions: metrics.reactions,
      comments: metrics.comments,
      reposts: metrics.reposts,
      clicks: metrics.clicks,
      engagement_rate: ratio(interactions, metrics.impressions),
      updated_at: post.updated_at,
    },
  };
};

export const getLeadMagnetAnalytics: Handler = (context) => {
  const magnet = findLeadMagnet(context);
  const stats = accountOf(context).leadMagnetStats.get(magnet.id) ?? { views: 0, comments_matched: 0, leads_captured: 0, updated_at: magnet.created_at };
  return {
    data: {
      lead_magnet_id: magnet.id,
      views: stats.views,
      comments_matched: stats.comments_matched,
      leads_captured: stats.leads_captured,
      conversion_rate: ratio(stats.leads_captured, stats.views),
      updated_at: stats.updated_at,
    },
  };
};
