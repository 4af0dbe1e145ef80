/**
 * The seeded data agrees with itself at both scales, read through the API (every page):
 * authors who are leads carry the lead's profile URL, matched comments carry their post's
 * call-to-action keyword, and counters are never below the records they count. Then what the
 * large scale promises: its amounts, names for accent- and width-insensitive search, one
 * "Ingrid Osei" past the first page, the hostile strings, a mix of post states and stable ids.
 */
import type { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  DEMO,
  HOSTILE_STRINGS,
  LARGE_SCALE,
  startSandbox,
  type ActivityItem,
  type Lead,
  type LeadMagnet,
  type Post,
  type Sandbox,
  type SandboxScale,
} from "../../src/sandbox/index.js";
import { call, makeAgent } from "./helpers.js";

interface AccountData {
  posts: Post[];
  leadMagnets: LeadMagnet[];
  leads: Lead[];
  activity: ActivityItem[];
  analytics: Map<string, { views: number; comments_matched: number; leads_captured: number }>;
}

async function allPages<T>(sandbox: Sandbox, agent: Agent, path: string, key: string): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await call<T[]>(sandbox, agent, "GET", `${path}?limit=100&offset=${offset}`, { key });
    expect(page.status, `${path} offset ${offset}`).toBe(200);
    items.push(...page.json.data);
    if (page.json.pagination?.has_more !== true) return items;
  }
}

/** Everything of one account through the API: `prefix` is "" (direct) or "/clients/{id}" (agency). */
async function readAccount(sandbox: Sandbox, agent: Agent, prefix: string, key: string): Promise<AccountData> {
  const [posts, leadMagnets, leads, activity] = await Promise.all([
    allPages<Post>(sandbox, agent, `${prefix}/posts`, key),
    allPages<LeadMagnet>(sandbox, agent, `${prefix}/lead-magnets`, key),
    allPages<Lead>(sandbox, agent, `${prefix}/leads`, key),
    allPages<ActivityItem>(sandbox, agent, `${prefix}/activity`, key),
  ]);
  const analytics: AccountData["analytics"] = new Map();
  for (const magnet of leadMagnets) {
    const result = await call<{ views: number; comments_matched: number; leads_captured: number }>(sandbox, agent, "GET", `${prefix}/lead-magnets/${magnet.id}/analytics`, { key });
    expect(result.status).toBe(200);
    analytics.set(magnet.id, result.json.data);
  }
  return { posts, leadMagnets, leads, activity, analytics };
}

/** The keyword a post's call to action asks for ("Comment GUIDE …"), or null. */
function ctaKeywordOf(post: Post): string | null {
  return /\bComment ([A-Z]+)\b/.exec(post.text)?.[1] ?? null;
}

function count<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  return items.reduce((total, item) => total + (predicate(item) ? 1 : 0), 0);
}

