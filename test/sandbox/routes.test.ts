/**
 * Contract §5 and §10: every account route × direct key, agency key (nested, client `full`),
 * missing scope, agency grant without the scope, revoked grant, wrong route; GET /clients;
 * guessed routes, /lead-magnet-posts, wrong methods; renamed routes.
 */
import { request } from "undici";
import { describe, expect, test } from "vitest";
import { GUESSED_ROUTES, SCOPES, type Scope } from "../../src/contract.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { call, expectError, useSandbox, type CallResult } from "./helpers.js";

let sandbox: Sandbox;
const agent = useSandbox((started) => (sandbox = started));


/** IDs of one account, picked from the seed. */
interface AccountIds {
  userId: string;
  draftPost: string;
  publishedPost: string;
  leadMagnet: string;
}

function idsOf(userId: string): AccountIds {
  const posts = sandbox.store.postsOf(userId);
  const draft = posts.find((post) => post.status === "draft");
  const published = posts.find((post) => post.status === "published");
  const magnet = sandbox.store.leadMagnetsOf(userId)[0];
  if (draft === undefined || published === undefined || magnet === undefined) throw new Error(`seed of ${userId} lacks records`);
  return { userId, draftPost: draft.id, publishedPost: published.id, leadMagnet: magnet.id };
}

/** Uploads a 4-byte PNG through `prefix` ("" or "/clients/{id}") and returns its path. */
async function uploadedPath(key: string, prefix: string): Promise<string> {
  const created = await call<{ upload_url: string; path: string }>(sandbox, agent, "POST", `${prefix}/media/upload-url`, {
    key,
    body: { content_type: "image/png", file_name: "x.png", size: 4 },
  });
  expect(created.status).toBe(200);
  const put = await request(created.json.data.upload_url, { method: "PUT", headers: { "content-type": "image/png" }, body: Buffer.from([1, 2, 3, 4]), dispatcher: agent });
  await put.body.text();
  expect(put.statusCode).toBe(200);
  return created.json.data.path;
}

interface Operation {
  name: string;
  method: string;
  scope: Scope;
  okStatus: number;
  /** Path relative to the account root ("" for direct, "/clients/{id}" for nested). */
  path: (ids: AccountIds, key: string, prefix: string) => string | Promise<string>;
  body?: unknown;
}

const OPERATIONS: Operation[] = [
  { name: "list_posts", method: "GET", scope: "posts:read", okStatus: 200, path: () => "/posts" },
  { name: "get_post", method: "GET", scope: "posts:read", okStatus: 200, path: (ids) => `/posts/${ids.draftPost}` },
  { name: "create_post", method: "POST", scope: "posts:write", okStatus: 201, path: () => "/posts", body: { text: "Hello from the route matrix" } },
  { name: "update_post", method: "PATCH", scope: "posts:write", okStatus: 200, path: (ids) => `/posts/${ids.draftPost}`, body: { notes: "matrix" } },
  { name: "delete_post", method: "DELETE", scope: "posts:write", okStatus: 200, path: (ids) => `/posts/${ids.draftPost}` },
  { name: "get_post_engagement", method: "GET", scope: "analytics:read", okStatus: 200, path: (ids) => `/posts/${ids.publishedPost}/engagement` },
  { name: "list_lead_magnets", method: "GET", scope: "lead_magnets:read", okStatus: 200, path: () => "/lead-magnets" },
  { name: "get_lead_magnet", method: "GET", scope: "lead_magnets:read", okStatus: 200, path: (ids) => `/lead-magnets/${ids.leadMagnet}` },
  {
    name: "create_lead_magnet",
    method: "POST",
    scope: "lead_magnets:write",
    okStatus: 201,
    path: () => "/lead-magnets",
    body: { title: "Matrix link", delivery_mode: "external_link", resource_link: "https://docs.example.com/matrix" },
  },
  { name: "update_lead_magnet", method: "PATCH", scope: "lead_magnets:write", okStatus: 200, path: (ids) => `/lead-magnets/${ids.leadMagnet}`, body: { title: "Renamed" } },
  { name: "archive_lead_magnet", method: "DELETE", scope: "lead_magnets:write", okStatus: 200, path: (ids) => `/lead-magnets/${ids.leadMagnet}` },
  { name: "get_lead_magnet_analytics", method: "GET", scope: "analytics:read", okStatus: 200, path: (ids) => `/lead-magnets/${ids.leadMagnet}/analytics` },
  {
    name: "upload_media (upload URL)",
    method: "POST",
    scope: "media:write",
    okStatus: 200,
    path: () => "/media/upload-url",
    body: { content_type: "image/jpeg", file_name: "photo.jpg", size: 1000 },
  },
  {
    name: "delete_media",
    method: "DELETE",
    scope: "media:write",
    okStatus: 200,
    path: async (_ids, key, prefix) => `/media?path=${encodeURIComponent(await uploadedPath(key, prefix))}`,
  },
  { name: "list_leads", method: "GET", scope: "leads:read", okStatus: 200, path: () => "/leads" },
  { name: "list_activity", method: "GET", scope: "activity:read", okStatus: 200, path: () => "/activity" },
];

