import { leadMagnetIdShape, leadMagnetNotFound } from "./lead-magnets.js";
import { postIdShape, postNotFound } from "./posts.js";
import { defineTool } from "./types.js";
import { BOARD_TOOL_META } from "../app/resource.js";

/** Analytics: read-only figures of one post or one lead magnet; the catalog lists each beside its record's tools. */
export const POST_ENGAGEMENT_TOOL = defineTool({
  name: "get_post_engagement",
  title: "Post engagement",
  description: "Engagement of one post: impressions, reactions, comments, reposts, clicks, engagement rate.",
  method: "GET",
  directPath: "/posts/{postId}/engagement",
  agencyPath: "/clients/{clientId}/posts/{postId}/engagement",
  requires: { kind: "scope", scope: "analytics:read" },
  toolset: "analytics",
  provenance: "inferred",
  provenanceNote: "path and response shape inferred",
  inputShape: { ...postIdShape },
  request: { pathParams: { post_id: "postId" } },
  effect: "read",
  idempotent: true,
  list: false,
  noun: "engagement",
  meta: BOARD_TOOL_META,
  probeFrom: "list_posts",
  hints: { notFound: postNotFound },
});

export const LEAD_MAGNET_ANALYTICS_TOOL = defineTool({
  name: "get_lead_magnet_analytics",
  title: "Lead magnet analytics",
  description: "Views, matched comments, leads captured and conversion rate of one lead magnet.",
  method: "GET",
  directPath: "/lead-magnets/{leadMagnetId}/analytics",
  agencyPath: "/clients/{clientId}/lead-magnets/{leadMagnetId}/analytics",
  requires: { kind: "scope", scope: "analytics:read" },
  toolset: "analytics",
  provenance: "inferred",
  provenanceNote: "path and response shape inferred",
  inputShape: leadMagnetIdShape,
  request: { pathParams: { lead_magnet_id: "leadMagnetId" } },
  effect: "read",
  idempotent: true,
  list: false,
  noun: "analytics",
  probeFrom: "list_lead_magnets",
  hints: { notFound: leadMagnetNotFound },
});
