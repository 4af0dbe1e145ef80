/**
 * Contract §2 (auth), §3 (scopes), §4 (GET /me), §6 (envelopes), §7 (request IDs) and §8
 * (every error code with its status), over real HTTP.
 */
import { describe, expect, test } from "vitest";
import { ERROR_CODES, ERROR_STATUS, SCOPES, type ErrorCode } from "../../src/contract.js";
import { DEMO, type Sandbox } from "../../src/sandbox/index.js";
import { call, expectError, useSandbox, REQUEST_ID_SHAPE, type CallResult } from "./helpers.js";

let sandbox: Sandbox;
const agent = useSandbox((started) => (sandbox = started));


describe("§2 authentication", () => {
  test("§2 GET / needs no key and returns the API name and version", async () => {
    const result = await call(sandbox, agent, "GET", "/");
    expect(result.status).toBe(200);
    expect(result.json.data).toEqual({ name: "LeadPanther API", version: "v1" });
  });

  test("§2 GET /api/v1 without a trailing slash is the same root", async () => {
    const result = await call(sandbox, agent, "GET", "");
    expect(result.json.data).toEqual({ name: "LeadPanther API", version: "v1" });
  });

  test("§2 missing Authorization header → 401 unauthorized", async () => {
    const result = await call(sandbox, agent, "GET", "/me");
    expectError(result, "unauthorized");
    expect(result.headers["www-authenticate"]).toMatch(/^Bearer/);
  });

  const malformed: Array<[string, string]> = [
    ["Basic scheme", `Basic ${DEMO.keys.directAll}`],
    ["Bearer without a key", "Bearer"],
    ["key without Bearer", DEMO.keys.directAll],
    ["two spaces", `Bearer  ${DEMO.keys.directAll}`],
    ["extra word", `Bearer ${DEMO.keys.directAll} extra`],
    ["key in quotes", `Bearer "${DEMO.keys.directAll}"`],
    ["unknown key", "Bearer lp_test_this_key_does_not_exist_000000"],
    ["live-prefixed unknown key", "Bearer lp_live_this_key_does_not_exist_000000"],
  ];
  test.each(malformed)("§2 malformed or unknown header (%s) → 401 unauthorized", async (_label, header) => {
    const result = await call(sandbox, agent, "GET", "/me", { headers: { authorization: header } });
    expectError(result, "unauthorized");
  });

  test("§2 revoked key → 401 unauthorized", async () => {
    expectError(await call(sandbox, agent, "GET", "/me", { key: DEMO.keys.revoked }), "unauthorized");
  });

  test("§2 inactive key → 401 unauthorized", async () => {
    expectError(await call(sandbox, agent, "GET", "/me", { key: DEMO.keys.inactive }), "unauthorized");
  });

  test("§2 keys.setStatus revokes a working key; reset() restores it", async () => {
    sandbox.keys.setStatus(DEMO.keys.directAll, "revoked");
    expectError(await call(sandbox, agent, "GET", "/posts", { key: DEMO.keys.directAll }), "unauthorized");
    sandbox.reset();
    expect((await call(sandbox, agent, "GET", "/posts", { key: DEMO.keys.directAll })).status).toBe(200);
  });

  test("§2 the Bearer scheme is case-insensitive (RFC 9110)", async () => {
    const result = await call(sandbox, agent, "GET", "/me", { headers: { authorization: `bearer ${DEMO.keys.directAll}` } });
    expect(result.status).toBe(200);
  });

  test("§2 auth comes before routing: unknown path without a key → 401, with a key → 404", async () => {
    expectError(await call(sandbox, agent, "GET", "/no-such-route"), "unauthorized");
    expectError(await call(sandbox, agent, "GET", "/no-such-route", { key: DEMO.keys.directAll }), "not_found");
  });

  test("§2 no error message ever contains a key", async () => {
    const results = await Promise.all([
      call(sandbox, agent, "GET", "/me", { key: DEMO.keys.revoked }),
      call(sandbox, agent, "GET", "/me", { key: "lp_test_unknown_key_abcdefghijklmnop" }),
      call(sandbox, agent, "GET", "/leads", { key: DEMO.keys.directPostsRead }),
    ]);
    for (const result of results) {
      expect(result.text).not.toContain(DEMO.keys.revoked);
      expect(result.text).not.toContain("lp_test_unknown_key_abcdefghijklmnop");
      expect(result.text).not.toContain(DEMO.keys.directPostsRead);
    }
  });
});