const nested = (clientId: string): string => `/clients/${clientId}`;

async function run(operation: Operation, key: string, ids: AccountIds, prefix: string, pathKey = key, pathPrefix = prefix): Promise<CallResult<unknown>> {
  const path = await operation.path(ids, pathKey, pathPrefix);
  return call(sandbox, agent, operation.method, `${prefix}${path}`, { key, body: operation.body });
}

describe("§5/§10 every account route for every kind of caller", () => {
  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))("§5 %s: direct key on the direct route → success", async (_name, operation) => {
    const result = await run(operation, DEMO.keys.directAll, idsOf(DEMO.users.direct), "");
    expect(result.status).toBe(operation.okStatus);
    expect(result.json.request_id).toBeTruthy();
  });

  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
    "§5 %s: agency key on /clients/{full}/… → success on the client's account",
    async (_name, operation) => {
      const result = await run(operation, DEMO.keys.agency, idsOf(DEMO.clients.full), nested(DEMO.clients.full));
      expect(result.status).toBe(operation.okStatus);
    },
  );

  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
    "§3 %s: a key with every scope but the required one → 403 forbidden",
    async (_name, operation) => {
      sandbox.keys.setScopes(DEMO.keys.directPostsRead, SCOPES.filter((scope) => scope !== operation.scope));
      const result = await run(operation, DEMO.keys.directPostsRead, idsOf(DEMO.users.direct), "", DEMO.keys.directAll, "");
      expectError(result, "forbidden");
    },
  );

  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
    "§3 %s: the posts:read-only demo key → success only for posts:read",
    async (_name, operation) => {
      const result = await run(operation, DEMO.keys.directPostsRead, idsOf(DEMO.users.direct), "", DEMO.keys.directAll, "");
      if (operation.scope === "posts:read") expect(result.status).toBe(operation.okStatus);
      else expectError(result, "forbidden");
    },
  );

  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
    "§5 %s: agency on client postsRead (grant permissions [posts:read]) → success only for posts:read, else 403",
    async (_name, operation) => {
      const prefix = nested(DEMO.clients.postsRead);
      const path = operation.name === "delete_media" ? `/media?path=${encodeURIComponent(`${DEMO.clients.postsRead}/images/api-v1/${DEMO.users.direct}.png`)}` : await operation.path(idsOf(DEMO.clients.postsRead), DEMO.keys.agency, prefix);
      const result = await call(sandbox, agent, operation.method, `${prefix}${path}`, { key: DEMO.keys.agency, body: operation.body });
      if (operation.scope === "posts:read") expect(result.status).toBe(operation.okStatus);
      else {
        expectError(result, "forbidden");
        expect(result.json.error?.message).toContain("grant");
      }
    },
  );

  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))("§5 %s: agency on client revoked (grant revoked) → 403 forbidden", async (_name, operation) => {
    const prefix = nested(DEMO.clients.revoked);
    const path = operation.name === "delete_media" ? "/media?path=x" : await operation.path(idsOf(DEMO.clients.revoked), DEMO.keys.agency, prefix);
    const result = await call(sandbox, agent, operation.method, `${prefix}${path}`, { key: DEMO.keys.agency, body: operation.body });
    expectError(result, "forbidden");
  });

  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))("§5 %s: agency key on the direct route → 404 not_found", async (_name, operation) => {
    const path = operation.name === "delete_media" ? "/media?path=x" : await operation.path(idsOf(DEMO.users.direct), DEMO.keys.directAll, "");
    const result = await call(sandbox, agent, operation.method, path, { key: DEMO.keys.agency, body: operation.body });
    expectError(result, "not_found");
  });

  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))("§5 %s: direct key on the nested route → 404 not_found", async (_name, operation) => {
    const prefix = nested(DEMO.clients.full);
    const path = operation.name === "delete_media" ? "/media?path=x" : await operation.path(idsOf(DEMO.clients.full), DEMO.keys.agency, prefix);
    const result = await call(sandbox, agent, operation.method, `${prefix}${path}`, { key: DEMO.keys.directAll, body: operation.body });
    expectError(result, "not_found");
  });
});

