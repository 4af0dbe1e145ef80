/**
 * Fault injection (every kind observable, nothing applied where promised) and the request
 * log (contents, order, and that it never holds more than a key prefix or any upload token).
 * Both are programmatic only.
 */
import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { call, makeAgent, REQUEST_ID_SHAPE } from "./helpers.js";

let sandbox: Sandbox;
const agent = makeAgent();
const key: string = DEMO.keys.directAll;
const logLines: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ log: (line) => logLines.push(line) });
});
afterAll(async () => {
  await agent.close();
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

const postCount = (): number => sandbox.store.postsOf(DEMO.users.direct).length;
const createPost = (text = "fault test"): ReturnType<typeof call> => call(sandbox, agent, "POST", "/posts", { key, body: { text } });

describe("faults: status", () => {
  test.each([500, 502, 503, 504] as const)("fault status %i → JSON internal_error envelope with request id; nothing applied", async (status) => {
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "status", status });
    const before = postCount();
    const result = await createPost();
    expect(result.status).toBe(status);
    expect(result.json.error?.code).toBe("internal_error");
    expect(result.json.request_id).toMatch(REQUEST_ID_SHAPE);
    expect(result.headers["x-request-id"]).toBe(result.json.request_id);
    expect(postCount()).toBe(before);
  });

  test("fault 429 with Retry-After → rate_limited and the header", async () => {
    sandbox.faults.inject({ path: "/posts", kind: "status", status: 429, retryAfter: "2" });
    const result = await call(sandbox, agent, "GET", "/posts", { key });
    expect(result.status).toBe(429);
    expect(result.json.error?.code).toBe("rate_limited");
    expect(result.headers["retry-after"]).toBe("2");
  });

  test("fault 429 without Retry-After → no header", async () => {
    sandbox.faults.inject({ path: "/posts", kind: "status", status: 429 });
    const result = await call(sandbox, agent, "GET", "/posts", { key });
    expect(result.status).toBe(429);
    expect(result.headers["retry-after"]).toBeUndefined();
  });

  test("times: N hits the next N matching requests only", async () => {
    sandbox.faults.inject({ path: "/me", kind: "status", status: 503, times: 2 });
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await call(sandbox, agent, "GET", "/me", { key })).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  test("method and path filters: a POST fault leaves GET alone; a RegExp matches item paths", async () => {
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "status", status: 500 });
    expect((await call(sandbox, agent, "GET", "/posts", { key })).status).toBe(200);
    expect((await createPost()).status).toBe(500);
    sandbox.faults.inject({ path: /^\/posts\/[^/]+$/, kind: "status", status: 502 });
    expect((await call(sandbox, agent, "GET", "/posts", { key })).status).toBe(200);
    const id = sandbox.store.postsOf(DEMO.users.direct)[0]?.id ?? "";
    expect((await call(sandbox, agent, "GET", `/posts/${id}`, { key })).status).toBe(502);
  });

  test("faults apply before auth (like a proxy): even a keyless request gets the fault", async () => {
    sandbox.faults.inject({ path: "/me", kind: "status", status: 503 });
    expect((await call(sandbox, agent, "GET", "/me")).status).toBe(503);
  });

  test("faults.clear() and reset() drop pending faults", async () => {
    sandbox.faults.inject({ path: "/me", kind: "status", status: 500 });
    sandbox.faults.clear();
    expect((await call(sandbox, agent, "GET", "/me", { key })).status).toBe(200);
    sandbox.faults.inject({ path: "/me", kind: "status", status: 500 });
    sandbox.reset();
    expect((await call(sandbox, agent, "GET", "/me", { key })).status).toBe(200);
  });

  test("invalid fault specs are refused", () => {
    expect(() => sandbox.faults.inject({ path: "/me", kind: "delay", ms: -1 })).toThrow(RangeError);
    expect(() => sandbox.faults.inject({ path: "/me", kind: "reset-before-apply", times: 0 })).toThrow(RangeError);
  });
});