describe("§3 scopes", () => {
  test("§3 the * scope satisfies every scope", async () => {
    for (const path of ["/posts", "/lead-magnets", "/leads", "/activity"]) {
      expect((await call(sandbox, agent, "GET", path, { key: DEMO.keys.directAll })).status).toBe(200);
    }
  });

  test("§3 a read-only key can read but not write (403 forbidden)", async () => {
    expect((await call(sandbox, agent, "GET", "/leads", { key: DEMO.keys.directRead })).status).toBe(200);
    expectError(await call(sandbox, agent, "POST", "/posts", { key: DEMO.keys.directRead, body: { text: "hi" } }), "forbidden");
  });

  test("§3 a posts:read key cannot list leads (403 forbidden, message names the scope)", async () => {
    const result = await call(sandbox, agent, "GET", "/leads", { key: DEMO.keys.directPostsRead });
    expectError(result, "forbidden");
    expect(result.json.error?.message).toContain("leads:read");
  });

  test("§3 keys.setScopes changes what a key may do", async () => {
    sandbox.keys.setScopes(DEMO.keys.directPostsRead, ["leads:read"]);
    expect((await call(sandbox, agent, "GET", "/leads", { key: DEMO.keys.directPostsRead })).status).toBe(200);
    expectError(await call(sandbox, agent, "GET", "/posts", { key: DEMO.keys.directPostsRead }), "forbidden");
  });

  test("§3 webhooks:write alone allows no v1 route", async () => {
    sandbox.keys.setScopes(DEMO.keys.directPostsRead, ["webhooks:write"]);
    expectError(await call(sandbox, agent, "GET", "/posts", { key: DEMO.keys.directPostsRead }), "forbidden");
    expect((await call(sandbox, agent, "GET", "/me", { key: DEMO.keys.directPostsRead })).status).toBe(200);
  });
});

describe("§4 GET /me", () => {
  interface Me {
    owner: { user_id: string; full_name: string; business_name: string; account_status: string };
    actor_type: string;
    scopes: string[];
    subject: { user_id: string };
  }

  test("§4 direct key: owner, actor_type direct_user, scopes, subject", async () => {
    const result = await call<Me>(sandbox, agent, "GET", "/me", { key: DEMO.keys.directAll });
    expect(result.status).toBe(200);
    expect(Object.keys(result.json.data).sort()).toEqual(["actor_type", "owner", "scopes", "subject"]);
    expect(result.json.data.actor_type).toBe("direct_user");
    expect(result.json.data.scopes).toEqual(["*"]);
    expect(result.json.data.subject).toEqual({ user_id: DEMO.users.direct });
    expect(result.json.data.owner).toMatchObject({ user_id: DEMO.users.direct, account_status: "active" });
    expect(typeof result.json.data.owner.full_name).toBe("string");
    expect(typeof result.json.data.owner.business_name).toBe("string");
  });

  test("§4 read key lists every :read scope", async () => {
    const result = await call<Me>(sandbox, agent, "GET", "/me", { key: DEMO.keys.directRead });
    expect(result.json.data.scopes.sort()).toEqual(SCOPES.filter((scope) => scope.endsWith(":read")).sort());
  });

  test("§4 agency key: actor_type agency", async () => {
    const result = await call<Me>(sandbox, agent, "GET", "/me", { key: DEMO.keys.agency });
    expect(result.json.data.actor_type).toBe("agency");
    expect(result.json.data.subject.user_id).toBe(DEMO.users.agency);
  });

  test("§4 /me needs only a valid key (posts:read key works)", async () => {
    const result = await call<Me>(sandbox, agent, "GET", "/me", { key: DEMO.keys.directPostsRead });
    expect(result.status).toBe(200);
    expect(result.json.data.scopes).toEqual(["posts:read"]);
  });
});

describe("§6 envelopes", () => {
  test("§6 success envelope is exactly { data, request_id }", async () => {
    const result = await call(sandbox, agent, "GET", "/me", { key: DEMO.keys.directAll });
    expect(Object.keys(result.json)).toEqual(["data", "request_id"]);
    expect(result.headers["content-type"]).toMatch(/^application\/json/);
  });

  test("§6 list envelope is exactly { data, pagination, request_id } with no total", async () => {
    const result = await call(sandbox, agent, "GET", "/posts", { key: DEMO.keys.directAll });
    expect(Object.keys(result.json)).toEqual(["data", "pagination", "request_id"]);
    expect(Object.keys(result.json.pagination ?? {}).sort()).toEqual(["has_more", "limit", "offset"]);
  });

  test("§6 error envelope is exactly { error: { code, message }, request_id }", async () => {
    const result = await call(sandbox, agent, "GET", "/leads", { key: DEMO.keys.directPostsRead });
    expect(Object.keys(result.json)).toEqual(["error", "request_id"]);
    expect(Object.keys(result.json.error ?? {})).toEqual(["code", "message"]);
  });
});

