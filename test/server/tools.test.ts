import { afterEach, describe, expect, test } from "vitest";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { CATALOG, pathTemplateFor } from "../../src/catalog.js";
import { DEMO, type RequestLogEntry, type Sandbox } from "../../src/sandbox/index.js";
import { structured, textOf, useStacks, waitFor } from "../fixtures/stack.js";

/**
 * End-to-end: the SDK's Client → this server → the sandbox over real HTTP. Each test names the
 * behaviour it proves; the sandbox's request log shows what did (or did not) go on the wire.
 */

let sandbox: Sandbox;
const seen: RequestLogEntry[] = [];
const stack = useStacks((started) => {
  sandbox = started;
});
afterEach(() => {
  seen.push(...sandbox.requests());
});

const ALL_NAMES = CATALOG.map((op) => op.name);
const direct = DEMO.users.direct;

function requestsTo(method: string, pathPattern: RegExp): RequestLogEntry[] {
  return sandbox.requests().filter((entry) => entry.method === method && pathPattern.test(entry.path));
}

function postWithStatus(status: string, account: string = direct): string {
  const post = sandbox.store.postsOf(account).find((candidate) => candidate.status === status);
  if (!post) throw new Error(`no ${status} post seeded`);
  return post.id;
}

function leadMagnetWith(mode: string, account: string = direct): string {
  const magnet = sandbox.store.leadMagnetsOf(account).find((candidate) => candidate.delivery_mode === mode);
  if (!magnet) throw new Error(`no ${mode} lead magnet seeded`);
  return magnet.id;
}

const TINY_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe("tools/list follows the key (contract §3–§5, §10)", () => {
  test("the * direct key sees exactly the 20 catalog tools, none with client_id except get_client", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    const { tools } = await s.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(ALL_NAMES);
    expect(tools).toHaveLength(20);
    for (const tool of tools) {
      const properties = Object.keys(tool.inputSchema.properties ?? {});
      expect(properties.includes("client_id"), tool.name).toBe(tool.name === "get_client");
      expect(tool.title, tool.name).toBeTruthy();
      const annotations = tool.annotations ?? {};
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
        expect(typeof annotations[hint], `${tool.name}.${hint}`).toBe("boolean");
      }
    }
  });

  test("the agency key sees the same 20 tools, with a required client_id wherever §10 has an agency path", async () => {
    const s = await stack({ key: DEMO.keys.agency });
    const { tools } = await s.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(ALL_NAMES);
    for (const tool of tools) {
      const op = CATALOG.find((candidate) => candidate.name === tool.name);
      const expected = op?.agencyPath !== undefined || op?.name === "get_client";
      expect(Object.keys(tool.inputSchema.properties ?? {}).includes("client_id"), tool.name).toBe(expected);
      if (expected) expect(tool.inputSchema.required ?? [], tool.name).toContain("client_id");
    }
  });

  test("the posts:read key sees exactly get_api_info, get_me, list_posts, get_post", async () => {
    const s = await stack({ key: DEMO.keys.directPostsRead });
    expect(await s.toolNames()).toEqual(["get_api_info", "get_me", "list_posts", "get_post"]);
  });

  test("the read-only key sees every read tool and no write tool", async () => {
    const s = await stack({ key: DEMO.keys.directRead });
    const names = await s.toolNames();
    expect(names).toEqual(CATALOG.filter((op) => op.effect === "read").map((op) => op.name));
  });

  test("tools/list for the * key stays within 24 KB of JSON", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    const { tools } = await s.client.listTools();
    expect(Buffer.byteLength(JSON.stringify({ tools }))).toBeLessThanOrEqual(24 * 1024);
  });

  test("filters intersect: scopes ∩ read-only ∩ toolsets", async () => {
    const s = await stack({
      key: DEMO.keys.directAll,
      env: { LEADPANTHER_READ_ONLY: "true", LEADPANTHER_TOOLSETS: "posts,analytics" },
    });
    expect(await s.toolNames()).toEqual(["get_api_info", "get_me", "list_posts", "get_post", "get_post_engagement", "get_lead_magnet_analytics"]);
  });

  test("LEADPANTHER_CLIENT_ID pins the client: client_id disappears and the nested route is used", async () => {
    const s = await stack({ key: DEMO.keys.agency, env: { LEADPANTHER_CLIENT_ID: DEMO.clients.full } });
    const { tools } = await s.client.listTools();
    for (const tool of tools) expect(Object.keys(tool.inputSchema.properties ?? {}), tool.name).not.toContain("client_id");
    const result = await s.call("list_posts", { limit: 2 });
    expect(structured(result).data).toHaveLength(2);
    expect(requestsTo("GET", new RegExp(`^/clients/${DEMO.clients.full}/posts$`))).toHaveLength(1);
    const client = structured(await s.call("get_client"));
    expect((client.data as { user_id: string }).user_id).toBe(DEMO.clients.full);
  });

  test("a pinned client with a direct key is a setup error: only get_api_info and get_me, which explains", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_CLIENT_ID: DEMO.clients.full } });
    expect(await s.toolNames()).toEqual(["get_api_info", "get_me"]);
    const me = await s.call("get_me");
    expect(textOf(me)).toContain("LEADPANTHER_CLIENT_ID is set, but this key belongs to a direct user");
  });
});

