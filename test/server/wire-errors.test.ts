import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { structured, textOf, useStacks } from "../fixtures/stack.js";

/**
 * What reaches the model when the wire misbehaves: HTML pages, cut-off JSON, silence, and the
 * error codes the catalog's routes cannot provoke on a faithful sandbox (405, 501, unknown).
 */

let sandbox: Sandbox;
const stack = useStacks((started) => {
  sandbox = started;
});

describe("invalid answers (sandbox faults)", () => {
  test("an HTML error page on a GET is retried, then named as an HTML page", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    sandbox.faults.inject({ method: "GET", path: "/posts", kind: "html", times: 3 });
    const text = textOf(await s.call("list_posts"));
    expect(text).toContain("invalid response (HTTP 502)");
    expect(text).toContain("an HTML page");
    expect(text).not.toMatch(/<html/i);
  });

  test("truncated JSON on a POST: applied, answer unreadable, do not repeat", async () => {
    const s = await stack({ key: DEMO.keys.directAll });
    const before = sandbox.store.postsOf(DEMO.users.direct).length;
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "truncated-json" });
    const text = textOf(await s.call("create_post", { text: "cut off" }));
    expect(text).toContain("outcome: applied (answer unreadable)");
    expect(text).toContain("Do not repeat the call");
    expect(sandbox.store.postsOf(DEMO.users.direct).length).toBe(before + 1);
  });

  test("no answer within LEADPANTHER_TIMEOUT_MS is a timeout, with the setting named", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_TIMEOUT_MS: "1000" } });
    sandbox.faults.inject({ method: "GET", path: "/leads", kind: "delay", ms: 1_500 });
    const started = Date.now();
    const text = textOf(await s.call("list_leads"));
    expect(Date.now() - started).toBeLessThan(1_450);
    expect(text).toContain("list_leads failed: timeout");
    expect(text).toContain("LEADPANTHER_TIMEOUT_MS");
  });

  test("a connection reset before anything was applied on a DELETE: one request, settled by reading as not applied", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" } });
    const draft = sandbox.store.postsOf(DEMO.users.direct).find((post) => post.status === "draft")!;
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "DELETE", path: /^\/posts\//, kind: "reset-before-apply" });
    const text = textOf(await s.call("delete_post", { post_id: draft.id }));
    expect(text).toContain("delete_post: NOT APPLIED.");
    expect(text).toContain(`checked: get_post for ${draft.id}: it is still there (draft)`);
    expect(sandbox.requests().filter((entry) => entry.method === "DELETE")).toHaveLength(1);
  });

  test("an unreachable API: only get_api_info and get_me, which names the refused connection", async () => {
    const closed = await startSandbox();
    const baseUrl = closed.baseUrl;
    await closed.close();
    // Nothing listens on that port any more.
    const offline = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_BASE_URL: baseUrl } });
    const me = textOf(await offline.call("get_me"));
    expect(me).toContain("connection was refused");
    expect(await offline.toolNames()).toEqual(["get_api_info", "get_me"]);
  });
});