describe("§7 request IDs", () => {
  test("§7 a valid caller X-Request-Id is echoed in header and body", async () => {
    const result = await call(sandbox, agent, "GET", "/me", { key: DEMO.keys.directAll, headers: { "x-request-id": "req_example_001" } });
    expect(result.headers["x-request-id"]).toBe("req_example_001");
    expect(result.json.request_id).toBe("req_example_001");
  });

  test("§7 all allowed characters and 128 characters are accepted", async () => {
    const id = `Ab9._:-${"x".repeat(121)}`;
    expect(id).toHaveLength(128);
    const result = await call(sandbox, agent, "GET", "/me", { key: DEMO.keys.directAll, headers: { "x-request-id": id } });
    expect(result.status).toBe(200);
    expect(result.json.request_id).toBe(id);
  });

  test("§7 129 characters → 400 bad_request with a server-made id", async () => {
    const result = await call(sandbox, agent, "GET", "/me", { key: DEMO.keys.directAll, headers: { "x-request-id": "x".repeat(129) } });
    expectError(result, "bad_request");
    expect(result.json.request_id).toMatch(REQUEST_ID_SHAPE);
    expect(result.headers["x-request-id"]).toBe(result.json.request_id);
  });

  test.each([["space", "req 1"], ["slash", "req/1"], ["dollar", "req$1"], ["empty", ""], ["comma (two headers joined)", "a,b"]])(
    "§7 forbidden characters in X-Request-Id (%s) → 400 bad_request",
    async (_label, id) => {
      const result = await call(sandbox, agent, "GET", "/me", { key: DEMO.keys.directAll, headers: { "x-request-id": id } });
      expectError(result, "bad_request");
      expect(result.json.request_id).toMatch(REQUEST_ID_SHAPE);
    },
  );

  test("§7 an invalid X-Request-Id is refused even on the public GET /", async () => {
    expectError(await call(sandbox, agent, "GET", "/", { headers: { "x-request-id": "bad id" } }), "bad_request");
  });

  test("§7 without a caller id the server makes req_ + 24 characters, in header and body", async () => {
    const result = await call(sandbox, agent, "GET", "/me", { key: DEMO.keys.directAll });
    expect(result.json.request_id).toMatch(REQUEST_ID_SHAPE);
    expect(result.headers["x-request-id"]).toBe(result.json.request_id);
  });

  test("§7 error responses carry the request id too, and ids differ per request", async () => {
    const first = await call(sandbox, agent, "GET", "/me");
    const second = await call(sandbox, agent, "GET", "/me");
    expect(first.json.request_id).toMatch(REQUEST_ID_SHAPE);
    expect(first.headers["x-request-id"]).toBe(first.json.request_id);
    expect(first.json.request_id).not.toBe(second.json.request_id);
  });
});

describe("§8 every error code with its HTTP status", () => {
  const published = (): string => {
    const post = sandbox.store.postsOf(DEMO.users.direct).find((candidate) => candidate.status === "published");
    if (post === undefined) throw new Error("seed has no published post");
    return post.id;
  };
  const cases: Record<ErrorCode, () => Promise<CallResult<unknown>>> = {
    bad_request: () => call(sandbox, agent, "GET", "/posts?limit=0", { key: DEMO.keys.directAll }),
    unauthorized: () => call(sandbox, agent, "GET", "/posts"),
    forbidden: () => call(sandbox, agent, "GET", "/leads", { key: DEMO.keys.directPostsRead }),
    not_found: () => call(sandbox, agent, "GET", "/accounts", { key: DEMO.keys.directAll }),
    method_not_allowed: () => call(sandbox, agent, "POST", "/leads", { key: DEMO.keys.directAll, body: {} }),
    conflict: () => call(sandbox, agent, "DELETE", `/posts/${published()}`, { key: DEMO.keys.directAll }),
    internal_error: () => {
      sandbox.faults.inject({ path: "/me", kind: "status", status: 500 });
      return call(sandbox, agent, "GET", "/me", { key: DEMO.keys.directAll });
    },
    not_implemented: () => call(sandbox, agent, "GET", "/lead-magnet-posts", { key: DEMO.keys.directAll }),
  };
  test.each(ERROR_CODES.map((code) => [code, ERROR_STATUS[code]] as const))("§8 %s → HTTP %i", async (code) => {
    const result = await cases[code]();
    expectError(result, code);
    expect(result.headers["x-request-id"]).toBe(result.json.request_id);
  });
});