describe("every tool's success path (direct key)", () => {
  test("reads: api info, me, clients, posts, post, engagement, lead magnets, lead magnet, analytics, leads, activity", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    expect(structured(await s.call("get_api_info")).data).toEqual({ name: "LeadPanther API", version: "v1" });
    expect((structured(await s.call("get_me")).data as { actor_type: string }).actor_type).toBe("direct_user");
    expect(structured(await s.call("list_clients")).data).toEqual([]);

    const posts = structured<{ data: { id: string }[]; pagination: { has_more: boolean }; next_offset: number }>(
      await s.call("list_posts", { limit: 10 }),
    );
    expect(posts.data).toHaveLength(10);
    expect(posts.pagination.has_more).toBe(true);
    expect(posts.next_offset).toBe(10);
    const page2 = structured<{ data: { id: string }[] }>(await s.call("list_posts", { limit: 10, offset: posts.next_offset }));
    expect(page2.data[0]?.id).not.toBe(posts.data[0]?.id);

    const postId = postWithStatus("published");
    expect((structured(await s.call("get_post", { post_id: postId })).data as { id: string }).id).toBe(postId);
    const engagement = structured(await s.call("get_post_engagement", { post_id: postId })).data as Record<string, unknown>;
    expect(engagement.post_id).toBe(postId);
    expect(typeof engagement.impressions).toBe("number");

    const magnets = structured<{ data: { id: string }[] }>(await s.call("list_lead_magnets"));
    expect(magnets.data.length).toBeGreaterThan(0);
    const magnetId = magnets.data[0]?.id as string;
    expect((structured(await s.call("get_lead_magnet", { lead_magnet_id: magnetId })).data as { id: string }).id).toBe(magnetId);
    const analytics = structured(await s.call("get_lead_magnet_analytics", { lead_magnet_id: magnetId })).data as Record<string, unknown>;
    expect(analytics.lead_magnet_id).toBe(magnetId);

    const leads = structured<{ data: unknown[]; notice: string }>(await s.call("list_leads", { limit: 5 }));
    expect(leads.data).toHaveLength(5);
    expect(leads.notice).toMatch(/third parties/);
    const activity = structured<{ data: unknown[] }>(await s.call("list_activity", { limit: 5 }));
    expect(activity.data).toHaveLength(5);
  });

  test("writes: create, update, delete a post; create, update, archive a lead magnet; upload and delete media", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" } });
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const created = structured(await s.call("create_post", { text: "Hello from the tests", scheduled_at: future })).data as {
      id: string;
      status: string;
    };
    expect(created.status).toBe("scheduled");
    const updated = structured(await s.call("update_post", { post_id: created.id, text: "Changed", scheduled_at: null })).data as {
      text: string;
      status: string;
    };
    expect(updated).toMatchObject({ text: "Changed", status: "draft" });
    expect(structured(await s.call("delete_post", { post_id: created.id })).request_id).toBeTruthy();
    expect(sandbox.store.postsOf(direct).some((post) => post.id === created.id)).toBe(false);

    const magnet = structured(
      await s.call("create_lead_magnet", { title: "Guide", delivery_mode: "external_link", resource_link: "https://example.com/guide.pdf", keyword: "GUIDE" }),
    ).data as { id: string };
    const renamed = structured(await s.call("update_lead_magnet", { lead_magnet_id: magnet.id, title: "Better guide" })).data as { title: string };
    expect(renamed.title).toBe("Better guide");
    await s.call("archive_lead_magnet", { lead_magnet_id: magnet.id });
    expect(sandbox.store.archivedLeadMagnetsOf(direct).some((m) => m.id === magnet.id)).toBe(true);
    const gone = await s.call("get_lead_magnet", { lead_magnet_id: magnet.id });
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toContain("not_found (HTTP 404)");

    const upload = structured(
      await s.call("upload_media", { content_base64: TINY_PNG.toString("base64"), file_name: "dot.png" }),
    ).data as { path: string; bucket: string; content_type: string; size: number };
    expect(upload).toMatchObject({ content_type: "image/png", size: TINY_PNG.length });
    expect(sandbox.media.get(upload.bucket, upload.path)?.equals(TINY_PNG)).toBe(true);
    const withImage = structured(await s.call("create_post", { text: "With an image", images: [upload.path] })).data as { images: string[] };
    expect(withImage.images).toEqual([upload.path]);
    await s.call("delete_media", { path: upload.path });
    expect(sandbox.media.get(upload.bucket, upload.path)).toBeUndefined();
  });
});