describe("§5 grants", () => {
  test("§5 a client with no grant at all → 403 forbidden on nested routes", async () => {
    const stranger = "11111111-2222-4333-8444-555555555555";
    expectError(await call(sandbox, agent, "GET", `/clients/${stranger}/posts`, { key: DEMO.keys.agency }), "forbidden");
  });

  test("§5 the direct user's own id is not a client of the agency → 403 forbidden", async () => {
    expectError(await call(sandbox, agent, "GET", `/clients/${DEMO.users.direct}/posts`, { key: DEMO.keys.agency }), "forbidden");
  });

  test("§5 grants.set revokes and restores a grant, and narrows permissions", async () => {
    sandbox.grants.set(DEMO.clients.full, { status: "revoked" });
    expectError(await call(sandbox, agent, "GET", `/clients/${DEMO.clients.full}/posts`, { key: DEMO.keys.agency }), "forbidden");
    sandbox.grants.set(DEMO.clients.full, { status: "active", permissions: ["leads:read"] });
    expect((await call(sandbox, agent, "GET", `/clients/${DEMO.clients.full}/leads`, { key: DEMO.keys.agency })).status).toBe(200);
    expectError(await call(sandbox, agent, "GET", `/clients/${DEMO.clients.full}/posts`, { key: DEMO.keys.agency }), "forbidden");
  });

  test("§5 key scopes AND grant permissions must both cover the scope", async () => {
    sandbox.keys.setScopes(DEMO.keys.agency, ["clients:read", "posts:read"]);
    expect((await call(sandbox, agent, "GET", `/clients/${DEMO.clients.full}/posts`, { key: DEMO.keys.agency })).status).toBe(200);
    const leads = await call(sandbox, agent, "GET", `/clients/${DEMO.clients.full}/leads`, { key: DEMO.keys.agency });
    expectError(leads, "forbidden");
    expect(leads.json.error?.message).toContain("API key");
  });

  test("§5 a malformed client id → 400 bad_request", async () => {
    expectError(await call(sandbox, agent, "GET", "/clients/not-a-uuid/posts", { key: DEMO.keys.agency }), "bad_request");
  });

  test("§5 nested routes work on the client's data, not the agency's or the direct user's", async () => {
    const result = await call<Array<{ id: string }>>(sandbox, agent, "GET", `/clients/${DEMO.clients.full}/posts?limit=100`, { key: DEMO.keys.agency });
    const expected = sandbox.store.postsOf(DEMO.clients.full).map((post) => post.id);
    expect(result.json.data.map((post) => post.id)).toEqual(expected.slice(0, 100));
    const directPost = sandbox.store.postsOf(DEMO.users.direct)[0]?.id ?? "";
    expectError(await call(sandbox, agent, "GET", `/clients/${DEMO.clients.full}/posts/${directPost}`, { key: DEMO.keys.agency }), "not_found");
  });
});

