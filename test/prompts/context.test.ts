import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { describe, expect, test } from "vitest";
import { POST_TEXT_MAX } from "../../src/contract.js";
import { DEMO, type Sandbox } from "../../src/sandbox/index.js";
import { startStack, useStacks, waitFor } from "../fixtures/stack.js";

let sandbox: Sandbox;
const stack = useStacks((started) => {
  sandbox = started;
});

/** The raw API's first page, read over HTTP without the server (independent of its code). */
async function rawList(key: string, path: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${sandbox.baseUrl}${path}${path.includes("?") ? "&" : "?"}limit=100`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Record<string, unknown>[] }).data;
}

async function names(client: Client) {
  const [prompts, resources, templates] = await Promise.all([client.listPrompts(), client.listResources(), client.listResourceTemplates()]);
  return {
    prompts: prompts.prompts.map((prompt) => prompt.name).sort(),
    resources: resources.resources.map((resource) => resource.uri).sort(),
    templates: templates.resourceTemplates.map((template) => template.uriTemplate).sort(),
  };
}

function textOfContents(result: { contents: ({ text: string } | { blob: string })[] }): string {
  return result.contents.map((part) => ("text" in part ? part.text : "")).join("\n");
}

function promptText(result: { messages: { content: { type: string; text?: string } }[] }): string {
  return result.messages.map((message) => (message.content.type === "text" ? (message.content.text ?? "") : "")).join("\n");
}

async function complete(client: Client, ref: { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string }, name: string, value: string, context?: Record<string, string>) {
  const result = await client.complete({ ref, argument: { name, value }, ...(context ? { context: { arguments: context } } : {}) });
  return result.completion.values;
}

describe("follow_up_leads", () => {
  test("finds the qualified leads with intent on every page, not only the first (large sandbox)", async () => {
    const large = await startStack({ key: DEMO.keys.directAll, sandboxOptions: { scale: "large" } });
    try {
      const all: Record<string, unknown>[] = [];
      for (let offset = 0; ; offset += 100) {
        const response = await fetch(`${large.sandbox.baseUrl}/leads?limit=100&offset=${String(offset)}`, { headers: { authorization: `Bearer ${DEMO.keys.directAll}` } });
        const page = (await response.json()) as { data: Record<string, unknown>[] };
        all.push(...page.data);
        if (page.data.length < 100) break;
      }
      const keyword = "TEMPLATE";
      const candidates = all
        .map((lead, index) => ({ lead, index }))
        .filter(({ lead }) => lead.qualification_status === "qualified" && lead.has_intent === true && lead.latest_keyword === keyword)
        .sort((a, b) => Date.parse(String(b.lead.created_at)) - Date.parse(String(a.lead.created_at)));
      // A since date that keeps about 80 of them: more than a page of leads to read, fewer than the prompt's 100.
      const since = String(candidates[Math.min(79, candidates.length - 1)]?.lead.created_at).slice(0, 10);
      const wanted = candidates.filter(({ lead }) => Date.parse(String(lead.created_at)) >= Date.parse(since));
      expect(wanted.length, "the large sandbox has such leads").toBeGreaterThan(0);
      expect(wanted.length, "few enough for one prompt").toBeLessThanOrEqual(100);
      expect(wanted.some(({ index }) => index >= 100), "some of them past the first page").toBe(true);
      const text = promptText(await large.client.getPrompt({ name: "follow_up_leads", arguments: { keyword, since } }));
      expect(text).toContain(`${String(wanted.length)} lead(s):`);
      expect(text).toContain(`Every lead was read (${String(all.length)}).`);
      for (const { lead } of wanted) expect(text).toContain(String(lead.id));
      const others = all.filter((lead) => !wanted.some(({ lead: kept }) => kept.id === lead.id));
      for (const lead of others.slice(0, 500)) expect(text).not.toContain(String(lead.id));
    } finally {
      await large.close();
    }
  }, 60_000);
});

describe("prompts and resources follow the key", () => {
  test("direct key with every scope: every prompt and resource, each readable, completions from one page, no key in any text", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    expect(await names(s.client)).toEqual({
      prompts: ["draft_post", "follow_up_leads", "plan_week", "review_performance"],
      resources: ["leadpanther://account", "leadpanther://calendar", "leadpanther://rules", "ui://leadpanther/board.html"],
      templates: ["leadpanther://lead-magnets/{lead_magnet_id}", "leadpanther://posts/{post_id}"],
    });
    const version = s.client.getServerVersion();
    expect(version?.icons?.[0]?.src).toMatch(/^data:image\/svg\+xml;base64,/);
    const resources = (await s.client.listResources()).resources;
    expect(resources.find((resource) => resource.uri === "leadpanther://rules")?.icons?.[0]?.mimeType).toBe("image/svg+xml");

    const rules = textOfContents(await s.client.readResource({ uri: "leadpanther://rules" }));
    expect(rules).toContain(`1–${POST_TEXT_MAX.toLocaleString("en-US")} characters`);
    expect(rules).toMatch(/`text` \(string, required\)/);
    expect(rules).toMatch(/`delivery_mode` \(one of hosted_content, gated_external, external_link/);
    const account = textOfContents(await s.client.readResource({ uri: "leadpanther://account" }));
    expect(account).toContain("direct_user");

    const posts = await rawList(DEMO.keys.directAll, "/posts");
    const firstPost = posts[0] as { id: string; text: string };
    const post = textOfContents(await s.client.readResource({ uri: `leadpanther://posts/${firstPost.id}` }));
    expect(post).toContain(firstPost.id);
    expect(post).toContain("get_post: ok.");
    const magnets = await rawList(DEMO.keys.directAll, "/lead-magnets");
    const magnet = magnets[0] as { id: string; title: string; keyword: string };
    expect(textOfContents(await s.client.readResource({ uri: `leadpanther://lead-magnets/${magnet.id}` }))).toContain(magnet.id);

    // Completions: by the first words of a post, by a lead magnet's title, by keyword, by time zone.
    const firstWords = firstPost.text.split(/\s+/).slice(0, 3).join(" ");
    expect(await complete(s.client, { type: "ref/resource", uri: "leadpanther://posts/{post_id}" }, "post_id", firstWords)).toContain(firstPost.id);
    expect(await complete(s.client, { type: "ref/resource", uri: "leadpanther://lead-magnets/{lead_magnet_id}" }, "lead_magnet_id", magnet.title.slice(0, 6))).toContain(magnet.id);
    expect(await complete(s.client, { type: "ref/prompt", name: "draft_post" }, "lead_magnet_id", magnet.title.slice(0, 6))).toContain(magnet.id);
    const keywords = await complete(s.client, { type: "ref/prompt", name: "follow_up_leads" }, "keyword", magnet.keyword.slice(0, 2));
    expect(keywords).toContain(magnet.keyword);
    expect(await complete(s.client, { type: "ref/prompt", name: "draft_post" }, "keyword", "")).toEqual(expect.arrayContaining(magnets.map((m) => m.keyword).filter((k) => typeof k === "string")));

    // Bounded: a second completion within the cache's life reads nothing more.
    const before = sandbox.requests().length;
    await complete(s.client, { type: "ref/prompt", name: "draft_post" }, "keyword", "");
    expect(sandbox.requests().length).toBe(before);

    const draft = promptText(await s.client.getPrompt({ name: "draft_post", arguments: { topic: "hiring", lead_magnet_id: magnet.id, keyword: magnet.keyword } }));
    expect(draft).toContain("The account's own recent posts (its own text");
    expect(draft).toContain(`1–${POST_TEXT_MAX.toLocaleString("en-US")} characters`);
    expect(draft).toContain(magnet.id);
    expect(draft).toContain("create_post");
    expect(draft).toContain("WITHOUT scheduled_at");

    const leads = await rawList(DEMO.keys.directAll, "/leads");
    const expected = leads.filter((lead) => lead.qualification_status === "qualified" && lead.has_intent === true);
    const followUp = promptText(await s.client.getPrompt({ name: "follow_up_leads", arguments: {} }));
    expect(followUp).toContain(`${expected.length} lead(s):`);
    expect(followUp).toContain("third parties");
    for (const lead of expected) expect(followUp).toContain(String(lead.id));

    for (const text of [rules, account, post, draft, followUp]) expect(text).not.toContain(DEMO.keys.directAll);
  });

  test("a key with posts:read only sees no lead prompt and no lead magnet resource; completions for lead magnets are empty", async () => {
    const s = await stack({ key: DEMO.keys.directPostsRead });
    expect(await names(s.client)).toEqual({
      prompts: ["draft_post", "plan_week", "review_performance"],
      resources: ["leadpanther://account", "leadpanther://calendar", "leadpanther://rules", "ui://leadpanther/board.html"],
      templates: ["leadpanther://posts/{post_id}"],
    });
    expect(await complete(s.client, { type: "ref/prompt", name: "draft_post" }, "lead_magnet_id", "")).toEqual([]);
    const draft = promptText(await s.client.getPrompt({ name: "draft_post", arguments: { topic: "hiring" } }));
    expect(draft).toContain("This key cannot create posts");
  });

  test("agency key: prompts take client_id, templates name the client, client_id completes by name", async () => {
    const s = await stack({ key: DEMO.keys.agency });
    expect((await names(s.client)).templates).toEqual([
      "leadpanther://clients/{client_id}/calendar",
      "leadpanther://clients/{client_id}/lead-magnets/{lead_magnet_id}",
      "leadpanther://clients/{client_id}/posts/{post_id}",
    ]);
    const draftPrompt = (await s.client.listPrompts()).prompts.find((prompt) => prompt.name === "draft_post");
    expect(draftPrompt?.arguments?.find((argument) => argument.name === "client_id")?.required).toBe(true);
    const clients = await rawList(DEMO.keys.agency, "/clients");
    const full = clients.find((client) => client.user_id === DEMO.clients.full) as { user_id: string; business_name?: string; full_name?: string };
    const name = String(full.business_name ?? full.full_name).slice(0, 5);
    expect(await complete(s.client, { type: "ref/prompt", name: "draft_post" }, "client_id", name)).toContain(DEMO.clients.full);
    const posts = await rawList(DEMO.keys.agency, `/clients/${DEMO.clients.full}/posts`);
    const firstPost = posts[0] as { id: string; text: string };
    const uriTemplate = "leadpanther://clients/{client_id}/posts/{post_id}";
    expect(await complete(s.client, { type: "ref/resource", uri: uriTemplate }, "post_id", firstPost.text.split(/\s+/).slice(0, 3).join(" "), { client_id: DEMO.clients.full })).toContain(firstPost.id);
    const post = textOfContents(await s.client.readResource({ uri: `leadpanther://clients/${DEMO.clients.full}/posts/${firstPost.id}` }));
    expect(post).toContain("get_post: ok.");
    const draft = promptText(await s.client.getPrompt({ name: "draft_post", arguments: { topic: "hiring", client_id: DEMO.clients.full } }));
    expect(draft).toContain(`client_id ${DEMO.clients.full}`);
  });

  test("pinned client: no client_id argument, reads go to the pinned client", async () => {
    const s = await stack({ key: DEMO.keys.agency, env: { LEADPANTHER_CLIENT_ID: DEMO.clients.full } });
    expect((await names(s.client)).templates).toEqual(["leadpanther://lead-magnets/{lead_magnet_id}", "leadpanther://posts/{post_id}"]);
    const draftPrompt = (await s.client.listPrompts()).prompts.find((prompt) => prompt.name === "draft_post");
    expect(draftPrompt?.arguments?.map((argument) => argument.name)).not.toContain("client_id");
    const posts = await rawList(DEMO.keys.agency, `/clients/${DEMO.clients.full}/posts`);
    const firstPost = posts[0] as { id: string };
    expect(await complete(s.client, { type: "ref/resource", uri: "leadpanther://posts/{post_id}" }, "post_id", firstPost.id.slice(0, 8))).toContain(firstPost.id);
    expect(textOfContents(await s.client.readResource({ uri: `leadpanther://posts/${firstPost.id}` }))).toContain("get_post: ok.");
  });

  test("read-only server with read scopes: the draft is shown, not saved", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_READ_ONLY: "true" } });
    expect((await names(s.client)).prompts).toEqual(["draft_post", "follow_up_leads", "plan_week", "review_performance"]);
    const draft = promptText(await s.client.getPrompt({ name: "draft_post", arguments: { topic: "hiring" } }));
    expect(draft).toContain("This key cannot create posts");
  });
});

