/**
 * Contract §9: limit/offset on every list route, the defaults, the cap, the bad values, and
 * has_more; unknown query parameters (§17).
 */
import { describe, expect, test } from "vitest";
import { PAGINATION } from "../../src/contract.js";
import { DEMO, type Sandbox } from "../../src/sandbox/index.js";
import { call, useSandbox } from "./helpers.js";

let sandbox: Sandbox;
const agent = useSandbox((started) => (sandbox = started), { reset: false });

const LISTS: Array<[string, string, string]> = [
  ["posts (direct)", "/posts", DEMO.keys.directAll],
  ["lead magnets (direct)", "/lead-magnets", DEMO.keys.directAll],
  ["leads (direct)", "/leads", DEMO.keys.directAll],
  ["activity (direct)", "/activity", DEMO.keys.directAll],
  ["clients (agency)", "/clients", DEMO.keys.agency],
  ["posts (nested)", `/clients/${DEMO.clients.full}/posts`, DEMO.keys.agency],
  ["lead magnets (nested)", `/clients/${DEMO.clients.full}/lead-magnets`, DEMO.keys.agency],
  ["leads (nested)", `/clients/${DEMO.clients.full}/leads`, DEMO.keys.agency],
  ["activity (nested)", `/clients/${DEMO.clients.full}/activity`, DEMO.keys.agency],
];

const BAD_QUERIES: Array<[string, string]> = [
  ["limit=0", "limit=0"],
  ["limit=101", "limit=101"],
  ["limit=-1", "limit=-1"],
  ["limit=1.5", "limit=1.5"],
  ["limit=abc", "limit=abc"],
  ["limit= (empty)", "limit="],
  ["limit=+5", "limit=+5"],
  ["limit=1e2", "limit=1e2"],
  ["offset=-1", "offset=-1"],
  ["offset=1.5", "offset=1.5"],
  ["offset=abc", "offset=abc"],
  ["offset= (empty)", "offset="],
  ["offset=99999999999999999999 (unsafe integer)", "offset=99999999999999999999"],
  ["repeated limit", "limit=10&limit=20"],
  ["unknown parameter", "status=draft"],
  ["unknown parameter with a valid limit", "limit=10&page=2"],
];

describe.each(LISTS)("§9 pagination of %s", (_label, path, key) => {
  test("§9 no parameters → limit 50, offset 0", async () => {
    const result = await call<unknown[]>(sandbox, agent, "GET", path, { key });
    expect(result.status).toBe(200);
    expect(result.json.pagination?.limit).toBe(PAGINATION.defaultLimit);
    expect(result.json.pagination?.offset).toBe(0);
    expect(result.json.data.length).toBeLessThanOrEqual(50);
  });

  test("§9 limit=1 and limit=100 are accepted", async () => {
    const one = await call<unknown[]>(sandbox, agent, "GET", `${path}?limit=1`, { key });
    expect(one.status).toBe(200);
    expect(one.json.data).toHaveLength(1);
    const hundred = await call<unknown[]>(sandbox, agent, "GET", `${path}?limit=100`, { key });
    expect(hundred.status).toBe(200);
    expect(hundred.json.pagination?.limit).toBe(100);
  });

  test.each(BAD_QUERIES)("§9 %s → 400 bad_request", async (_name, query) => {
    const result = await call(sandbox, agent, "GET", `${path}?${query}`, { key });
    expect({ status: result.status, code: result.json.error?.code }).toEqual({ status: 400, code: "bad_request" });
  });

  test("§9 an offset past the end → empty page, has_more false", async () => {
    const result = await call<unknown[]>(sandbox, agent, "GET", `${path}?offset=100000`, { key });
    expect(result.status).toBe(200);
    expect(result.json.data).toEqual([]);
    expect(result.json.pagination).toEqual({ limit: 50, offset: 100000, has_more: false });
  });
});

describe("§9 paging through the direct account's posts", () => {
  test("§9 ≥ 120 seeded posts page with has_more and no overlap", async () => {
    const seen: string[] = [];
    let offset = 0;
    for (;;) {
      const page = await call<Array<{ id: string }>>(sandbox, agent, "GET", `/posts?limit=50&offset=${offset}`, { key: DEMO.keys.directAll });
      expect(page.status).toBe(200);
      seen.push(...page.json.data.map((post) => post.id));
      if (page.json.pagination?.has_more !== true) break;
      expect(page.json.data).toHaveLength(50);
      offset += 50;
    }
    expect(seen.length).toBeGreaterThanOrEqual(120);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(sandbox.store.postsOf(DEMO.users.direct).map((post) => post.id));
  });

  test("§9 has_more is false exactly on the last item", async () => {
    const total = sandbox.store.postsOf(DEMO.users.direct).length;
    const last = await call<unknown[]>(sandbox, agent, "GET", `/posts?limit=1&offset=${total - 1}`, { key: DEMO.keys.directAll });
    expect(last.json.data).toHaveLength(1);
    expect(last.json.pagination?.has_more).toBe(false);
    const before = await call<unknown[]>(sandbox, agent, "GET", `/posts?limit=1&offset=${total - 2}`, { key: DEMO.keys.directAll });
    expect(before.json.pagination?.has_more).toBe(true);
  });

  test("§9 leading zeros are plain integers (limit=007)", async () => {
    const result = await call<unknown[]>(sandbox, agent, "GET", "/posts?limit=007", { key: DEMO.keys.directAll });
    expect(result.json.pagination?.limit).toBe(7);
  });
});

describe("§17 query parameters on routes that take none", () => {
  test.each(["/me?x=1", "/posts/00000000-0000-4000-8000-000000000001?limit=1", "/?debug=1"])("§17 %s → 400 bad_request", async (path) => {
    const result = await call(sandbox, agent, "GET", path, { key: DEMO.keys.directAll });
    expect(result.json.error?.code).toBe("bad_request");
  });
});
