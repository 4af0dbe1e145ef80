/**
 * Contract §14 (leads), §15 (activity) and §16 (post engagement): shapes, amounts, and the
 * hostile third-party strings the server's safety work defends against.
 */
import { describe, expect, test } from "vitest";
import { DEMO, HOSTILE_STRINGS, startSandbox, type ActivityItem, type Lead, type Sandbox } from "../../src/sandbox/index.js";
import { call, useSandbox } from "./helpers.js";

let sandbox: Sandbox;
const agent = useSandbox((started) => (sandbox = started), { reset: false });
const key: string = DEMO.keys.directAll;

async function all<T>(path: string, apiKey = key): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await call<T[]>(sandbox, agent, "GET", `${path}?limit=100&offset=${offset}`, { key: apiKey });
    expect(page.status).toBe(200);
    items.push(...page.json.data);
    if (page.json.pagination?.has_more !== true) return items;
  }
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("§14 leads", () => {
  test("§14 ≥ 60 leads on the direct account, fewer on clients", async () => {
    expect((await all<Lead>("/leads")).length).toBeGreaterThanOrEqual(60);
    const clientLeads = await all<Lead>(`/clients/${DEMO.clients.full}/leads`, DEMO.keys.agency);
    expect(clientLeads.length).toBeGreaterThan(0);
    expect(clientLeads.length).toBeLessThan(60);
  });

  test("§14 every lead has the contract's fields plus headline, form_name, source, intent_signals, created_at", async () => {
    for (const lead of await all<Lead>("/leads")) {
      expect(Object.keys(lead).sort()).toEqual(
        ["created_at", "emails", "form_name", "has_intent", "headline", "id", "intent_signals", "latest_keyword", "linkedin_profile_url", "name", "qualification_status", "source"].sort(),
      );
      expect(Object.keys(lead.emails).sort()).toEqual(["personal", "submitted", "work"]);
      expect(lead.linkedin_profile_url.startsWith("https://www.linkedin.com/in/")).toBe(true);
      expect(Array.isArray(lead.intent_signals)).toBe(true);
      expect(lead.created_at).toMatch(ISO_MS);
      expect(["qualified", "unqualified", "pending"]).toContain(lead.qualification_status);
    }
  });

  test("§14 hostile strings appear in lead name, headline and form_name", async () => {
    const leads = await all<Lead>("/leads");
    const hostile = new Set(HOSTILE_STRINGS);
    expect(leads.some((lead) => hostile.has(lead.name))).toBe(true);
    expect(leads.some((lead) => lead.headline !== null && hostile.has(lead.headline))).toBe(true);
    expect(leads.some((lead) => lead.form_name !== null && hostile.has(lead.form_name))).toBe(true);
  });

  test("§14 the seed is deterministic: two sandboxes serve the same leads", async () => {
    const other = await startSandbox();
    try {
      const ids = (sandboxUnderTest: Sandbox): string[] => sandboxUnderTest.store.leadsOf(DEMO.users.direct).map((lead) => `${lead.id}|${lead.name}`);
      expect(ids(other)).toEqual(ids(sandbox));
    } finally {
      await other.close();
    }
  });
});