/** All records of a collection, read page by page over raw HTTP. */
async function rawAll(key: string, path: string): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  for (let offset = 0; ; offset += 100) {
    const response = await fetch(`${sandbox.baseUrl}${path}?limit=100&offset=${offset}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json()) as { data: Record<string, unknown>[]; pagination?: { has_more: boolean } };
    all.push(...body.data);
    if (!body.pagination?.has_more) return all;
  }
}

describe("review_performance, plan_week and the calendar", () => {
  test("review_performance's funnel numbers match the sandbox's data, counted here from raw reads", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    const [posts, activity, leads] = await Promise.all([rawAll(DEMO.keys.directAll, "/posts"), rawAll(DEMO.keys.directAll, "/activity"), rawAll(DEMO.keys.directAll, "/leads")]);
    const published = posts.filter((post) => post.status === "published").sort((a, b) => String(b.published_at).localeCompare(String(a.published_at))).slice(0, 5);
    const text = promptText(await s.client.getPrompt({ name: "review_performance", arguments: { count: "5" } }));
    expect(text).toContain("How each number was derived:");
    let someMatched = false;
    let someLeads = false;
    for (const post of published) {
      const onPost = activity.filter((item) => item.source === "comment" && item.keyword !== null && (item.metadata as { post_id?: string }).post_id === post.id);
      const keywords = [...new Set(onPost.map((item) => String(item.keyword)))];
      const leadCount = leads.filter((lead) => keywords.includes(String(lead.latest_keyword)) && new Date(String(lead.created_at)) >= new Date(String(post.published_at))).length;
      const comments = (post.metrics as { comments: number }).comments;
      const row = text.split("\n").find((line) => line.startsWith(`| ${String(post.id)} |`));
      expect(row, `row of post ${String(post.id)}`).toBeDefined();
      const cells = (row ?? "").split("|").map((part) => part.trim());
      // | post_id | published | opening | impressions | reactions | comments | matched | keyword | leads |
      expect(cells[6]).toBe(String(comments));
      expect(cells[7]).toBe(String(onPost.length));
      expect(cells[8]).toBe(keywords.join(", ") || "—");
      expect(cells[9]).toBe(String(leadCount));
      someMatched ||= onPost.length > 0;
      someLeads ||= leadCount > 0;
    }
    // The check is not vacuous: the sandbox's recent posts do have matched comments and leads.
    expect(someMatched).toBe(true);
    expect(someLeads).toBe(true);
  });

  test("without activity:read the funnel says what it cannot count", async () => {
    const s = await stack({ key: DEMO.keys.directPostsRead });
    const text = promptText(await s.client.getPrompt({ name: "review_performance", arguments: {} }));
    expect(text).toContain("matched keyword comments: not available (list_activity is not available to this API key.)");
    expect(text).toMatch(/\| n\/a \| — \| n\/a \|/);
    const invalid = promptText(await s.client.getPrompt({ name: "review_performance", arguments: { count: "50" } }));
    expect(invalid).toContain("count must be a whole number from 1 to 20");
  });

  test("plan_week lists the week's scheduled posts in the zone, the gaps, and best times; the calendar the next 14 days", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    const posts = await rawAll(DEMO.keys.directAll, "/posts");
    const scheduled = posts.filter((post) => post.status === "scheduled" && typeof post.scheduled_at === "string");
    const today = new Date().toISOString().slice(0, 10);
    const inDays = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000);
    const inCalendar = scheduled.filter((post) => new Date(String(post.scheduled_at)) >= inDays(0) && new Date(String(post.scheduled_at)) < inDays(14));
    expect(inCalendar.length).toBeGreaterThan(0);
    const calendar = textOfContents(await s.client.readResource({ uri: "leadpanther://calendar" }));
    for (const post of scheduled) {
      if (inCalendar.includes(post)) expect(calendar).toContain(String(post.id));
      else expect(calendar).not.toContain(String(post.id));
    }
    const week = promptText(await s.client.getPrompt({ name: "plan_week", arguments: { start_date: today, time_zone: "UTC" } }));
    const inWeek = scheduled.filter((post) => new Date(String(post.scheduled_at)) >= inDays(0) && new Date(String(post.scheduled_at)) < inDays(7));
    for (const post of inWeek) expect(week).toContain(String(post.id));
    expect(week).toContain("Days without a scheduled post:");
    expect(week).toMatch(/Best posting times[^\n]*\n- \d\d:00: \d+ reactions/);
    expect(await complete(s.client, { type: "ref/prompt", name: "plan_week" }, "time_zone", "berl")).toContain("Europe/Berlin");
    const wrongZone = promptText(await s.client.getPrompt({ name: "plan_week", arguments: { start_date: today, time_zone: "Mars/Base" } }));
    expect(wrongZone).toContain("not a known IANA time zone");
  });
});

describe("list_changed when GET /me changes what is allowed", () => {
  test("narrowed scopes remove the lead prompt and the lead magnet template, with one notification each kind", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    expect(s.client.getServerCapabilities()?.prompts).toEqual({ listChanged: true });
    expect(s.client.getServerCapabilities()?.resources).toEqual({ listChanged: true });
    expect((await names(s.client)).prompts).toContain("follow_up_leads");
    sandbox.keys.setScopes(DEMO.keys.directAll, ["posts:read"]);
    // A forbidden answer makes the server re-read /me.
    await s.call("list_leads");
    await waitFor(() => s.notifications.includes("notifications/prompts/list_changed") && s.notifications.includes("notifications/resources/list_changed"));
    await waitFor(async () => !(await names(s.client)).prompts.includes("follow_up_leads"));
    expect(await names(s.client)).toEqual({
      prompts: ["draft_post", "plan_week", "review_performance"],
      resources: ["leadpanther://account", "leadpanther://calendar", "leadpanther://rules", "ui://leadpanther/board.html"],
      templates: ["leadpanther://posts/{post_id}"],
    });
  });

  test("before /me answers only the account and the rules exist; the rest arrives with list_changed", async () => {
    sandbox.faults.inject({ path: "/me", kind: "status", status: 503, times: 3 });
    const s = await stack({ key: DEMO.keys.directAll });
    expect(await names(s.client)).toEqual({ prompts: [], resources: ["leadpanther://account", "leadpanther://rules", "ui://leadpanther/board.html"], templates: [] });
    await waitFor(async () => (await names(s.client)).prompts.length === 4, 10_000);
    expect(s.notifications).toContain("notifications/prompts/list_changed");
  });
});