describe("faults: delay, resets, HTML, truncated JSON", () => {
  test("delay → the response comes after ms, then normally", async () => {
    sandbox.faults.inject({ path: "/me", kind: "delay", ms: 150 });
    const started = performance.now();
    const result = await call(sandbox, agent, "GET", "/me", { key });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(result.status).toBe(200);
  });

  test("reset-before-apply → the connection drops and nothing is applied; logged with status null", async () => {
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "reset-before-apply" });
    const before = postCount();
    await expect(createPost("never")).rejects.toThrow();
    expect(postCount()).toBe(before);
    const entry = sandbox.requests().find((candidate) => candidate.method === "POST");
    expect(entry?.status).toBeNull();
  });

  test("reset-after-apply → the connection drops but the write IS applied", async () => {
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "reset-after-apply" });
    const before = postCount();
    await expect(createPost("applied anyway")).rejects.toThrow();
    expect(postCount()).toBe(before + 1);
    expect(sandbox.store.postsOf(DEMO.users.direct)[0]?.text).toBe("applied anyway");
    expect(sandbox.requests().find((candidate) => candidate.method === "POST")?.status).toBeNull();
  });

  test("html → an HTML error page (default 502), nothing applied", async () => {
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "html" });
    const before = postCount();
    const result = await createPost();
    expect(result.status).toBe(502);
    expect(result.headers["content-type"]).toMatch(/^text\/html/);
    expect(result.text).toMatch(/<html>/);
    expect(postCount()).toBe(before);
  });

  test("html with a status → that status", async () => {
    sandbox.faults.inject({ path: "/me", kind: "html", status: 504 });
    expect((await call(sandbox, agent, "GET", "/me", { key })).status).toBe(504);
  });

  test("truncated-json → applied, 2xx with a JSON body cut in half", async () => {
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "truncated-json" });
    const before = postCount();
    const response = await request(`${sandbox.baseUrl}/posts`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ text: "truncated" }),
      dispatcher: agent,
    });
    const text = await response.body.text();
    expect(response.statusCode).toBe(201);
    expect(() => JSON.parse(text)).toThrow();
    expect(text.startsWith('{"data":{')).toBe(true);
    expect(postCount()).toBe(before + 1);
  });

  test("faults on the storage PUT path (/storage/…): 503 and nothing stored; the URL still works after", async () => {
    const created = await call<{ upload_url: string; bucket: string; path: string }>(sandbox, agent, "POST", "/media/upload-url", {
      key,
      body: { content_type: "image/png", file_name: "a.png", size: 3 },
    });
    sandbox.faults.inject({ method: "PUT", path: /^\/storage\//, kind: "status", status: 503 });
    const put = (): Promise<number> =>
      request(created.json.data.upload_url, { method: "PUT", headers: { "content-type": "image/png" }, body: Buffer.from([1, 2, 3]), dispatcher: agent }).then(async (response) => {
        await response.body.text();
        return response.statusCode;
      });
    expect(await put()).toBe(503);
    expect(sandbox.media.get(created.json.data.bucket, created.json.data.path)).toBeUndefined();
    expect(await put()).toBe(200);
  });

  test("a pending delay does not keep close() waiting", async () => {
    const other = await startSandbox();
    other.faults.inject({ path: "/me", kind: "delay", ms: 60_000 });
    const pending = request(`${other.baseUrl}/me`, { headers: { authorization: `Bearer ${key}` } }).catch(() => "closed");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    await pending;
  });
});

describe("no HTTP route reaches faults, the log or state controls", () => {
  test.each(["/faults", "/_sandbox/faults", "/requests", "/__admin", "/reset", "/keys"])("GET/POST %s with any key → 404", async (path) => {
    for (const apiKey of [DEMO.keys.directAll, DEMO.keys.agency]) {
      expect((await call(sandbox, agent, "GET", path, { key: apiKey })).status).toBe(404);
      expect((await call(sandbox, agent, "POST", path, { key: apiKey, body: { kind: "status", status: 500 } })).status).toBe(404);
    }
    const outside = await request(`${sandbox.origin}${path}`, { method: "POST", dispatcher: agent });
    await outside.body.text();
    expect(outside.statusCode).toBe(404);
  });
});