describe("timestamps go out as UTC with milliseconds (contract §1)", () => {
  test("a scheduled_at given with an offset is sent in UTC", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    const when = new Date(Date.now() + 2 * 86_400_000);
    const local = `${when.toISOString().slice(0, 10)}T23:30:00+02:00`;
    const created = structured(await s.call("create_post", { text: "offset", scheduled_at: local })).data as { scheduled_at: string };
    expect(created.scheduled_at).toBe(new Date(local).toISOString());
    expect(created.scheduled_at.endsWith(".000Z")).toBe(true);
  });
});

describe("agency routing (contract §5)", () => {
  test("client work goes to /clients/{clientId}/…, chosen by the server from actor_type", async () => {
    const s = await stack({ key: DEMO.keys.agency });
    const clients = structured<{ data: { user_id: string; grant: { status: string } }[] }>(await s.call("list_clients"));
    expect(clients.data.map((client) => client.user_id)).toContain(DEMO.clients.full);
    const client = structured(await s.call("get_client", { client_id: DEMO.clients.full })).data as { user_id: string };
    expect(client.user_id).toBe(DEMO.clients.full);
    await s.call("list_posts", { client_id: DEMO.clients.full, limit: 3 });
    await s.call("list_leads", { client_id: DEMO.clients.full, limit: 3 });
    expect(requestsTo("GET", new RegExp(`^/clients/${DEMO.clients.full}/(posts|leads)$`))).toHaveLength(2);
    expect(requestsTo("GET", /^\/(posts|leads)$/)).toHaveLength(0);
    const missing = await s.call("list_posts", {});
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain("client_id");
  });
});