function expectConsistent(data: AccountData): void {
  const leadByUrl = new Map(data.leads.map((lead) => [lead.linkedin_profile_url, lead]));
  expect(leadByUrl.size, "lead profile URLs are unique").toBe(data.leads.length);
  const postById = new Map(data.posts.map((post) => [post.id, post]));
  const magnetKeywords = data.leadMagnets.map((magnet) => magnet.keyword);
  expect(new Set(magnetKeywords).size, "one lead magnet per keyword").toBe(magnetKeywords.length);
  const publishedKeywords = new Set(data.leadMagnets.filter((magnet) => magnet.status === "published").map((magnet) => magnet.keyword));

  // An author who is a lead (same profile URL) has the lead's name.
  let authorsWhoAreLeads = 0;
  for (const item of data.activity) {
    const lead = leadByUrl.get(item.author_profile_url);
    if (lead === undefined) continue;
    authorsWhoAreLeads++;
    expect(item.author_name, item.id).toBe(lead.name);
  }
  expect(authorsWhoAreLeads).toBeGreaterThan(0);

  // Every item is about a published post of the account; a matched one carries that post's
  // call-to-action keyword, which is a published lead magnet's keyword.
  let matched = 0;
  for (const item of data.activity) {
    const post = postById.get(item.metadata.post_id);
    expect(post?.status, `${item.id} → post ${item.metadata.post_id}`).toBe("published");
    if (post === undefined) continue;
    if (item.keyword === null) {
      expect(["unmatched"]).toContain(item.status);
      continue;
    }
    matched++;
    expect(item.keyword, item.id).toBe(ctaKeywordOf(post));
    expect(publishedKeywords.has(item.keyword), item.keyword).toBe(true);
    expect(["matched", "replied", "delivered"]).toContain(item.status);
  }
  expect(matched).toBeGreaterThan(0);

  // A post's comment count is at least its comment items.
  for (const post of data.posts) {
    const comments = count(data.activity, (item) => item.source === "comment" && item.metadata.post_id === post.id);
    if (post.status !== "published") expect(comments, post.id).toBe(0);
    else expect(post.metrics?.comments ?? -1, post.id).toBeGreaterThanOrEqual(comments);
  }

  // Lead keywords name a lead magnet of the account; its counters are at least what they count.
  for (const lead of data.leads) if (lead.latest_keyword !== null) expect(magnetKeywords, lead.id).toContain(lead.latest_keyword);
  for (const magnet of data.leadMagnets) {
    const analytics = data.analytics.get(magnet.id);
    const leads = count(data.leads, (lead) => lead.latest_keyword === magnet.keyword);
    const comments = count(data.activity, (item) => item.source === "comment" && item.keyword === magnet.keyword);
    expect(analytics?.leads_captured ?? -1, magnet.id).toBeGreaterThanOrEqual(leads);
    expect(analytics?.comments_matched ?? -1, magnet.id).toBeGreaterThanOrEqual(comments);
    expect(analytics?.views ?? -1, magnet.id).toBeGreaterThanOrEqual(analytics?.leads_captured ?? 0);
  }
}

describe.each(["small", "large"] as const)("the %s seed agrees with itself", (scale: SandboxScale) => {
  let sandbox: Sandbox;
  const agent = makeAgent();
  beforeAll(async () => {
    sandbox = await startSandbox({ scale });
  });
  afterAll(async () => {
    await agent.close();
    await sandbox.close();
  });

  test("the direct account, every page", async () => {
    expectConsistent(await readAccount(sandbox, agent, "", DEMO.keys.directAll));
  });

  test("an agency client, every page", async () => {
    expectConsistent(await readAccount(sandbox, agent, `/clients/${DEMO.clients.full}`, DEMO.keys.agency));
  });
});