describe("request log", () => {
  test("entries hold method, path (relative, no query), query, key prefix, status, request id, time — oldest first", async () => {
    const started = Date.now();
    await call(sandbox, agent, "GET", "/posts?limit=5&offset=10", { key, headers: { "x-request-id": "req_log_1" } });
    await call(sandbox, agent, "GET", "/me");
    const entries = sandbox.requests();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({ method: "GET", path: "/posts", query: { limit: "5", offset: "10" }, keyPrefix: "lp_test_", status: 200, requestId: "req_log_1", at: expect.any(Number) });
    expect(entries[0]?.at).toBeGreaterThanOrEqual(started);
    expect(entries[1]).toMatchObject({ method: "GET", path: "/me", keyPrefix: null, status: 401 });
    expect(entries[1]?.requestId).toMatch(REQUEST_ID_SHAPE);
  });

  test("key prefixes: lp_test_, lp_live_, other, null for a non-Bearer header", async () => {
    await call(sandbox, agent, "GET", "/me", { headers: { authorization: "Bearer lp_live_abcdefghijklmnopqrstuvwxyz012345" } });
    await call(sandbox, agent, "GET", "/me", { headers: { authorization: "Bearer sk-something-else" } });
    await call(sandbox, agent, "GET", "/me", { headers: { authorization: `Basic ${key}` } });
    expect(sandbox.requests().map((entry) => entry.keyPrefix)).toEqual(["lp_live_", "other", null]);
  });

  test("the log never holds a key beyond its prefix, nor an upload URL or token", async () => {
    const created = await call<{ upload_url: string; token: string; bucket: string; path: string }>(sandbox, agent, "POST", "/media/upload-url", {
      key,
      body: { content_type: "image/png", file_name: "a.png", size: 3 },
    });
    const response = await request(created.json.data.upload_url, { method: "PUT", headers: { "content-type": "image/png" }, body: Buffer.from([1, 2, 3]), dispatcher: agent });
    await response.body.text();
    for (const apiKey of Object.values(DEMO.keys)) await call(sandbox, agent, "GET", "/me", { key: apiKey });
    const serialised = JSON.stringify(sandbox.requests());
    for (const apiKey of Object.values(DEMO.keys)) expect(serialised).not.toContain(apiKey);
    expect(serialised).not.toContain(created.json.data.token);
    expect(serialised).not.toContain("token");
    const storage = sandbox.requests().find((entry) => entry.method === "PUT");
    expect(storage).toMatchObject({ path: `/storage/${created.json.data.bucket}/${created.json.data.path}`, query: {}, status: 200, keyPrefix: null });
    const lines = logLines.join("\n");
    for (const apiKey of Object.values(DEMO.keys)) expect(lines).not.toContain(apiKey);
    expect(lines).not.toContain(created.json.data.token);
  });

  test("a key sent where it must not go (query, path, request id) is logged as its prefix only", async () => {
    await call(sandbox, agent, "GET", `/posts?api_key=${key}`, { key });
    await call(sandbox, agent, "GET", `/posts/${key}`, { key, headers: { "x-request-id": key } });
    const entries = sandbox.requests();
    expect(entries[0]?.query).toEqual({ api_key: "lp_test_[REDACTED]" });
    expect(entries[0]?.status).toBe(400);
    expect(entries[1]).toMatchObject({ path: "/posts/lp_test_[REDACTED]", requestId: "lp_test_[REDACTED]" });
    expect(JSON.stringify(entries)).not.toContain(key);
    expect(logLines.join("\n")).not.toContain(key);
  });

  test("the log option receives one line per request", async () => {
    const before = logLines.length;
    await call(sandbox, agent, "GET", "/me", { key });
    expect(logLines.length).toBe(before + 1);
    expect(logLines.at(-1)).toMatch(/^GET \/api\/v1\/me 200 /);
  });

  test("requests() returns a copy; clearRequests() empties the log", async () => {
    await call(sandbox, agent, "GET", "/me", { key });
    const copy = sandbox.requests();
    copy.length = 0;
    expect(sandbox.requests()).toHaveLength(1);
    sandbox.clearRequests();
    expect(sandbox.requests()).toEqual([]);
  });

  test("storage and outside paths are logged with their own path forms", async () => {
    const outside = await request(`${sandbox.origin}/robots.txt`, { dispatcher: agent });
    await outside.body.text();
    expect(sandbox.requests().at(-1)).toMatchObject({ path: "/robots.txt", status: 404 });
  });
});

describe("test hooks that no API key reaches", () => {
  test("media.issued() lists every signed URL and token handed out, across resets", async () => {
    const own = await startSandbox();
    const ask = async (): Promise<{ upload_url: string; token: string }> => {
      const response = await fetch(`${own.baseUrl}/media/upload-url`, {
        method: "POST",
        headers: { authorization: `Bearer ${DEMO.keys.directAll}`, "content-type": "application/json" },
        body: JSON.stringify({ content_type: "image/png", file_name: "x.png", size: 10 }),
      });
      return ((await response.json()) as { data: { upload_url: string; token: string } }).data;
    };
    const first = await ask();
    own.reset();
    const second = await ask();
    expect(own.media.issued()).toEqual([
      { url: first.upload_url, token: first.token },
      { url: second.upload_url, token: second.token },
    ]);
    await own.close();
  });

  test("records.*Of(userId) are the live records: a change is what the API answers next", async () => {
    const own = await startSandbox();
    const [item] = own.records.activityOf(DEMO.users.direct);
    if (!item) throw new Error("no activity seeded");
    item.content = "changed by the test";
    const response = await fetch(`${own.baseUrl}/activity?limit=100`, { headers: { authorization: `Bearer ${DEMO.keys.directAll}` } });
    const body = (await response.json()) as { data: { id: string; content: string }[] };
    expect(body.data.find((candidate) => candidate.id === item.id)?.content).toBe("changed by the test");
    await own.close();
  });
});