describe("errors the model can act on (contract §8)", () => {
  test("bad_request: a PATCH the API refuses names the lead magnet rules", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    const result = await s.call("update_lead_magnet", { lead_magnet_id: leadMagnetWith("hosted_content"), delivery_mode: "external_link" });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain("bad_request (HTTP 400)");
    expect(text).toContain("external_link needs resource_link");
    expect(text).toMatch(/request_id: \S+/);
    expect(text).toContain("outcome: not applied");
  });

  test("unauthorized: a key revoked after start gets the key checks", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    sandbox.keys.setStatus(DEMO.keys.directAll, "revoked");
    const result = await s.call("list_posts");
    expect(textOf(result)).toContain("unauthorized (HTTP 401)");
    expect(textOf(result)).toContain("without extra spaces, quotes or line breaks");
  });

  test("forbidden: names the scope, whether the key has it, and the client's grant", async () => {
    const s = await stack({ key: DEMO.keys.agency });
    const result = await s.call("list_leads", { client_id: DEMO.clients.postsRead });
    const text = textOf(result);
    expect(text).toContain("forbidden (HTTP 403)");
    expect(text).toContain("needs the leads:read scope; the API key has it");
    expect(text).toContain(`active grant for client ${DEMO.clients.postsRead}`);
    const revoked = textOf(await s.call("list_posts", { client_id: DEMO.clients.revoked }));
    expect(revoked).toContain("forbidden (HTTP 403)");
    expect(revoked).toContain("list_clients shows each client's grant status");
  });

  test("not_found: a client route says a 404 does not prove the client is missing", async () => {
    const s = await stack({ key: DEMO.keys.agency });
    const text = textOf(await s.call("get_post", { client_id: DEMO.clients.full, post_id: "00000000-0000-4000-8000-00000000dead" }));
    expect(text).toContain("not_found (HTTP 404)");
    expect(text).toContain("does not prove the client is missing");
    expect(text).toContain("list_posts shows the current ids");
  });

  test("conflict: deleting a published post says what a published post still accepts", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" } });
    const text = textOf(await s.call("delete_post", { post_id: postWithStatus("published") }));
    expect(text).toContain("conflict (HTTP 409)");
    expect(text).toContain("only accepts changes to theme_id, template_id, notes");
    const editing = textOf(await s.call("update_post", { post_id: postWithStatus("publishing"), notes: "x" }));
    expect(editing).toContain("conflict (HTTP 409)");
  });

  test("internal_error: a GET is tried 3 times, then reported with the request_id", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "GET", path: "/posts", kind: "status", status: 500, times: 3 });
    const result = await s.call("list_posts");
    expect(textOf(result)).toContain("internal_error (HTTP 500)");
    expect(textOf(result)).toContain("attempts: 3");
    expect(requestsTo("GET", /^\/posts$/)).toHaveLength(3);
  });

  test("429 on a write: not retried, reported as not applied with the wait", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "status", status: 429, retryAfter: "7" });
    const text = textOf(await s.call("create_post", { text: "rate limited" }));
    expect(text).toContain("outcome: not applied");
    expect(text).toContain("Wait 7 s");
    expect(requestsTo("POST", /^\/posts$/)).toHaveLength(1);
  });

  test("an invalid input lists every bad field in one result and sends nothing", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    sandbox.clearRequests();
    const result = await s.call("create_post", {
      text: "x".repeat(3001),
      scheduled_at: "2020-01-01T00:00:00.000Z",
      images: ["https://example.com/a.png"],
      document_url: "https://example.com/a.pdf",
      colour: "red",
    });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain("- text: text is 3,001 characters, 1 over the 3,000 limit");
    expect(text).toContain("- scheduled_at: must be in the future");
    expect(text).toContain("cannot include images");
    expect(text).toContain('unknown field "colour"');
    expect(sandbox.requests()).toHaveLength(0);
  });
});

describe("retry policy (never a blind write)", () => {
  test("a GET answered 503 once is retried and succeeds", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "GET", path: "/posts", kind: "status", status: 503 });
    const result = await s.call("list_posts", { limit: 1 });
    expect(result.isError).toBeFalsy();
    expect(requestsTo("GET", /^\/posts$/).map((entry) => entry.status)).toEqual([503, 200]);
  });

  test("a POST answered 503 is sent once, then settled by reading: not applied", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "status", status: 503 });
    const text = textOf(await s.call("create_post", { text: "maybe" }));
    expect(requestsTo("POST", /^\/posts$/)).toHaveLength(1);
    expect(text).toContain("create_post: NOT APPLIED.");
    expect(text).toContain("checked: list_posts");
  });

  test("a connection reset after the write was applied gives exactly one post, settled by reading as applied", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    sandbox.clearRequests();
    const before = sandbox.store.postsOf(direct).length;
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "reset-after-apply" });
    const text = textOf(await s.call("create_post", { text: "reset after apply" }));
    expect(text).toContain("create_post: APPLIED.");
    expect(text).toContain("checked: list_posts for a post with the same text created since the call began: found");
    expect(sandbox.store.postsOf(direct).length).toBe(before + 1);
    expect(requestsTo("POST", /^\/posts$/)).toHaveLength(1);
  });
});

describe("the filter follows GET /me", () => {
  test("changed scopes re-filter the tools and send notifications/tools/list_changed", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    expect(await s.toolNames()).toHaveLength(20);
    sandbox.keys.setScopes(DEMO.keys.directAll, ["posts:read", "activity:read"]);
    // A forbidden answer on a scope makes the server re-read /me.
    const denied = await s.call("list_leads");
    expect(textOf(denied)).toContain("forbidden (HTTP 403)");
    await waitFor(() => s.notifications.includes("notifications/tools/list_changed"));
    await waitFor(async () => (await s.toolNames()).length === 5);
    expect(await s.toolNames()).toEqual(["get_api_info", "get_me", "list_posts", "get_post", "list_activity"]);
  });

  test("when /me fails at start only get_api_info and get_me exist; the full set arrives when it recovers", async () => {
    sandbox.faults.inject({ path: "/me", kind: "status", status: 503, times: 3 });
    const s = await stack({ key: DEMO.keys.directAll });
    expect(await s.toolNames()).toEqual(["get_api_info", "get_me"]);
    await waitFor(async () => (await s.toolNames()).length === 20, 10_000);
    expect(s.notifications).toContain("notifications/tools/list_changed");
  });

  test("with no key the server starts, exposes get_me explaining how to set one, and sends no request", async () => {
    const s = await stack({});
    expect(await s.toolNames()).toEqual(["get_api_info", "get_me"]);
    const me = await s.call("get_me");
    expect(me.isError).toBe(true);
    expect(textOf(me)).toContain("LEADPANTHER_API_KEY");
    expect(textOf(me)).toContain("--sandbox");
    expect(sandbox.requests().filter((entry) => entry.keyPrefix !== null)).toHaveLength(0);
  });

  test("a quoted key is reported precisely and never sent", async () => {
    const s = await stack({ key: `"${DEMO.keys.directAll}"` });
    const text = textOf(await s.call("get_me"));
    expect(text).toContain("wrapped in quote characters");
    expect(text).not.toContain(DEMO.keys.directAll);
    expect(sandbox.requests().filter((entry) => entry.keyPrefix !== null)).toHaveLength(0);
  });
});

