/**
 * The records the sandbox keeps, in their wire shape: a post in the store IS the JSON object
 * the API returns, so a list page is a slice plus one JSON.stringify.
 *
 * Field names beyond the contract's (§11–§16) are this sandbox's invention and are marked
 * [invented] below; they belong in the project's endpoint catalog as inferred.
 */
import type { ActorType, DeliveryMode, PostStatus } from "../contract.js";

export interface UserProfile {
  user_id: string;
  full_name: string;
  business_name: string;
  account_status: "active";
}

export type KeyStatus = "active" | "revoked" | "inactive";

export interface KeyRecord {
  key: string;
  userId: string;
  actorType: ActorType;
  scopes: string[];
  status: KeyStatus;
  /** Human description printed by the CLI. */
  role: string;
}

export type GrantStatus = "active" | "revoked";

/** §10: the `grant` object of GET /clients items for agency keys. */
export interface Grant {
  id: string;
  label: string;
  status: GrantStatus;
  permissions: string[];
  created_at: string;
  updated_at: string;
}

export interface GrantRecord {
  agencyUserId: string;
  clientUserId: string;
  grant: Grant;
}

/** §11 `metrics`, for published posts (null otherwise). Shape [invented]. */
export interface PostMetrics {
  impressions: number;
  reactions: number;
  comments: number;
  reposts: number;
  clicks: number;
}

/** §11 `followups`: automatic follow-up comments/messages. Shape [invented]. */
export interface Followup {
  id: string;
  text: string;
  delay_minutes: number;
  status: "pending" | "sent" | "cancelled";
}

/** §11 `theme`: the theme the post belongs to. Shape [invented]: `{ id, name }`. */
export interface PostTheme {
  id: string;
  name: string | null;
}

export interface Post {
  id: string;
  text: string;
  status: PostStatus;
  scheduled_at: string | null;
  /** [invented] when the post went live; null unless published. */
  published_at: string | null;
  images: string[];
  document_url: string | null;
  theme_id: string | null;
  template_id: string | null;
  notes: string | null;
  metrics: PostMetrics | null;
  theme: PostTheme | null;
  followups: Followup[];
  created_at: string;
  updated_at: string;
}

export interface HostedPage {
  headline: string | null;
  content: string | null;
  external_resource_url: string | null;
}

export interface LeadMagnet {
  id: string;
  title: string;
  keyword: string | null;
  status: "draft" | "published";
  delivery_mode: DeliveryMode;
  hosted_page: HostedPage | null;
  resource_link: string | null;
  cta_label: string | null;
  cta_url: string | null;
  created_at: string;
  updated_at: string;
}

/** Counters behind §16 lead magnet analytics. */
export interface LeadMagnetStats {
  views: number;
  comments_matched: number;
  leads_captured: number;
  updated_at: string;
}

/** §14 plus the stated-but-unshaped fields: headline, form_name, source, intent_signals, created_at. */
export interface Lead {
  id: string;
  linkedin_profile_url: string;
  name: string;
  headline: string | null;
  emails: { submitted: string | null; work: string | null; personal: string | null };
  latest_keyword: string | null;
  has_intent: boolean;
  /** [invented values] "qualified" | "unqualified" | "pending" */
  qualification_status: "qualified" | "unqualified" | "pending";
  form_name: string | null;
  /** [invented values] where the lead came from. */
  source: "comment" | "message" | "hosted_page";
  intent_signals: string[];
  created_at: string;
}

/**
 * §15. `metadata` always has `post_id`; comments add `comment_id`, messages add `chat_id`
 * and `message_id` [invented IDs' format]. `status` values are [invented]:
 * "matched" | "unmatched" | "replied" | "delivered".
 */
export interface ActivityItem {
  id: string;
  source: "comment" | "message";
  author_name: string;
  author_profile_url: string;
  content: string;
  keyword: string | null;
  status: "matched" | "unmatched" | "replied" | "delivered";
  metadata: { post_id: string; comment_id?: string; chat_id?: string; message_id?: string };
  created_at: string;
}

/** One account's seed (a direct user or an agency client). Lists are newest first. */
export interface AccountSeed {
  profile: UserProfile;
  posts: Post[];
  leadMagnets: LeadMagnet[];
  leadMagnetStats: Map<string, LeadMagnetStats>;
  leads: Lead[];
  activity: ActivityItem[];
}

export interface SeedData {
  /** Every user, including the agency (which has no account data of its own). */
  users: UserProfile[];
  keys: KeyRecord[];
  grants: GrantRecord[];
  accounts: AccountSeed[];
  /** Known themes by id, to fill `theme.name`. */
  themes: Map<string, string>;
}