describe("§10 GET /clients and /clients/{clientId}", () => {
  interface Client {
    user_id: string;
    full_name: string;
    business_name: string;
    account_status: string;
    grant: { id: string; label: string; status: string; permissions: string[]; created_at: string; updated_at: string };
  }

  test("§10 agency key lists its clients with a grant object", async () => {
    const result = await call<Client[]>(sandbox, agent, "GET", "/clients", { key: DEMO.keys.agency });
    expect(result.status).toBe(200);
    const ids = result.json.data.map((client) => client.user_id);
    expect(ids).toEqual(expect.arrayContaining([DEMO.clients.full, DEMO.clients.postsRead, DEMO.clients.revoked]));
    for (const client of result.json.data) {
      expect(Object.keys(client).sort()).toEqual(["account_status", "business_name", "full_name", "grant", "user_id"]);
      expect(Object.keys(client.grant).sort()).toEqual(["created_at", "id", "label", "permissions", "status", "updated_at"]);
    }
    const byId = new Map(result.json.data.map((client) => [client.user_id, client]));
    expect(byId.get(DEMO.clients.postsRead)?.grant.permissions).toEqual(["posts:read"]);
    expect(byId.get(DEMO.clients.revoked)?.grant.status).toBe("revoked");
    expect(byId.get(DEMO.clients.full)?.grant.permissions.sort()).toEqual([...SCOPES].sort());
  });

  test("§10 direct key lists no client accounts", async () => {
    const result = await call<unknown[]>(sandbox, agent, "GET", "/clients", { key: DEMO.keys.directAll });
    expect(result.status).toBe(200);
    expect(result.json.data).toEqual([]);
    expect(result.json.pagination).toEqual({ limit: 50, offset: 0, has_more: false });
  });

  test("§10 GET /clients needs clients:read", async () => {
    expectError(await call(sandbox, agent, "GET", "/clients", { key: DEMO.keys.directPostsRead }), "forbidden");
  });

  test("§10 GET /clients/{id} returns one client object", async () => {
    const result = await call<Client>(sandbox, agent, "GET", `/clients/${DEMO.clients.full}`, { key: DEMO.keys.agency });
    expect(result.status).toBe(200);
    expect(result.json.data.user_id).toBe(DEMO.clients.full);
    expect(result.json.data.grant.status).toBe("active");
  });

  test("§10 GET /clients/{id} of an unknown client or with a direct key → 404 not_found", async () => {
    expectError(await call(sandbox, agent, "GET", "/clients/11111111-2222-4333-8444-555555555555", { key: DEMO.keys.agency }), "not_found");
    expectError(await call(sandbox, agent, "GET", `/clients/${DEMO.clients.full}`, { key: DEMO.keys.directAll }), "not_found");
  });

  test("§10 GET /clients/{id} with a malformed id → 400 bad_request", async () => {
    expectError(await call(sandbox, agent, "GET", "/clients/12345", { key: DEMO.keys.agency }), "bad_request");
  });
});