describe("confirmation needs form elicitation", () => {
  test("a client that only supports URL elicitation is not asked in a dialog: a preview and a token instead", async () => {
    let asked = 0;
    const s = await stack({
      key: DEMO.keys.directAll,
      capabilities: { elicitation: { url: {} } },
      prepareClient: (client) =>
        client.setRequestHandler(ElicitRequestSchema, async () => {
          asked += 1;
          return { action: "decline" };
        }),
    });
    const draft = postWithStatus("draft");
    const preview = await s.call("delete_post", { post_id: draft });
    expect(preview.isError).toBeFalsy();
    expect(textOf(preview)).toContain("delete_post: NOT SENT YET");
    expect(asked).toBe(0);
    expect(sandbox.store.postsOf(direct).some((post) => post.id === draft)).toBe(true);
    const token = (preview.structuredContent as { confirm: string }).confirm;
    const result = await s.call("delete_post", { post_id: draft, confirm: token });
    expect(result.isError).toBeFalsy();
    expect(asked).toBe(0);
    expect(sandbox.store.postsOf(direct).some((post) => post.id === draft)).toBe(false);
  });
});

describe("a tool that is not exposed is explained, and nothing is sent", () => {
  test("read-only mode: every write tool is absent, and calling one by name sends no request", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_READ_ONLY: "true" } });
    const names = await s.toolNames();
    for (const op of CATALOG.filter((candidate) => candidate.effect !== "read")) expect(names).not.toContain(op.name);
    sandbox.clearRequests();
    for (const op of CATALOG.filter((candidate) => candidate.effect !== "read")) {
      const result = await s.call(op.name, { post_id: postWithStatus("draft"), text: "x", path: `${direct}/images/api-v1/x.png` });
      expect(result.isError, op.name).toBe(true);
      expect(textOf(result), op.name).toContain("runs read-only (LEADPANTHER_READ_ONLY=true)");
    }
    expect(sandbox.requests()).toEqual([]);
  });

  test("a tool outside the key's scopes names the scope it needs; an unknown name lists what exists", async () => {
    const s = await stack({ key: DEMO.keys.directPostsRead });
    sandbox.clearRequests();
    expect(textOf(await s.call("list_leads"))).toContain("needs the leads:read scope and this API key has posts:read");
    expect(textOf(await s.call("list_campaigns"))).toContain("There is no tool named \"list_campaigns\". Available tools: get_api_info, get_me, list_posts, get_post.");
    expect(sandbox.requests()).toEqual([]);
  });

  test("a toolset switched off is named", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_TOOLSETS: "posts" } });
    expect(textOf(await s.call("list_activity"))).toContain('toolset "activity" is not in LEADPANTHER_TOOLSETS');
  });
});

describe("nothing outside the catalog", () => {
  test("every request this file caused went to a catalog route (or the signed upload URL)", () => {
    const patterns = CATALOG.flatMap((op) =>
      (["direct", "agency"] as const)
        .filter((variant) => variant === "direct" || op.agencyPath !== undefined)
        .map((variant) => {
          const template = pathTemplateFor(op, variant);
          return { method: op.method, regex: new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`) };
        }),
    );
    expect(seen.length).toBeGreaterThan(50);
    const outside = seen.filter(
      (entry) =>
        !entry.path.startsWith("/storage/") &&
        !patterns.some((pattern) => pattern.regex.test(entry.path) && pattern.method === entry.method),
    );
    expect(outside).toEqual([]);
  });
});