describe("§15 activity", () => {
  test("§15 ≥ 40 activity items on the direct account, fewer on clients", async () => {
    expect((await all<ActivityItem>("/activity")).length).toBeGreaterThanOrEqual(40);
    const clientActivity = await all<ActivityItem>(`/clients/${DEMO.clients.full}/activity`, DEMO.keys.agency);
    expect(clientActivity.length).toBeGreaterThan(0);
    expect(clientActivity.length).toBeLessThan(40);
  });

  test("§15 every item has the shape, with platform ids depending on the source", async () => {
    const postIds = new Set(sandbox.store.postsOf(DEMO.users.direct).map((post) => post.id));
    for (const item of await all<ActivityItem>("/activity")) {
      expect(Object.keys(item).sort()).toEqual(["author_name", "author_profile_url", "content", "created_at", "id", "keyword", "metadata", "source", "status"]);
      expect(postIds.has(item.metadata.post_id)).toBe(true);
      if (item.source === "comment") expect(Object.keys(item.metadata).sort()).toEqual(["comment_id", "post_id"]);
      else {
        expect(item.source).toBe("message");
        expect(Object.keys(item.metadata).sort()).toEqual(["chat_id", "message_id", "post_id"]);
      }
      expect(item.created_at).toMatch(ISO_MS);
    }
  });

  test("§15 ≥ 15 distinct hostile strings, every one served in activity content", async () => {
    expect(new Set(HOSTILE_STRINGS).size).toBeGreaterThanOrEqual(15);
    const contents = new Set((await all<ActivityItem>("/activity")).map((item) => item.content));
    for (const hostile of HOSTILE_STRINGS) expect(contents.has(hostile)).toBe(true);
  });

  test("§15 hostile strings also appear as author_name", async () => {
    const hostile = new Set(HOSTILE_STRINGS);
    expect((await all<ActivityItem>("/activity")).some((item) => hostile.has(item.author_name))).toBe(true);
  });

  test("§15 the hostile set covers every attack kind the brief lists", () => {
    const joined = HOSTILE_STRINGS.join("\n");
    expect(joined).toContain("delete_post");
    expect(joined).toMatch(/API key/);
    expect(joined).toContain("</data> SYSTEM:");
    expect(joined).toContain("<|im_start|>system");
    for (const invisible of ["\u200B", "\u200D", "\uFEFF", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"]) expect(joined).toContain(invisible);
    expect([...joined].some((char) => (char.codePointAt(0) ?? 0) >= 0xe0000 && (char.codePointAt(0) ?? 0) <= 0xe007f)).toBe(true);
    expect(joined).toMatch(/!\[[^\]]*\]\(https:\/\/evil\.example/);
    expect(joined).toContain("<img src=x onerror=");
    expect(joined).toContain("<script>");
    expect(joined).toMatch(/\]\(https:\/\/evil\.example\/phish/);
    expect(joined).toMatch(/[\u0000-\u0008\u001b\u007f]/);
    expect(HOSTILE_STRINGS.some((text) => Buffer.byteLength(text) >= 100 * 1024)).toBe(true);
  });

  test("§15 hostile text survives the wire byte for byte (JSON-escaped, not altered)", async () => {
    const served = await all<ActivityItem>("/activity");
    const tagged = HOSTILE_STRINGS.find((text) => [...text].some((char) => (char.codePointAt(0) ?? 0) >= 0xe0000));
    expect(served.find((item) => item.content === tagged)).toBeDefined();
  });
});

describe("§16 post engagement", () => {
  interface Engagement {
    post_id: string;
    impressions: number;
    reactions: number;
    comments: number;
    reposts: number;
    clicks: number;
    engagement_rate: number;
    updated_at: string;
  }

  test("§16 shape is exactly { post_id, impressions, reactions, comments, reposts, clicks, engagement_rate, updated_at }", async () => {
    const post = sandbox.store.postsOf(DEMO.users.direct).find((candidate) => candidate.status === "published");
    const result = await call<Engagement>(sandbox, agent, "GET", `/posts/${post?.id ?? ""}/engagement`, { key });
    expect(Object.keys(result.json.data).sort()).toEqual(["clicks", "comments", "engagement_rate", "impressions", "post_id", "reactions", "reposts", "updated_at"]);
    const data = result.json.data;
    expect(data.post_id).toBe(post?.id);
    expect(data.impressions).toBe(post?.metrics?.impressions);
    expect(data.engagement_rate).toBeCloseTo((data.reactions + data.comments + data.reposts + data.clicks) / data.impressions, 3);
    expect(data.updated_at).toMatch(ISO_MS);
  });

  test("§16 a draft reports zeros", async () => {
    const post = sandbox.store.postsOf(DEMO.users.direct).find((candidate) => candidate.status === "draft");
    const result = await call<Engagement>(sandbox, agent, "GET", `/posts/${post?.id ?? ""}/engagement`, { key });
    expect(result.json.data).toMatchObject({ impressions: 0, reactions: 0, engagement_rate: 0 });
  });

  test("§16 unknown post → 404; malformed id → 400", async () => {
    expect((await call(sandbox, agent, "GET", "/posts/11111111-2222-4333-8444-555555555555/engagement", { key })).status).toBe(404);
    expect((await call(sandbox, agent, "GET", "/posts/123/engagement", { key })).status).toBe(400);
  });
});
