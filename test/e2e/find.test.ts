import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CallToolResultSchema, ProgressNotificationSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { projectConcise } from "../../src/find/concise.js";
import { normalizeText } from "../../src/find/match.js";
import type { FindCollection } from "../../src/find/filters.js";
import { renderDetailedLine, renderHeader, type FindStructured } from "../../src/find/render.js";
import { DEMO, LARGE_SCALE, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { holdListResultsToTheFullSchema } from "../fixtures/stack.js";

/**
 * Find in one call (issue 11), over stdio against the large sandbox: the shipped CLI as a child
 * process, the sandbox in this one (so faults can be armed mid-scan and the expected answers
 * read independently, over raw HTTP, page by page).
 */

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
type Json = Record<string, unknown>;
type ListResult = Omit<FindStructured, "data"> & { request_id?: string; notice?: string; data: Json[] };

let sandbox: Sandbox;
let direct: Client;
let agency: Client;

async function spawnServer(key: string, env: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: { PATH: process.env.PATH ?? "", LEADPANTHER_API_KEY: key, LEADPANTHER_BASE_URL: sandbox.baseUrl, LEADPANTHER_LOG_LEVEL: "error", ...env },
    stderr: "ignore",
  });
  const client = new Client({ name: "find-e2e", version: "1.0.0" });
  holdListResultsToTheFullSchema(client);
  await client.connect(transport);
  return client;
}