describe("§10 routes that are not part of v1", () => {
  const guessed = GUESSED_ROUTES.flatMap((route) => [route, `${route}/00000000-0000-4000-8000-000000000001`, `${route}/x/y`]);
  test.each(guessed)("§10 guessed route %s → 404 not_found", async (path) => {
    expectError(await call(sandbox, agent, "GET", path, { key: DEMO.keys.directAll }), "not_found");
    expectError(await call(sandbox, agent, "POST", path, { key: DEMO.keys.agency, body: {} }), "not_found");
  });

  test("§10 guessed routes nested under a client → 404 not_found", async () => {
    expectError(await call(sandbox, agent, "GET", `/clients/${DEMO.clients.full}/accounts`, { key: DEMO.keys.agency }), "not_found");
  });

  test.each(["/lead-magnet-posts", "/lead-magnet-posts/00000000-0000-4000-8000-000000000001"])("§10 %s → 501 not_implemented (after auth)", async (path) => {
    expectError(await call(sandbox, agent, "GET", path, { key: DEMO.keys.directAll }), "not_implemented");
    expectError(await call(sandbox, agent, "POST", path, { key: DEMO.keys.directAll, body: {} }), "not_implemented");
    expectError(await call(sandbox, agent, "GET", path), "unauthorized");
  });

  test.each(["/webhooks", "/posts/00000000-0000-4000-8000-000000000001/comments", "/me/keys", "/posts/", "//posts", "/v1/posts"])(
    "§10 unknown path %s → 404 not_found",
    async (path) => {
      expectError(await call(sandbox, agent, "GET", path, { key: DEMO.keys.directAll }), "not_found");
    },
  );

  test("§10 paths outside /api/v1 → 404 not_found envelope", async () => {
    const response = await request(`${sandbox.origin}/v1/posts`, { dispatcher: agent });
    const body = (await response.body.json()) as { error: { code: string } };
    expect(response.statusCode).toBe(404);
    expect(body.error.code).toBe("not_found");
  });
});

describe("§8 wrong method on an existing path → 405 with Allow", () => {
  const cases: Array<[string, string, string]> = [
    ["POST", "/leads", "GET"],
    ["DELETE", "/activity", "GET"],
    ["PUT", "/posts", "GET, POST"],
    ["PUT", "/posts/00000000-0000-4000-8000-000000000001", "GET, PATCH, DELETE"],
    ["POST", "/posts/00000000-0000-4000-8000-000000000001/engagement", "GET"],
    ["GET", "/media/upload-url", "POST"],
    ["GET", "/media", "DELETE"],
    ["PATCH", "/me", "GET"],
    ["DELETE", "/clients", "GET"],
    ["POST", "/", "GET"],
  ];
  test.each(cases)("§8 %s %s → 405 method_not_allowed, Allow: %s", async (method, path, allow) => {
    const result = await call(sandbox, agent, method, path, { key: DEMO.keys.directAll });
    expectError(result, "method_not_allowed");
    expect(result.headers["allow"]).toBe(allow);
  });

  test("§8 wrong method on a nested path → 405 for the agency", async () => {
    const result = await call(sandbox, agent, "POST", `/clients/${DEMO.clients.full}/leads`, { key: DEMO.keys.agency, body: {} });
    expectError(result, "method_not_allowed");
  });
});

describe("renameRoutes option", () => {
  test("§10 a renamed route answers on the new path only, direct and nested", async () => {
    const renamed = await startSandbox({ renameRoutes: { "/posts/{postId}/engagement": "/posts/{postId}/stats" } });
    try {
      const post = renamed.store.postsOf(DEMO.users.direct).find((candidate) => candidate.status === "published")?.id ?? "";
      expectError(await call(renamed, agent, "GET", `/posts/${post}/engagement`, { key: DEMO.keys.directAll }), "not_found");
      expect((await call(renamed, agent, "GET", `/posts/${post}/stats`, { key: DEMO.keys.directAll })).status).toBe(200);
      const clientPost = renamed.store.postsOf(DEMO.clients.full).find((candidate) => candidate.status === "published")?.id ?? "";
      const prefix = `/clients/${DEMO.clients.full}/posts/${clientPost}`;
      expectError(await call(renamed, agent, "GET", `${prefix}/engagement`, { key: DEMO.keys.agency }), "not_found");
      expect((await call(renamed, agent, "GET", `${prefix}/stats`, { key: DEMO.keys.agency })).status).toBe(200);
    } finally {
      await renamed.close();
    }
  });

  test("renameRoutes refuses unknown templates and changed parameters", async () => {
    await expect(startSandbox({ renameRoutes: { "/nope": "/x" } })).rejects.toThrow(/not a sandbox route/);
    await expect(startSandbox({ renameRoutes: { "/posts/{postId}": "/posts/{id}" } })).rejects.toThrow(/same parameters/);
  });
});