describe("the large scale", () => {
  let sandbox: Sandbox;
  let direct: AccountData;
  const agent = makeAgent();
  beforeAll(async () => {
    sandbox = await startSandbox({ scale: "large" });
    direct = await readAccount(sandbox, agent, "", DEMO.keys.directAll);
  });
  afterAll(async () => {
    await agent.close();
    await sandbox.close();
  });

  test("amounts on the direct account: 500 posts, 36 lead magnets, 5,000 leads, 10,000 activity items", () => {
    expect(sandbox.scale).toBe("large");
    expect(LARGE_SCALE.direct).toEqual({ posts: 500, leadMagnets: 36, leads: 5_000, activity: 10_000 });
    expect({ posts: direct.posts.length, leadMagnets: direct.leadMagnets.length, leads: direct.leads.length, activity: direct.activity.length }).toEqual(LARGE_SCALE.direct);
  });

  test("agency clients stay modest", async () => {
    const leads = await allPages<Lead>(sandbox, agent, `/clients/${DEMO.clients.full}/leads`, DEMO.keys.agency);
    expect(leads.length).toBeGreaterThan(100);
    expect(leads.length).toBeLessThanOrEqual(1_000);
  });

  test("exactly one 'Ingrid Osei', at the offset LARGE_SCALE names (past the first page), with her e-mail", () => {
    const found = direct.leads.flatMap((lead, offset) => (lead.name === "Ingrid Osei" ? [{ lead, offset }] : []));
    expect(found).toHaveLength(1);
    const [{ lead, offset }] = found as [{ lead: Lead; offset: number }];
    expect({ id: lead.id, offset, email: lead.emails.submitted }).toEqual({ id: LARGE_SCALE.findableLead.id, offset: LARGE_SCALE.findableLead.offset, email: LARGE_SCALE.findableLead.email });
    expect(offset).toBeGreaterThanOrEqual(100);
    // Her first and last names are common on their own: a search must match both words.
    expect(count(direct.leads, (candidate) => candidate.name.startsWith("Ingrid "))).toBeGreaterThan(10);
    expect(count(direct.leads, (candidate) => candidate.name.endsWith(" Osei"))).toBeGreaterThan(10);
  });

  test("names with accents, non-Latin scripts and fullwidth letters", () => {
    const names = direct.leads.map((lead) => lead.name);
    for (const part of ["Lucía", "Zoë", "Ｙｕｋｉ", "Ｔａｎａｋａ", "Дмитрий", "山田", "Ødegaard", "Nguyễn"]) {
      expect(names.some((name) => name.includes(part)), part).toBe(true);
    }
    // A fullwidth name folds to the Latin one (width-insensitive search has something to find).
    expect(names.some((name) => name.normalize("NFKC").startsWith("Yuki "))).toBe(true);
  });

  test("e-mail addresses are unique", () => {
    const emails = direct.leads.flatMap((lead) => Object.values(lead.emails).filter((email): email is string => email !== null));
    expect(new Set(emails).size).toBe(emails.length);
  });

  test("every hostile string is served, in activity content and in lead fields", () => {
    const contents = new Set(direct.activity.map((item) => item.content));
    for (const hostile of HOSTILE_STRINGS) expect(contents.has(hostile)).toBe(true);
    const hostile = new Set(HOSTILE_STRINGS);
    expect(direct.leads.some((lead) => hostile.has(lead.name))).toBe(true);
    expect(direct.activity.some((item) => hostile.has(item.author_name))).toBe(true);
    // The ≥ 100 KB text appears once, not on every page.
    const longest = HOSTILE_STRINGS.reduce((a, b) => (a.length >= b.length ? a : b));
    expect(count(direct.activity, (item) => item.content === longest)).toBe(1);
  });

  test("a mix of post states; scheduled posts spread over the coming weeks, several on one weekday", () => {
    const byStatus = (status: Post["status"]): Post[] => direct.posts.filter((post) => post.status === status);
    for (const status of ["draft", "scheduled", "published", "failed"] as const) expect(byStatus(status).length, status).toBeGreaterThanOrEqual(25);
    const now = Date.now();
    const times = byStatus("scheduled").map((post) => Date.parse(post.scheduled_at ?? ""));
    for (const time of times) expect(time).toBeGreaterThan(now);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(21 * 86_400_000);
    expect(new Set(times.map((time) => new Date(time).toISOString().slice(11, 16))).size).toBeGreaterThan(10);
    // In the coming seven days some weekday has two or more posts ("the Tuesday one" is ambiguous).
    const week = times.filter((time) => time - now <= 7 * 86_400_000);
    const perDay = new Map<number, number>();
    for (const time of week) perDay.set(new Date(time).getUTCDay(), (perDay.get(new Date(time).getUTCDay()) ?? 0) + 1);
    expect(Math.max(...perDay.values())).toBeGreaterThanOrEqual(2);
  });

  test("deterministic: another start serves the same ids, names and texts", async () => {
    const other = await startSandbox({ scale: "large" });
    try {
      const summary = (candidate: Sandbox): string[] => [
        ...candidate.store.leadsOf(DEMO.users.direct).map((lead) => `${lead.id}|${lead.name}|${lead.emails.submitted ?? ""}`),
        ...candidate.store.postsOf(DEMO.users.direct).map((post) => `${post.id}|${post.status}|${post.text}`),
        ...candidate.store.activityOf(DEMO.users.direct).map((item) => `${item.id}|${item.author_profile_url}|${item.keyword ?? ""}`),
      ];
      expect(summary(other)).toEqual(summary(sandbox));
    } finally {
      await other.close();
    }
  });

  test("reset() brings back the large seed", async () => {
    const draft = direct.posts.find((post) => post.status === "draft");
    const deleted = await call(sandbox, agent, "DELETE", `/posts/${draft?.id ?? ""}`, { key: DEMO.keys.directAll });
    expect(deleted.status).toBe(200);
    expect(sandbox.store.postsOf(DEMO.users.direct)).toHaveLength(499);
    sandbox.reset();
    expect(sandbox.store.postsOf(DEMO.users.direct)).toHaveLength(500);
    expect(sandbox.store.leadsOf(DEMO.users.direct)).toHaveLength(5_000);
  });

  test("startSandbox refuses an unknown scale", async () => {
    await expect(startSandbox({ scale: "huge" as SandboxScale })).rejects.toThrow(/scale/);
  });
});