beforeAll(async () => {
  sandbox = await startSandbox({ scale: "large" });
  [direct, agency] = await Promise.all([spawnServer(DEMO.keys.directAll), spawnServer(DEMO.keys.agency)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([direct?.close(), agency?.close()]);
  await sandbox?.close();
});

/** Every record of a collection as LeadPanther serves it, read directly, with its offset. */
async function rawAll(path: string, key: string = DEMO.keys.directAll): Promise<Json[]> {
  const records: Json[] = [];
  for (let offset = 0; ; offset += 100) {
    const response = await fetch(`${sandbox.baseUrl}${path}?limit=100&offset=${offset}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json()) as { data: Json[]; pagination: { has_more: boolean } };
    records.push(...body.data);
    if (!body.pagination.has_more) return records;
  }
}

/** A post written directly to the sandbox (as LeadPanther would hold it); its id. */
async function createPostDirectly(body: Json): Promise<string> {
  const response = await fetch(`${sandbox.baseUrl}/posts`, {
    method: "POST",
    headers: { authorization: `Bearer ${DEMO.keys.directAll}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return String(((await response.json()) as { data: Json }).data.id);
}

async function deletePostDirectly(id: string): Promise<void> {
  await fetch(`${sandbox.baseUrl}/posts/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${DEMO.keys.directAll}` } });
}

async function call(client: Client, name: string, args: Json): Promise<{ result: CallToolResult; list: ListResult }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return { result, list: result.structuredContent as unknown as ListResult };
}

/** Every match of a filtered call, following next_offset until complete; each call's account checked. */
async function findAll(client: Client, name: string, args: Json, from = 0): Promise<{ ids: string[]; calls: number }> {
  const ids: string[] = [];
  let offset = from;
  for (let calls = 1; ; calls++) {
    const { list } = await call(client, name, { ...args, offset });
    expect(list.offset).toBe(offset);
    expect(list.matched).toBe(list.data.length);
    ids.push(...list.data.map((item) => String(item.id ?? item.user_id)));
    if (list.complete) {
      expect(list.next_offset).toBeUndefined();
      return { ids, calls };
    }
    // The exact resume point: every record before it was examined, none after it.
    expect(list.next_offset).toBe(offset + (list.scanned ?? Number.NaN));
    offset = list.next_offset as number;
  }
}

/** An independent reading of "accent- and case-insensitive, every word found". */
function fold(text: unknown): string {
  return typeof text === "string" ? text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase() : "";
}
function hasWords(fields: unknown[], query: string): boolean {
  const words = fold(query).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return words.every((word) => fields.some((field) => fold(field).includes(word)));
}
const idsOf = (records: Json[], key = "id"): string[] => records.map((record) => String(record[key]));

describe("filters over the 5,000-lead sandbox, exact across pages", () => {
  test("a lead by name: one call, the one lead at offset 3216, a small result", async () => {
    const leads = await rawAll("/leads");
    expect(leads).toHaveLength(LARGE_SCALE.direct.leads);
    const { result, list } = await call(direct, "list_leads", { query: "ingrid osei" });
    expect(list.data.map((lead) => lead.name)).toEqual(["Ingrid Osei"]);
    expect(leads.findIndex((lead) => lead.id === list.data[0]?.id)).toBe(LARGE_SCALE.findableLead.offset);
    expect(list).toMatchObject({ complete: true, scanned: LARGE_SCALE.direct.leads, matched: 1, offset: 0 });
    expect(Buffer.byteLength(JSON.stringify(result.structuredContent))).toBeLessThanOrEqual(2_048);
    expect(Buffer.byteLength((result.content[0] as { text: string }).text)).toBeLessThanOrEqual(2_048);
  });

  test("accent-insensitive: Lucia finds every Lucía, and only those", async () => {
    const leads = await rawAll("/leads");
    const expected = idsOf(leads.filter((lead) => hasWords([lead.name, lead.headline, lead.form_name, ...Object.values((lead.emails as Json | null) ?? {})], "lucia")));
    expect(expected.length).toBeGreaterThan(100);
    expect(leads.some((lead) => String(lead.name).includes("Lucía"))).toBe(true);
    const found = await findAll(direct, "list_leads", { query: "Lucia", limit: 100, max_scan: 20_000 });
    expect(found.ids).toEqual(expected);
  });

  test("leads by keyword and intent: the same set as reading every page", async () => {
    const leads = await rawAll("/leads");
    const keyword = String(leads[150]?.latest_keyword);
    const expected = idsOf(leads.filter((lead) => lead.latest_keyword === keyword && lead.has_intent === true));
    expect(expected.length).toBeGreaterThan(100);
    const found = await findAll(direct, "list_leads", { keyword: keyword.toLowerCase(), has_intent: true, limit: 100, max_scan: 20_000 });
    expect(found.ids).toEqual(expected);
  });

  test("activity on one post from comments: the same set as reading every page", async () => {
    const activity = await rawAll("/activity");
    expect(activity).toHaveLength(LARGE_SCALE.direct.activity);
    const postId = String((activity[4_321]?.metadata as Json).post_id);
    const expected = idsOf(activity.filter((item) => (item.metadata as Json | null)?.post_id === postId && item.source === "comment"));
    expect(expected.length).toBeGreaterThan(0);
    const found = await findAll(direct, "list_activity", { post_id: postId, source: "comment", limit: 100, max_scan: 20_000 });
    expect(found.ids).toEqual(expected);
    expect(found.calls).toBe(Math.ceil(expected.length / 100) || 1);
  });

  test("posts in a schedule window come ordered by scheduled_at", async () => {
    const posts = await rawAll("/posts");
    expect(posts).toHaveLength(LARGE_SCALE.direct.posts);
    const after = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const before = new Date(Date.now() + 14 * 86_400_000).toISOString();
    const inWindow = posts.filter((post) => typeof post.scheduled_at === "string" && post.scheduled_at >= after && post.scheduled_at < before && post.status === "scheduled");
    expect(inWindow.length).toBeGreaterThan(1);
    const expected = [...inWindow].sort((a, b) => Date.parse(String(a.scheduled_at)) - Date.parse(String(b.scheduled_at)));
    const { list } = await call(direct, "list_posts", { status: "scheduled", scheduled_after: after, scheduled_before: before, limit: 100 });
    expect(list.complete).toBe(true);
    expect(list.data.map((post) => post.id)).toEqual(idsOf(expected));
  });

  test("a schedule window holding more than limit posts: the earliest limit of them, then the rest in order", async () => {
    const posts = await rawAll("/posts");
    const after = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const before = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const at = (post: Json): number => Date.parse(String(post.scheduled_at));
    const positions = posts.flatMap((post, index) => (typeof post.scheduled_at === "string" && at(post) >= Date.parse(after) && at(post) < Date.parse(before) ? [index] : []));
    // Ties keep the API's order.
    const expected = [...positions].sort((a, b) => at(posts[a] as Json) - at(posts[b] as Json) || a - b).map((index) => String(posts[index]?.id));
    const limit = 7;
    expect(expected.length).toBeGreaterThan(3 * limit);
    // The window's earliest posts are not its first in the API's order, and sit past page 1.
    expect(expected.slice(0, limit)).not.toEqual(positions.slice(0, limit).map((index) => String(posts[index]?.id)));
    expect(Math.max(...positions)).toBeGreaterThan(100);

    const args = { scheduled_after: after, scheduled_before: before, limit };
    const first = await call(direct, "list_posts", args);
    expect(first.list.data.map((post) => post.id)).toEqual(expected.slice(0, limit));
    expect(first.list).toMatchObject({ offset: 0, complete: false, stopped_by: "limit", next_offset: limit, scanned: posts.length, matched: expected.length });
    expect(first.result.content[0]).toMatchObject({ text: expect.stringContaining(`more: call again with offset ${limit}`) });

    const found: string[] = [];
    let offset = 0;
    for (let calls = 0; calls <= expected.length; calls++) {
      const { list } = await call(direct, "list_posts", { ...args, offset });
      expect(list.offset).toBe(offset);
      found.push(...list.data.map((post) => String(post.id)));
      if (list.complete) break;
      expect(list.next_offset).toBe(offset + limit);
      offset = list.next_offset as number;
    }
    expect(found).toEqual(expected);
  });

  test("a schedule window the scan cap cuts short: ordered over what was read, no next_offset, and says so", async () => {
    const posts = await rawAll("/posts");
    const after = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const before = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const read = posts.slice(0, 150).filter((post) => typeof post.scheduled_at === "string" && post.scheduled_at >= after && post.scheduled_at < before);
    expect(read.length).toBeGreaterThan(3);
    const expected = [...read].sort((a, b) => Date.parse(String(a.scheduled_at)) - Date.parse(String(b.scheduled_at))).slice(0, 3);
    const { result, list } = await call(direct, "list_posts", { scheduled_after: after, scheduled_before: before, limit: 3, max_scan: 150 });
    expect(list.data.map((post) => post.id)).toEqual(idsOf(expected));
    expect(list).toMatchObject({ complete: false, stopped_by: "max_scan", scanned: 150, matched: read.length });
    expect(list.next_offset).toBeUndefined();
    expect(list.notice).toContain("Ordered over the first 150 records read only");
    expect((result.content[0] as { text: string }).text).toContain("Call again with a larger max_scan");
  });

  test("a schedule window cut short by the scan cap and by the size cap: its notice does not deny the next_offset it gives", async () => {
    const at = (hours: number): string => new Date(Date.parse("2027-06-01T00:00:00.000Z") + hours * 3_600_000).toISOString();
    const created: string[] = [];
    try {
      // Eight posts of about 12 KB each in one window, the newest posts (the first read).
      for (let index = 0; index < 8; index++) created.push(await createPostDirectly({ text: `${"😀".repeat(2_990)} n${index}`, scheduled_at: at((index * 5) % 8) }));
      const args = { scheduled_after: at(0), scheduled_before: at(8), limit: 8, max_scan: 100, response_format: "detailed" };
      const { result, list } = await call(direct, "list_posts", args);
      const text = (result.content[0] as { text: string }).text;
      expect(list).toMatchObject({ complete: false, stopped_by: "max_scan", matched: 8 });
      expect(list.omitted).toBeGreaterThan(0);
      // The size cap's next_offset gets the posts it left out, in the same order.
      expect(list.next_offset).toBe(list.data.length);
      const rest = await call(direct, "list_posts", { ...args, offset: list.next_offset });
      expect([...list.data, ...rest.list.data].map((post) => post.scheduled_at)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(at));
      expect(list.notice).toContain("Ordered over the first 100 records read only");
      for (const said of [list.notice ?? "", text]) expect(said).not.toContain("no next_offset is given");
    } finally {
      for (const id of created) await deletePostDirectly(id);
    }
  });

  test("lead magnets by status, clients by name (agency key)", async () => {
    const magnets = await rawAll("/lead-magnets");
    const status = String(magnets[0]?.status);
    const { list } = await call(direct, "list_lead_magnets", { status, limit: 100 });
    expect(list.data.map((magnet) => magnet.id)).toEqual(idsOf(magnets.filter((magnet) => magnet.status === status)));

    const clients = await rawAll("/clients", DEMO.keys.agency);
    const name = String(clients[0]?.full_name).split(" ")[0] ?? "";
    const expected = idsOf(clients.filter((client) => hasWords([client.full_name, client.business_name], name)), "user_id");
    const found = await call(agency, "list_clients", { query: name, limit: 100 });
    expect(found.list.data.map((client) => client.user_id)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });
});

test("with LEADPANTHER_LEAD_PII=masked a lead is not found by the address the result would mask", async () => {
  const leads = await rawAll("/leads");
  // Chosen with the server's own folding (ø is o), so that no name or headline holds it.
  const foldedOthers = (lead: Json): string => normalizeText([lead.name, lead.headline, lead.form_name].join(" "));
  // A word found only in the local part of some lead's address (what masking hides).
  const everyOther = leads.map(foldedOthers).join(" ");
  const word = leads
    .flatMap((lead) => Object.values((lead.emails as Json | null) ?? {}))
    .filter((email): email is string => typeof email === "string")
    .flatMap((email) => fold(email.split("@")[0]).split(/[^\p{L}\p{N}]+/u).slice(1))
    .find((candidate) => candidate.length >= 4 && !everyOther.includes(candidate) && !leads.some((lead) => Object.values((lead.emails as Json | null) ?? {}).some((email) => typeof email === "string" && fold(email.split("@")[1]).includes(candidate))));
  expect(word).toBeDefined();
  const plain = await call(direct, "list_leads", { query: word, max_scan: 20_000 });
  expect(plain.list.matched).toBeGreaterThan(0);
  const masked = await spawnServer(DEMO.keys.directAll, { LEADPANTHER_LEAD_PII: "masked" });
  try {
    expect((await call(masked, "list_leads", { query: word, max_scan: 20_000 })).list).toMatchObject({ data: [], matched: 0, complete: true });
    // Still found by name, with the address masked.
    const byName = await call(masked, "list_leads", { query: LARGE_SCALE.findableLead.name });
    expect(byName.list.data.map((lead) => lead.id)).toEqual([LARGE_SCALE.findableLead.id]);
    expect(JSON.stringify(byName.result)).not.toContain(LARGE_SCALE.findableLead.email);
  } finally {
    await masked.close();
  }
});

test("a keyword, source or status that is nothing once folded (zero-width, a lone accent) is refused before any page is read", async () => {
  sandbox.clearRequests();
  for (const [tool, args, field] of [
    ["list_leads", { keyword: "\u200b" }, "keyword"],
    ["list_activity", { status: "\u0301" }, "status"],
    ["list_lead_magnets", { keyword: "\u200d\ufe0f" }, "keyword"],
    ["list_leads", { source: "\u2060 \u200b" }, "source"],
  ] as const) {
    const result = (await direct.callTool({ name: tool, arguments: args })) as CallToolResult;
    expect(result.isError, tool).toBe(true);
    expect((result.content[0] as { text: string }).text).toContain(`- ${field}: must not be empty`);
  }
  expect(sandbox.requests().filter((entry) => entry.method === "GET" && entry.path !== "/me")).toEqual([]);
  // A keyword in another width or case is still the same keyword.
  const leads = await rawAll("/leads");
  const keyword = String(leads[0]?.latest_keyword);
  const fullwidth = [...keyword.toLowerCase()].map((letter) => String.fromCodePoint((letter.codePointAt(0) ?? 0) + 0xfee0)).join("");
  const { list } = await call(direct, "list_leads", { keyword: fullwidth, limit: 5 });
  expect(list.data.map((lead) => lead.id)).toEqual(idsOf(leads.filter((lead) => lead.latest_keyword === keyword).slice(0, 5)));
});

test("a secret a record holds, withheld from the result, cannot be found piece by piece with a query", async () => {
  // Shaped like a live key: shown as lp_live_[REDACTED], so a query must not confirm its characters either.
  const id = await createPostDirectly({ text: "Zebracorn setup notes: our key is lp_live_Q7xkWm2Rbv9Tz4Hs8Ld0 (do not share)" });
  try {
    const found = await call(direct, "list_posts", { query: "zebracorn", response_format: "detailed" });
    expect(found.list.data.map((post) => post.id)).toEqual([id]);
    expect(JSON.stringify(found.result)).not.toContain("Q7xk");
    expect(String(found.list.data[0]?.text)).toContain("[REDACTED]");
    for (const query of ["zebracorn Q7xk", "Q7xkWm2Rbv9Tz4Hs8Ld0", "lp live Q7"]) {
      const probe = await call(direct, "list_posts", { query });
      expect(probe.list.data.map((post) => post.id), query).not.toContain(id);
    }
    // What the result shows (lp_live_[REDACTED]) is still found.
    expect((await call(direct, "list_posts", { query: "zebracorn lp live" })).list.data.map((post) => post.id)).toEqual([id]);
  } finally {
    await deletePostDirectly(id);
  }
});

describe("where a scan stops, and resuming from next_offset", () => {
  test("the scan cap: each call reads max_scan records; resuming misses nothing and repeats nothing", async () => {
    const leads = await rawAll("/leads");
    const keyword = String(leads[0]?.latest_keyword);
    const expected = idsOf(leads.filter((lead) => lead.latest_keyword === keyword));
    const first = await call(direct, "list_leads", { keyword, limit: 100, max_scan: 250 });
    expect(first.list).toMatchObject({ complete: false, scanned: 250, next_offset: 250, stopped_by: expect.stringMatching(/^(max_scan|limit)$/) });
    const found = await findAll(direct, "list_leads", { keyword, limit: 100, max_scan: 250 });
    expect(found.ids).toEqual(expected);
    expect(new Set(found.ids).size).toBe(found.ids.length);
  });

  test("limit reached mid-page: next_offset is right after the last match", async () => {
    const leads = await rawAll("/leads");
    const offsets = leads.flatMap((lead, index) => (hasWords([lead.name], "lucia") ? [index] : []));
    const { list } = await call(direct, "list_leads", { query: "lucia", limit: 3, offset: 10 });
    const wanted = offsets.filter((offset) => offset >= 10).slice(0, 3);
    expect(list.data.map((lead) => lead.id)).toEqual(wanted.map((offset) => leads[offset]?.id));
    expect(list).toMatchObject({ complete: false, stopped_by: "limit", next_offset: (wanted[2] as number) + 1, scanned: (wanted[2] as number) + 1 - 10 });
  });
});

describe("progress, cancellation and rate limits", () => {
  test("one progress notification per page read when the client asks for them", async () => {
    // Read off the wire with a handler of its own: the SDK client's onprogress drops a
    // notification that arrives in the same read as the answer (it handles it a tick later).
    const client = await spawnServer(DEMO.keys.directAll);
    const progress: { progressToken: string | number; progress: number; total?: number }[] = [];
    client.setNotificationHandler(ProgressNotificationSchema, (notification) => {
      progress.push(notification.params);
    });
    try {
      const result = (await client.request(
        { method: "tools/call", params: { name: "list_leads", arguments: { query: "ingrid osei" }, _meta: { progressToken: "find-1" } } },
        CallToolResultSchema,
      )) as CallToolResult;
      expect(result.isError).toBeFalsy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(progress.map((entry) => entry.progress)).toEqual(Array.from({ length: 50 }, (_, page) => (page + 1) * 100));
      expect(progress.every((entry) => entry.total === 5_000 && entry.progressToken === "find-1")).toBe(true);
      // None without a progressToken.
      progress.length = 0;
      await client.callTool({ name: "list_leads", arguments: { query: "ingrid osei" } });
      expect(progress).toEqual([]);
    } finally {
      await client.close();
    }
  });

  test("cancelling stops the scan: no page is requested after the client cancels", async () => {
    sandbox.faults.inject({ method: "GET", path: "/leads", kind: "delay", ms: 300, times: 50 });
    const controller = new AbortController();
    const pending = direct.callTool({ name: "list_leads", arguments: { query: "nobody-by-this-name" } }, undefined, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 700));
    sandbox.clearRequests();
    controller.abort();
    await expect(pending).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // At most the page in flight when the cancellation arrived.
    expect(sandbox.requests().filter((entry) => entry.path.startsWith("/api/v1/leads")).length).toBeLessThanOrEqual(1);
    sandbox.faults.clear();
    // The server still answers.
    const after = await call(direct, "list_leads", { limit: 1 });
    expect(after.list.data).toHaveLength(1);
  });

  test("a rate limit mid-scan that outlasts the client's retries returns the partial result and where to resume", async () => {
    const leads = await rawAll("/leads");
    const keyword = String(leads[0]?.latest_keyword);
    const expected = idsOf(leads.filter((lead) => lead.latest_keyword === keyword));
    let armed = false;
    const result = (await direct.callTool({ name: "list_leads", arguments: { keyword, limit: 100, max_scan: 20_000 } }, undefined, {
      onprogress: (notification) => {
        // After the second page: every later request is refused, retries included. Pages
        // already in flight (the scan reads ahead) still arrive.
        if (!armed && notification.progress === 200) {
          armed = true;
          sandbox.faults.inject({ method: "GET", path: "/leads", kind: "status", status: 429, retryAfter: "0", times: 1_000 });
        }
      },
    })) as CallToolResult;
    sandbox.faults.clear();
    const list = result.structuredContent as unknown as ListResult;
    expect(list).toMatchObject({ complete: false, stopped_by: "rate_limited" });
    const stoppedAt = list.next_offset as number;
    expect(stoppedAt).toBeGreaterThanOrEqual(200);
    expect(stoppedAt % 100).toBe(0);
    expect(list.scanned).toBe(stoppedAt);
    expect(list.data.map((lead) => lead.id)).toEqual(expected.filter((id) => leads.findIndex((lead) => lead.id === id) < stoppedAt));
    expect((result.content[0] as { text: string }).text).toContain("stopped by rate_limited");
    const rest = await findAll(direct, "list_leads", { keyword, limit: 100, max_scan: 20_000 }, stoppedAt);
    expect([...list.data.map((lead) => String(lead.id)), ...rest.ids]).toEqual(expected);
  });
});

describe("the time budget (LEADPANTHER_FIND_TIME_BUDGET_MS)", () => {
  test("slow pages: the scan stops at the budget with what it found, and resuming from next_offset misses and repeats nothing", async () => {
    const leads = await rawAll("/leads");
    const keyword = String(leads[0]?.latest_keyword);
    const expected = idsOf(leads.filter((lead) => lead.latest_keyword === keyword));
    const budgetMs = 1_000;
    const slow = await spawnServer(DEMO.keys.directAll, { LEADPANTHER_FIND_TIME_BUDGET_MS: String(budgetMs) });
    try {
      // Every page takes 400 ms: four read ahead at a time, a 5,000-lead scan would take ~5 s.
      sandbox.faults.inject({ method: "GET", path: "/leads", kind: "delay", ms: 400, times: 1_000 });
      const started = Date.now();
      const { result, list } = await call(slow, "list_leads", { keyword, limit: 100, max_scan: 20_000 });
      const elapsed = Date.now() - started;
      sandbox.faults.clear();
      expect(list).toMatchObject({ complete: false, stopped_by: "time" });
      const stoppedAt = list.next_offset as number;
      // At least the first page is read whatever the budget; far from all of them.
      expect(stoppedAt).toBeGreaterThanOrEqual(100);
      expect(stoppedAt).toBeLessThan(LARGE_SCALE.direct.leads);
      expect(stoppedAt % 100).toBe(0);
      expect(list.scanned).toBe(stoppedAt);
      expect(elapsed).toBeLessThan(budgetMs + 1_500);
      expect(list.data.map((lead) => lead.id)).toEqual(expected.filter((id) => leads.findIndex((lead) => lead.id === id) < stoppedAt));
      expect((result.content[0] as { text: string }).text).toContain(`not complete: stopped by time · more: call again with offset ${stoppedAt}`);
      const rest = await findAll(direct, "list_leads", { keyword, limit: 100, max_scan: 20_000 }, stoppedAt);
      expect([...list.data.map((lead) => String(lead.id)), ...rest.ids]).toEqual(expected);
    } finally {
      sandbox.faults.clear();
      await slow.close();
    }
  });

  test("a page that hangs past the budget: the call answers at the budget, not at the API timeout", async () => {
    const slow = await spawnServer(DEMO.keys.directAll, { LEADPANTHER_FIND_TIME_BUDGET_MS: "1000" });
    try {
      // The first page answers; every later one hangs until its connection is dropped.
      sandbox.faults.inject({ method: "GET", path: "/leads", kind: "delay", ms: 0, times: 1 });
      sandbox.faults.inject({ method: "GET", path: "/leads", kind: "hang-before-apply", ms: 20_000, times: 1_000 });
      const started = Date.now();
      const { list } = await call(slow, "list_leads", { query: "ingrid osei" });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(list).toMatchObject({ complete: false, stopped_by: "time", scanned: 100, next_offset: 100, data: [] });
    } finally {
      sandbox.faults.clear();
      await slow.close();
    }
  });
});

/** The concise text format, written out here on its own: each list's columns, in order. */
const CONCISE_COLUMNS: Record<FindCollection, readonly string[]> = {
  posts: ["id", "status", "published_at", "scheduled_at", "text", "more_chars", "media", "impressions", "reactions", "comments"],
  leads: ["id", "name", "headline", "email", "profile_url", "keyword", "has_intent", "qualification_status"],
  activity: ["id", "source", "author", "keyword", "status", "post_id", "created_at", "content"],
  lead_magnets: ["id", "title", "status", "keyword", "delivery_mode"],
  clients: ["user_id", "full_name", "business_name", "grant_status"],
};

/** A cell: empty for no value; a number or boolean as JSON writes it; a string bare when one plain token, else JSON. */
function cell(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value !== "string") return String(value);
  return /^[A-Za-z0-9_.:@/+#%=&?~-]+$/.test(value) ? value : JSON.stringify(value);
}

/**
 * The text of a list result rebuilt from its structured content: equal means the same facts.
 * A concise item with a key outside its columns fails here, so a value the structured channel
 * holds cannot be missing from the rows unnoticed.
 */
function textFrom(collection: FindCollection, tool: string, structured: ListResult, format: "concise" | "detailed"): string {
  const lines = [renderHeader(tool, collection, structured as unknown as FindStructured)];
  if (structured.notice !== undefined) lines.push(structured.notice);
  const columns = CONCISE_COLUMNS[collection];
  if (format === "concise" && structured.data.length > 0) lines.push(columns.join("|"));
  for (const item of structured.data) {
    if (format === "detailed") {
      lines.push(renderDetailedLine(item));
      continue;
    }
    expect(Object.keys(item).filter((key) => !columns.includes(key))).toEqual([]);
    lines.push(columns.map((column) => cell(item[column])).join("|"));
  }
  if (structured.request_id !== undefined) lines.push(`request_id: ${structured.request_id}`);
  return lines.join("\n");
}

describe("concise and detailed on every list; both channels carry the same facts", () => {
  const LISTS: [string, FindCollection, () => Client, Json][] = [
    ["list_posts", "posts", () => direct, { query: "a" }],
    ["list_leads", "leads", () => direct, { query: "a" }],
    ["list_activity", "activity", () => direct, { author: "a" }],
    ["list_lead_magnets", "lead_magnets", () => direct, { query: "a" }],
    ["list_clients", "clients", () => agency, { query: "a" }],
  ];
  for (const [tool, collection, client, filter] of LISTS) {
    test(tool, async () => {
      const detailed = await call(client(), tool, { limit: 20, response_format: "detailed" });
      const concise = await call(client(), tool, { limit: 20 });
      expect(concise.list.data.length).toBeGreaterThan(0);
      // Concise is the projection of the detailed records; the default is concise.
      expect(concise.list.data).toEqual(detailed.list.data.map((record) => projectConcise(collection, record)));
      expect(Buffer.byteLength(JSON.stringify(concise.list))).toBeLessThan(Buffer.byteLength(JSON.stringify(detailed.list)));
      for (const [format, { result, list }] of [["concise", concise], ["detailed", detailed]] as const) {
        expect((result.content[0] as { text: string }).text).toBe(textFrom(collection, tool, list, format));
      }
      // And filtered: the header carries the filters and the scan's account too.
      const filtered = await call(client(), tool, { ...filter, limit: 5 });
      expect((filtered.result.content[0] as { text: string }).text).toBe(textFrom(collection, tool, filtered.list, "concise"));
      expect(filtered.list.filters).toEqual(filter);
    });
  }

  test("a stranger's strings shaped like a URL and a signing parameter cannot hide a row's other cells from the text", async () => {
    // Secret-shaped values are withheld value by value; a rule applied to the joined row would
    // read a bare URL cell and the cells after it as one signed URL and withhold them all.
    const leads = sandbox.records.leadsOf(DEMO.users.direct);
    const offset = 777;
    const lead = leads[offset];
    if (lead === undefined) throw new Error("the large sandbox has a lead at offset 777");
    const { name, headline } = lead;
    lead.name = "https://evil.example/zq7xk";
    lead.headline = "&sig=1";
    try {
      const email = String(lead.emails.submitted ?? lead.emails.work ?? lead.emails.personal);
      for (const args of [{ offset, limit: 1 }, { query: "zq7xk" }]) {
        const { result, list } = await call(direct, "list_leads", args);
        expect(list.data.map((item) => item.id)).toEqual([lead.id]);
        expect(list.data[0]).toMatchObject({ name: "https://evil.example/zq7xk", headline: "&sig=[REDACTED]", email, qualification_status: lead.qualification_status });
        // The rows as rebuilt from the structured items (the notices, two here, are not compared).
        const rows = (text: string): string[] => text.split("\n").filter((line) => line.startsWith(`${lead.id}|`));
        expect(rows((result.content[0] as { text: string }).text)).toEqual(rows(textFrom("leads", "list_leads", list, "concise")));
        expect(rows(textFrom("leads", "list_leads", list, "concise"))).toHaveLength(1);
      }
    } finally {
      Object.assign(lead, { name, headline });
    }
  });

  test("a concise 50-post page is at most 20% of the detailed page's bytes, both channels together", async () => {
    const bytes = ({ result }: { result: CallToolResult }): number =>
      Buffer.byteLength((result.content[0] as { text: string }).text) + Buffer.byteLength(JSON.stringify(result.structuredContent));
    const concise = await call(direct, "list_posts", { limit: 50 });
    const detailed = await call(direct, "list_posts", { limit: 50, response_format: "detailed" });
    expect(concise.list.data).toHaveLength(50);
    expect(detailed.list.data).toHaveLength(50);
    expect(bytes(concise)).toBeLessThanOrEqual(0.2 * bytes(detailed));
  });

  test("a page bigger than 60 KB is cut at an item boundary in both channels and says where to go on", async () => {
    const { result, list } = await call(direct, "list_posts", { limit: 100, response_format: "detailed" });
    const text = (result.content[0] as { text: string }).text;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(60_000);
    expect(Buffer.byteLength(JSON.stringify(list))).toBeLessThanOrEqual(60_000);
    expect(list.omitted).toBeGreaterThan(0);
    expect(list.next_offset).toBe(list.data.length);
    expect(text).toContain(`more: call again with offset ${list.data.length}`);
    expect(text).toBe(textFrom("posts", "list_posts", list, "detailed"));
  });

  test("a lead magnet whose page is longer than a result: its text is cut with a marker a write refuses, and get_lead_magnet shows it whole", async () => {
    const content = Array.from({ length: 1_800 }, (_, index) => `Step ${index}: write it down, then check it twice.`).join("\n");
    const created = await call(direct, "create_lead_magnet", { title: "The very long playbook zq8", delivery_mode: "hosted_content", hosted_page: { headline: "Playbook", content } });
    expect(created.result.isError, JSON.stringify(created.result.content)).toBeFalsy();
    const id = (created.result.structuredContent as { created: { id: string } }).created.id;
    try {
      const { result, list } = await call(direct, "list_lead_magnets", { query: "zq8", response_format: "detailed" });
      const shown = list.data[0] as { id: string; hosted_page: { content: string; headline: string } };
      expect(shown.id).toBe(id);
      expect(Buffer.byteLength(JSON.stringify(list))).toBeLessThanOrEqual(60_000);
      expect(shown.hosted_page.headline).toBe("Playbook");
      const kept = shown.hosted_page.content.replace(/… \(\+\d+ characters\)$/, "");
      expect(content.startsWith(kept)).toBe(true);
      expect(shown.hosted_page.content).toBe(`${kept}… (+${content.length - kept.length} characters)`);
      expect(list.notice).toContain(`hosted_page.content: the first ${kept.length.toLocaleString("en-US")} of ${content.length.toLocaleString("en-US")} characters`);
      expect(list.notice).toContain("get_lead_magnet shows it whole.");
      expect((result.content[0] as { text: string }).text).toContain("get_lead_magnet shows it whole.");
      // The whole record is one call away; the shortened one cannot be written back.
      const whole = await call(direct, "get_lead_magnet", { lead_magnet_id: id });
      expect((whole.result.structuredContent as { data: { hosted_page: { content: string } } }).data.hosted_page.content).toBe(content);
      const writeBack = (await direct.callTool({ name: "update_lead_magnet", arguments: { lead_magnet_id: id, hosted_page: { content: shown.hosted_page.content } } })) as CallToolResult;
      expect(writeBack.isError).toBe(true);
      expect((writeBack.content[0] as { text: string }).text).toContain("- hosted_page.content: holds");
    } finally {
      await call(direct, "archive_lead_magnet", { lead_magnet_id: id });
    }
  });

  test("one record larger than a whole result is shown shortened, says what was cut, and the next page follows", async () => {
    const leads = sandbox.records.leadsOf(DEMO.users.direct);
    const offset = 1_234;
    const lead = leads[offset];
    if (lead === undefined) throw new Error("the large sandbox has a lead at offset 1234");
    const { intent_signals: signals, headline } = lead;
    // 5,000 intent signals of about 50 bytes: about 250 KB for this one lead.
    lead.intent_signals = Array.from({ length: 5_000 }, (_, index) => `signal ${index}: asked about pricing for forty people`);
    lead.headline = `Head of growth. ${"Builds teams that ship. ".repeat(300)}`;
    try {
      for (const args of [{ offset, limit: 3, response_format: "detailed" }, { query: lead.name, response_format: "detailed" }]) {
        const { result, list } = await call(direct, "list_leads", args);
        const text = (result.content[0] as { text: string }).text;
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(60_000);
        expect(Buffer.byteLength(JSON.stringify(list))).toBeLessThanOrEqual(60_000);
        const shown = list.data.find((item) => item.id === lead.id) as { intent_signals: string[]; headline: string; name: string } | undefined;
        if (shown === undefined) throw new Error(`lead ${lead.id} is in the result of ${JSON.stringify(args)}`);
        // The list keeps its first entries, unchanged; the text ends in the marker a write refuses.
        expect(shown.intent_signals.length).toBeGreaterThan(0);
        expect(shown.intent_signals.length).toBeLessThan(5_000);
        expect(shown.intent_signals).toEqual(lead.intent_signals.slice(0, shown.intent_signals.length));
        expect(shown.name).toBe(lead.name);
        expect(list.notice).toContain(`intent_signals: the first ${shown.intent_signals.length.toLocaleString("en-US")} of 5,000 entries`);
        expect(list.notice).toContain("LeadPanther v1 has no call that reads one such record whole.");
        // Both channels: the same items, and the notice (on a line of its own in the text).
        const items = (lines: string): string[] => lines.split("\n").filter((line) => line.startsWith("- "));
        expect(items(text)).toEqual(items(textFrom("leads", "list_leads", list, "detailed")));
        expect(text).toContain(`intent_signals: the first ${shown.intent_signals.length.toLocaleString("en-US")} of 5,000 entries`);
      }
      // Paging on from a page holding it: nothing skipped, nothing repeated.
      const first = await call(direct, "list_leads", { offset, limit: 3, response_format: "detailed" });
      const ids = first.list.data.map((item) => item.id);
      const raw = leads.slice(offset, offset + 6).map((item) => item.id);
      expect(ids).toEqual(raw.slice(0, ids.length));
      const next = await call(direct, "list_leads", { offset: first.list.next_offset ?? -1, limit: 6 - ids.length, response_format: "detailed" });
      expect([...ids, ...next.list.data.map((item) => item.id)]).toEqual(raw);
    } finally {
      Object.assign(lead, { intent_signals: signals, headline });
    }
  });
});
