/**
 * Contract §11: the post object, create/update/delete with real state, and rules 1–6.
 */
import { describe, expect, test } from "vitest";
import { POST_STATUSES, type PostStatus } from "../../src/contract.js";
import { DEMO, startSandbox, type Post, type Sandbox } from "../../src/sandbox/index.js";
import { call, expectError, useSandbox, type CallResult } from "./helpers.js";

let sandbox: Sandbox;
const agent = useSandbox((started) => (sandbox = started));
const key: string = DEMO.keys.directAll;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const future = (days = 1): string => new Date(Date.now() + days * 86_400_000).toISOString();
const past = (): string => new Date(Date.now() - 60_000).toISOString();


function postWith(status: PostStatus, userId: string = DEMO.users.direct): Readonly<Post> {
  const post = sandbox.store.postsOf(userId).find((candidate) => candidate.status === status);
  if (post === undefined) throw new Error(`no ${status} post in the seed of ${userId}`);
  return post;
}

const create = (body: unknown): Promise<CallResult<Post>> => call<Post>(sandbox, agent, "POST", "/posts", { key, body });
const patch = (id: string, body: unknown): Promise<CallResult<Post>> => call<Post>(sandbox, agent, "PATCH", `/posts/${id}`, { key, body });
const remove = (id: string): Promise<CallResult<{ id: string; deleted: boolean }>> => call(sandbox, agent, "DELETE", `/posts/${id}`, { key });
const get = (id: string): Promise<CallResult<Post>> => call<Post>(sandbox, agent, "GET", `/posts/${id}`, { key });

const POST_FIELDS = [
  "created_at",
  "document_url",
  "followups",
  "id",
  "images",
  "metrics",
  "notes",
  "published_at",
  "scheduled_at",
  "status",
  "template_id",
  "text",
  "theme",
  "theme_id",
  "updated_at",
];