describe("codes a faithful sandbox never sends on catalog routes (a stand-in server)", () => {
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_standin000000000000000001" });
        res.end(JSON.stringify(body));
      };
      const url = req.url ?? "";
      const method = req.method ?? "GET";
      if (url.endsWith("/me")) {
        send(200, { data: { actor_type: "direct_user", scopes: ["*"], owner: { user_id: DEMO.users.direct } }, request_id: "req_standin000000000000000001" });
      } else if (url === "/api/v1/") {
        // A literal reading of §10: the bare object, no envelope.
        send(200, { name: "LeadPanther API", version: "v1" });
      } else if (method === "POST" && url === "/api/v1/lead-magnets") {
        send(501, { error: { code: "not_implemented", message: "Not implemented." }, request_id: "req_standin000000000000000005" });
      } else if (url.startsWith("/api/v1/lead-magnets")) {
        // No envelope: a bare code, as a proxy or another implementation might answer.
        send(403, { error: "forbidden" });
      } else if (method === "DELETE" && url.startsWith("/api/v1/media")) {
        send(200, { request_id: "req_standin000000000000000006" });
      } else if (url.startsWith("/api/v1/activity")) {
        send(200, { data: [{ id: "a1", source: "comment", content: "hi" }], pagination: { has_more: true }, request_id: "req_standin000000000000000007" });
      } else if (url === "/api/v1/clients" || url.startsWith("/api/v1/clients?")) {
        send(200, { data: [] });
      } else if (method === "POST" && url === "/api/v1/posts") {
        send(201, { data: { id: "00000000-0000-1000-8000-000000000001", status: "draft" }, request_id: "req_standin000000000000000008" });
      } else if (url.includes("/posts")) {
        send(405, { error: { code: "method_not_allowed", message: "Method not allowed." }, request_id: "req_standin000000000000000002" });
      } else if (url.includes("/leads")) {
        send(501, { error: { code: "not_implemented", message: "Not implemented." }, request_id: "req_standin000000000000000003" });
      } else {
        send(418, { error: { code: "teapot", message: "Something \u202Eodd\u202C\nhappened." }, request_id: "req_standin000000000000000004" });
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test("method_not_allowed names the route's provenance and the doctor command", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_BASE_URL: baseUrl } });
    const text = textOf(await s.call("get_post", { post_id: "00000000-0000-4000-8000-000000000001" }));
    expect(text).toContain("method_not_allowed (HTTP 405)");
    expect(text).toContain("leadpanther-mcp doctor");
    expect(text).toContain("request_id: req_standin000000000000000002");
  });

  test("not_implemented says the feature is not available in v1", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_BASE_URL: baseUrl } });
    const text = textOf(await s.call("list_leads"));
    expect(text).toContain("not_implemented (HTTP 501)");
    expect(text).toContain("not available in API v1");
  });

  test("an unknown code still gives code, status and request_id; control characters are flattened", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_BASE_URL: baseUrl } });
    const text = textOf(await s.call("get_client", { client_id: DEMO.clients.full }));
    expect(text).toContain("teapot (HTTP 418)");
    expect(text).toContain("req_standin000000000000000004");
    expect(text).not.toMatch(/[\u202e\u202c]/);
  });

  test("a key with characters beyond the documented ones is still tried, and works when the API accepts it", async () => {
    const s = await stack({ key: "lp_test_abc+def/ghi=", env: { LEADPANTHER_BASE_URL: baseUrl } });
    expect((await s.toolNames()).length).toBe(20);
  });

  test("a 2xx without the data envelope is a success: the bare object is the data", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_BASE_URL: baseUrl, LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" } });
    expect(structured(await s.call("get_api_info")).data).toEqual({ name: "LeadPanther API", version: "v1" });
    const removed = await s.call("delete_media", { path: "images/abc.png" });
    expect(removed.isError).toBeFalsy();
  });

  test("a 501 on a write is a definite refusal, not an unknown outcome", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_BASE_URL: baseUrl } });
    const text = textOf(await s.call("create_lead_magnet", { title: "x", delivery_mode: "external_link", resource_link: "https://example.com/x" }));
    expect(text).toContain("not_implemented (HTTP 501)");
    expect(text).toContain("outcome: not applied");
    expect(text).not.toContain("OUTCOME UNKNOWN");
  });

  test("an error without the envelope keeps its meaning from the status: a bare 403 gets the scope hint", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_BASE_URL: baseUrl } });
    const text = textOf(await s.call("list_lead_magnets"));
    expect(text).toContain("forbidden (HTTP 403)");
    expect(text).toContain("needs the lead_magnets:read scope");
  });

  test("partial pagination: has_more alone still yields next_offset; no pagination says so", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_BASE_URL: baseUrl } });
    const activity = await s.call("list_activity", { offset: 10 });
    expect(structured(activity)).toMatchObject({ pagination: { offset: 10, limit: 50, has_more: true }, next_offset: 11 });
    expect(textOf(await s.call("list_clients"))).toContain("did not report pagination");
  });

  test("media paths of another shape, other UUID versions and a 201 are accepted", async () => {
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_BASE_URL: baseUrl } });
    const created = await s.call("create_post", { text: "x", images: ["images/abc.png", "acct/images/My Photo.png"], theme_id: "6ba7b810-9dad-11d1-80b4-00c04fd430c8" });
    expect(created.isError).toBeFalsy();
  });
});