describe("§11 the post object and the seed", () => {
  test.each([DEMO.users.direct, DEMO.clients.full, DEMO.clients.postsRead])("§11 account %s is seeded with posts in every status", (userId) => {
    const statuses = new Set(sandbox.store.postsOf(userId).map((post) => post.status));
    for (const status of POST_STATUSES) expect(statuses).toContain(status);
  });

  test("§11 the direct account has ≥ 120 posts", () => {
    expect(sandbox.store.postsOf(DEMO.users.direct).length).toBeGreaterThanOrEqual(120);
  });

  test("§11 every listed post has all fields, UUID ids and ISO timestamps with ms", async () => {
    const result = await call<Post[]>(sandbox, agent, "GET", "/posts?limit=100", { key });
    for (const post of result.json.data) {
      expect(Object.keys(post).sort()).toEqual(POST_FIELDS);
      expect(post.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(post.created_at).toMatch(ISO_MS);
      expect(post.updated_at).toMatch(ISO_MS);
      if (post.scheduled_at !== null) expect(post.scheduled_at).toMatch(ISO_MS);
      expect(Array.isArray(post.images)).toBe(true);
      expect(Array.isArray(post.followups)).toBe(true);
      if (post.status === "published") {
        expect(Object.keys(post.metrics ?? {}).sort()).toEqual(["clicks", "comments", "impressions", "reactions", "reposts"]);
        expect(post.published_at).toMatch(ISO_MS);
      } else {
        expect(post.metrics).toBeNull();
      }
      if (post.theme_id !== null) expect(post.theme?.id).toBe(post.theme_id);
      if (post.document_url !== null) expect(post.images).toEqual([]);
    }
  });

  test("§11 scheduled posts of the seed are in the future", () => {
    for (const post of sandbox.store.postsOf(DEMO.users.direct).filter((candidate) => candidate.status === "scheduled")) {
      expect(Date.parse(post.scheduled_at ?? "")).toBeGreaterThan(Date.now());
    }
  });

  test("§11 GET /posts/{id} returns the post; unknown id → 404; malformed id → 400", async () => {
    const post = postWith("published");
    const result = await get(post.id);
    expect(result.json.data).toEqual(post);
    expectError(await get("11111111-2222-4333-8444-555555555555"), "not_found");
    expectError(await get("not-a-uuid"), "bad_request");
  });

  test("§11 an uppercase UUID in the path finds the same post", async () => {
    const post = postWith("draft");
    expect((await get(post.id.toUpperCase())).json.data.id).toBe(post.id);
  });
});

describe("§11 create", () => {
  test("§11 rule 1: without scheduled_at a new post is a draft; it is listed first", async () => {
    const result = await create({ text: "A fresh idea" });
    expect(result.status).toBe(201);
    expect(result.json.data).toMatchObject({ text: "A fresh idea", status: "draft", scheduled_at: null, images: [], document_url: null, metrics: null, followups: [] });
    expect(result.json.data.created_at).toMatch(ISO_MS);
    const list = await call<Post[]>(sandbox, agent, "GET", "/posts?limit=1", { key });
    expect(list.json.data[0]?.id).toBe(result.json.data.id);
    expect((await get(result.json.data.id)).json.data).toEqual(result.json.data);
  });

  test("§11 rule 1: with a future scheduled_at the post is scheduled (normalised to ms)", async () => {
    const when = new Date(Date.now() + 2 * 86_400_000);
    when.setUTCMilliseconds(0);
    const result = await create({ text: "Later", scheduled_at: when.toISOString().replace(".000Z", "Z") });
    expect(result.status).toBe(201);
    expect(result.json.data.status).toBe("scheduled");
    expect(result.json.data.scheduled_at).toBe(when.toISOString());
  });

  test.each([
    ["in the past", past()],
    ["not UTC", "2030-01-01T10:00:00+02:00"],
    ["a date only", "2030-01-01"],
    ["an impossible date", "2030-02-30T10:00:00.000Z"],
    ["not a timestamp", "tomorrow"],
    ["a number", 1893456000000],
  ])("§11 rule 1: scheduled_at %s → 400 bad_request", async (_label, value) => {
    expectError(await create({ text: "x", scheduled_at: value }), "bad_request");
  });

  test("§11 rule 2: text of 3000 characters is accepted, 3001 refused", async () => {
    expect((await create({ text: "a".repeat(3000) })).status).toBe(201);
    expectError(await create({ text: "a".repeat(3001) }), "bad_request");
  });

  test("§11 rule 2: characters are counted as code points (3000 emoji accepted)", async () => {
    expect((await create({ text: "😀".repeat(3000) })).status).toBe(201);
    expectError(await create({ text: "😀".repeat(3001) }), "bad_request");
  });

  test.each([
    ["missing", {}],
    ["empty", { text: "" }],
    ["a number", { text: 42 }],
    ["null", { text: null }],
  ])("§11 rule 2: text %s → 400 bad_request", async (_label, body) => {
    expectError(await create(body), "bad_request");
  });

  test("§11 rule 3: a document post cannot include images", async () => {
    expectError(await create({ text: "doc", document_url: "https://files.example.com/deck.pdf", images: ["https://images.example.com/a.png"] }), "bad_request");
    const document = await create({ text: "doc", document_url: "https://files.example.com/deck.pdf" });
    expect(document.status).toBe(201);
    expect(document.json.data.document_url).toBe("https://files.example.com/deck.pdf");
  });

  test("§11 media paths of the account are accepted for images and document_url", async () => {
    const user = DEMO.users.direct;
    const image = `${user}/images/api-v1/12345678-1234-4234-8234-123456789abc.png`;
    const pdf = `${user}/documents/api-v1/12345678-1234-4234-8234-123456789abc.pdf`;
    expect((await create({ text: "img", images: [image, "https://images.example.com/b.jpg"] })).json.data.images).toEqual([image, "https://images.example.com/b.jpg"]);
    expect((await create({ text: "pdf", document_url: pdf })).json.data.document_url).toBe(pdf);
  });

  test.each([
    ["an empty list", { images: [] }],
    ["21 images", { images: Array.from({ length: 21 }, (_, n) => `https://images.example.com/${n}.png`) }],
    ["an http URL", { images: ["http://images.example.com/a.png"] }],
    ["a non-string item", { images: [42] }],
    ["a string instead of a list", { images: "https://images.example.com/a.png" }],
    ["a PDF media path as image", { images: [`${DEMO.users.direct}/documents/api-v1/12345678-1234-4234-8234-123456789abc.pdf`] }],
    ["another account's media path", { images: [`${DEMO.clients.full}/images/api-v1/12345678-1234-4234-8234-123456789abc.png`] }],
    ["a path with ..", { images: [`${DEMO.users.direct}/images/../secret.png`] }],
    ["an image path as document_url", { document_url: `${DEMO.users.direct}/images/api-v1/12345678-1234-4234-8234-123456789abc.png` }],
    ["a javascript: document_url", { document_url: "javascript:alert(1)" }],
    ["a non-UUID theme_id", { theme_id: "theme-1" }],
    ["a non-UUID template_id", { template_id: 12 }],
    ["a non-string notes", { notes: { a: 1 } }],
    ["an unknown field", { title: "x" }],
    ["a status field (not writable)", { status: "published" }],
  ])("§11/§17 create with %s → 400 bad_request", async (_label, extra) => {
    expectError(await create({ text: "x", ...extra }), "bad_request");
  });

  test("§11 20 images are accepted", async () => {
    const images = Array.from({ length: 20 }, (_, n) => `https://images.example.com/${n}.png`);
    expect((await create({ text: "gallery", images })).json.data.images).toHaveLength(20);
  });

  test("§11 theme_id fills the theme object; unknown theme ids have a null name", async () => {
    const [themeId, themeName] = [...sandbox.store.themes()][0] ?? ["", ""];
    expect((await create({ text: "t", theme_id: themeId })).json.data.theme).toEqual({ id: themeId, name: themeName });
    const other = "12345678-1234-4234-8234-123456789abc";
    expect((await create({ text: "t", theme_id: other })).json.data.theme).toEqual({ id: other, name: null });
  });

  test("§11 null optional fields on create mean absent", async () => {
    const result = await create({ text: "n", scheduled_at: null, images: null, document_url: null, theme_id: null, template_id: null, notes: null });
    expect(result.status).toBe(201);
    expect(result.json.data.status).toBe("draft");
  });
});

describe("§11 update", () => {
  test("§11 PATCH a draft changes the given fields and updated_at", async () => {
    const post = postWith("draft");
    const result = await patch(post.id, { text: "Edited", notes: "n1" });
    expect(result.status).toBe(200);
    expect(result.json.data).toMatchObject({ id: post.id, text: "Edited", notes: "n1", status: "draft" });
    expect(result.json.data.updated_at >= post.updated_at).toBe(true);
    expect((await get(post.id)).json.data.text).toBe("Edited");
  });

  test("§11 rule 1: PATCH a future scheduled_at schedules a draft; null unschedules it", async () => {
    const post = postWith("draft");
    expect((await patch(post.id, { scheduled_at: future(3) })).json.data.status).toBe("scheduled");
    const back = await patch(post.id, { scheduled_at: null });
    expect(back.json.data).toMatchObject({ status: "draft", scheduled_at: null });
  });

  test("§11 rule 1: PATCH a past scheduled_at → 400", async () => {
    expectError(await patch(postWith("scheduled").id, { scheduled_at: past() }), "bad_request");
  });

  test("§11 a failed post can be edited and rescheduled", async () => {
    const post = postWith("failed");
    expect((await patch(post.id, { text: "retry" })).json.data.status).toBe("failed");
    expect((await patch(post.id, { scheduled_at: future() })).json.data.status).toBe("scheduled");
  });

  test("§11 rule 2: PATCH text of 3001 characters → 400", async () => {
    expectError(await patch(postWith("draft").id, { text: "b".repeat(3001) }), "bad_request");
  });

  test("§11 rule 3: PATCH that would leave document_url and images together → 400; null switches", async () => {
    const created = await create({ text: "imgs", images: ["https://images.example.com/a.png"] });
    const id = created.json.data.id;
    expectError(await patch(id, { document_url: "https://files.example.com/d.pdf" }), "bad_request");
    expect((await get(id)).json.data.document_url).toBeNull();
    const switched = await patch(id, { document_url: "https://files.example.com/d.pdf", images: null });
    expect(switched.status).toBe(200);
    expect(switched.json.data).toMatchObject({ images: [], document_url: "https://files.example.com/d.pdf" });
    expectError(await patch(id, { images: ["https://images.example.com/a.png"] }), "bad_request");
  });

  test.each(["text", "notes", "theme_id"])("§11 rule 4: a publishing post cannot be edited (%s → 409 conflict)", async (field) => {
    const post = postWith("publishing");
    const value = field === "theme_id" ? "12345678-1234-4234-8234-123456789abc" : "edit";
    expectError(await patch(post.id, { [field]: value }), "conflict");
    expect((await get(post.id)).json.data).toEqual(post);
  });

  test("§11 rule 5: a published post accepts theme_id, template_id and notes", async () => {
    const post = postWith("published");
    const result = await patch(post.id, { theme_id: null, template_id: "12345678-1234-4234-8234-123456789abc", notes: "evergreen" });
    expect(result.status).toBe(200);
    expect(result.json.data).toMatchObject({ status: "published", theme_id: null, theme: null, notes: "evergreen", text: post.text });
  });

  test.each([
    ["text", { text: "new" }],
    ["scheduled_at", { scheduled_at: future() }],
    ["images", { images: ["https://images.example.com/z.png"] }],
    ["document_url", { document_url: null }],
    ["notes together with text", { notes: "ok", text: "not ok" }],
  ])("§11 rule 5: a published post refuses %s → 409 conflict, nothing changes", async (_label, body) => {
    const post = postWith("published");
    expectError(await patch(post.id, body), "conflict");
    expect((await get(post.id)).json.data).toEqual(post);
  });

  test("§17 PATCH with no field → 400; unknown field → 400; unknown post → 404", async () => {
    const post = postWith("draft");
    expectError(await patch(post.id, {}), "bad_request");
    expectError(await patch(post.id, { colour: "red" }), "bad_request");
    expectError(await patch("11111111-2222-4333-8444-555555555555", { notes: "x" }), "not_found");
  });

  test("§11 validation comes before the state check (bad text on a publishing post → 400)", async () => {
    expectError(await patch(postWith("publishing").id, { text: "" }), "bad_request");
  });
});

describe("§11 delete", () => {
  test.each(["published", "publishing"] as const)("§11 rule 6: a %s post cannot be deleted → 409 conflict", async (status) => {
    const post = postWith(status);
    expectError(await remove(post.id), "conflict");
    expect((await get(post.id)).status).toBe(200);
  });

  test.each(["draft", "scheduled", "failed"] as const)("§11 a %s post is deleted, then reads as 404", async (status) => {
    const post = postWith(status);
    const result = await remove(post.id);
    expect(result.status).toBe(200);
    expect(result.json.data).toEqual({ id: post.id, deleted: true });
    expectError(await get(post.id), "not_found");
    expectError(await remove(post.id), "not_found");
    const list = await call<Post[]>(sandbox, agent, "GET", "/posts?limit=100", { key });
    expect(list.json.data.some((candidate) => candidate.id === post.id)).toBe(false);
  });

  test("§11 rule 6 on the agency route: client full's published post → 409", async () => {
    const post = postWith("published", DEMO.clients.full);
    expectError(await call(sandbox, agent, "DELETE", `/clients/${DEMO.clients.full}/posts/${post.id}`, { key: DEMO.keys.agency }), "conflict");
  });

  test("§11 reset() brings deleted posts back", async () => {
    const post = postWith("draft");
    await remove(post.id);
    sandbox.reset();
    expect((await get(post.id)).status).toBe(200);
  });
});

describe("§11 the injectable clock", () => {
  test("§11 `now` decides created_at and what counts as the future", async () => {
    const fixed = new Date("2031-06-01T12:00:00.000Z");
    const clocked = await startSandbox({ now: () => fixed });
    try {
      const made = await call<Post>(clocked, agent, "POST", "/posts", { key, body: { text: "t", scheduled_at: "2031-06-02T00:00:00.000Z" } });
      expect(made.json.data.created_at).toBe(fixed.toISOString());
      expect(made.json.data.status).toBe("scheduled");
      expectError(await call(clocked, agent, "POST", "/posts", { key, body: { text: "t", scheduled_at: "2031-06-01T11:59:59.999Z" } }), "bad_request");
    } finally {
      await clocked.close();
    }
  });
});
