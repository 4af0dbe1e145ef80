/**
 * Faults before and after a write is applied, on every write route, and the request log that
 * proves how often a write was sent: a connection reset, a 500 and a hang past the client's
 * timeout, each either before the write (nothing applied) or after it (applied, answer lost).
 */
import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { DEMO, LOGGED_BODY_MAX, MAX_HANG_MS, startSandbox, type FaultSpec, type Sandbox } from "../../src/sandbox/index.js";
import { call, makeAgent } from "./helpers.js";

let sandbox: Sandbox;
const agent = makeAgent();
const key: string = DEMO.keys.directAll;
const direct = DEMO.users.direct;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await agent.close();
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

/** One write, ready to send: what it sends and how to tell from the store that it was applied. */
interface PreparedWrite {
  method: "POST" | "PATCH" | "DELETE";
  /** Relative to /api/v1, query included. */
  url: string;
  body?: Record<string, unknown>;
  applied(): boolean;
}

const PROBE = "fault probe";

function draftPostId(): string {
  const post = sandbox.store.postsOf(direct).find((candidate) => candidate.status === "draft");
  if (post === undefined) throw new Error("no draft post seeded");
  return post.id;
}

function leadMagnetId(): string {
  const magnet = sandbox.store.leadMagnetsOf(direct)[0];
  if (magnet === undefined) throw new Error("no lead magnet seeded");
  return magnet.id;
}

async function uploadedMedia(): Promise<{ bucket: string; path: string }> {
  const created = await call<{ upload_url: string; bucket: string; path: string }>(sandbox, agent, "POST", "/media/upload-url", {
    key,
    body: { content_type: "image/png", file_name: "a.png", size: 3 },
  });
  const put = await request(created.json.data.upload_url, { method: "PUT", headers: { "content-type": "image/png" }, body: Buffer.from([1, 2, 3]), dispatcher: agent });
  await put.body.text();
  expect(put.statusCode).toBe(200);
  sandbox.clearRequests();
  return created.json.data;
}

const WRITES: Record<string, () => Promise<PreparedWrite>> = {
  "create post": async () => ({
    method: "POST",
    url: "/posts",
    body: { text: PROBE },
    applied: () => sandbox.store.postsOf(direct).some((post) => post.text === PROBE),
  }),
  "update post": async () => {
    const id = draftPostId();
    return { method: "PATCH", url: `/posts/${id}`, body: { text: PROBE }, applied: () => sandbox.store.postsOf(direct).find((post) => post.id === id)?.text === PROBE };
  },
  "delete post": async () => {
    const id = draftPostId();
    return { method: "DELETE", url: `/posts/${id}`, applied: () => !sandbox.store.postsOf(direct).some((post) => post.id === id) };
  },
  "create lead magnet": async () => ({
    method: "POST",
    url: "/lead-magnets",
    body: { title: PROBE, delivery_mode: "external_link", resource_link: "https://docs.example.com/probe" },
    applied: () => sandbox.store.leadMagnetsOf(direct).some((magnet) => magnet.title === PROBE),
  }),
  "update lead magnet": async () => {
    const id = leadMagnetId();
    return { method: "PATCH", url: `/lead-magnets/${id}`, body: { title: PROBE }, applied: () => sandbox.store.leadMagnetsOf(direct).find((magnet) => magnet.id === id)?.title === PROBE };
  },
  "archive lead magnet": async () => {
    const id = leadMagnetId();
    return { method: "DELETE", url: `/lead-magnets/${id}`, applied: () => sandbox.store.archivedLeadMagnetsOf(direct).some((magnet) => magnet.id === id) };
  },
  "delete media": async () => {
    const media = await uploadedMedia();
    return { method: "DELETE", url: `/media?path=${encodeURIComponent(media.path)}`, applied: () => sandbox.media.get(media.bucket, media.path) === undefined };
  },
  "upload-url": async () => {
    const before = sandbox.media.issued().length;
    return {
      method: "POST",
      url: "/media/upload-url",
      body: { content_type: "application/pdf", file_name: "probe.pdf", size: 10 },
      applied: () => sandbox.media.issued().length === before + 1,
    };
  },
};

/** A fault spec without its method and path (kept per kind). */
type FaultBehaviour = FaultSpec extends infer Spec ? (Spec extends unknown ? Omit<Spec, "method" | "path"> : never) : never;

type FaultKind = "reset-before-apply" | "reset-after-apply" | "status" | "status-after-apply" | "hang-before-apply" | "hang-after-apply";

/** What the client sees: a status, a dropped connection, or its own timeout. */
type Outcome = { status: number; code: string | undefined } | "connection dropped" | "client timeout";

const CASES: { fault: FaultKind; spec: FaultBehaviour; applied: boolean; outcome: Outcome; logged: number | null }[] = [
  { fault: "reset-before-apply", spec: { kind: "reset-before-apply" }, applied: false, outcome: "connection dropped", logged: null },
  { fault: "reset-after-apply", spec: { kind: "reset-after-apply" }, applied: true, outcome: "connection dropped", logged: null },
  { fault: "status", spec: { kind: "status", status: 500 }, applied: false, outcome: { status: 500, code: "internal_error" }, logged: 500 },
  { fault: "status-after-apply", spec: { kind: "status-after-apply", status: 500 }, applied: true, outcome: { status: 500, code: "internal_error" }, logged: 500 },
  { fault: "hang-before-apply", spec: { kind: "hang-before-apply" }, applied: false, outcome: "client timeout", logged: null },
  { fault: "hang-after-apply", spec: { kind: "hang-after-apply" }, applied: true, outcome: "client timeout", logged: null },
];

const CLIENT_TIMEOUT_MS = 300;

async function send(write: PreparedWrite): Promise<Outcome> {
  try {
    const response = await request(`${sandbox.baseUrl}${write.url}`, {
      method: write.method,
      headers: { authorization: `Bearer ${key}`, ...(write.body === undefined ? {} : { "content-type": "application/json" }) },
      body: write.body === undefined ? undefined : JSON.stringify(write.body),
      headersTimeout: CLIENT_TIMEOUT_MS,
      bodyTimeout: CLIENT_TIMEOUT_MS,
      dispatcher: agent,
    });
    const text = await response.body.text();
    return { status: response.statusCode, code: (JSON.parse(text) as { error?: { code: string } }).error?.code };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === "UND_ERR_HEADERS_TIMEOUT" ? "client timeout" : "connection dropped";
  }
}

/** The log entry of a request once its handling has finished (a hang ends when the client leaves). */
async function settledEntries(method: string): Promise<ReturnType<Sandbox["requests"]>> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return sandbox.requests().filter((entry) => entry.method === method);
}

describe.each(Object.keys(WRITES))("%s", (name) => {
  test.each(CASES)("$fault → applied: $applied, client sees $outcome, logged once", async ({ spec, applied, outcome, logged }) => {
    const write = await WRITES[name]!();
    const path = write.url.split("?")[0] ?? "";
    sandbox.faults.inject({ ...spec, method: write.method, path });
    const started = Date.now();
    expect(await send(write)).toEqual(outcome);
    expect(write.applied()).toBe(applied);

    const entries = await settledEntries(write.method);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ method: write.method, path, status: logged });
    expect(entries[0]?.body).toBe(write.body === undefined ? undefined : JSON.stringify(write.body));
    expect(entries[0]?.at).toBeGreaterThanOrEqual(started);
    // Still as it was after the client gave up: a write held before applying never applies later.
    expect(write.applied()).toBe(applied);
  });
});

describe("fault details", () => {
  test("a hang with ms drops the connection after ms, without an answer", async () => {
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "hang-before-apply", ms: 100 });
    const started = performance.now();
    const result = await call(sandbox, agent, "POST", "/posts", { key, body: { text: PROBE } }).catch((error: unknown) => error);
    expect(result).toBeInstanceOf(Error);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(sandbox.store.postsOf(direct).some((post) => post.text === PROBE)).toBe(false);
  });

  test("a hang does not keep close() waiting", async () => {
    const other = await startSandbox();
    other.faults.inject({ path: "/me", kind: "hang-after-apply" });
    const pending = request(`${other.baseUrl}/me`, { headers: { authorization: `Bearer ${key}` } }).catch(() => "closed");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await pending).toBe("closed");
  });

  test("the next request after a fault is answered normally", async () => {
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "status-after-apply", status: 503 });
    expect((await call(sandbox, agent, "POST", "/posts", { key, body: { text: "first" } })).status).toBe(503);
    expect((await call(sandbox, agent, "POST", "/posts", { key, body: { text: "second" } })).status).toBe(201);
    expect(sandbox.store.postsOf(direct).filter((post) => post.text === "first" || post.text === "second")).toHaveLength(2);
  });

  test("invalid hang and status-after-apply specs are refused", () => {
    expect(() => sandbox.faults.inject({ path: "/posts", kind: "hang-before-apply", ms: -1 })).toThrow(RangeError);
    expect(() => sandbox.faults.inject({ path: "/posts", kind: "hang-after-apply", ms: MAX_HANG_MS + 1 })).toThrow(RangeError);
    expect(() => sandbox.faults.inject({ path: "/posts", kind: "status-after-apply", status: 429 as 500 })).toThrow(RangeError);
  });
});

describe("request log bodies", () => {
  test("a write sent twice is logged twice, each with its body and time; GETs carry no body", async () => {
    const body = { text: "sent twice" };
    await call(sandbox, agent, "POST", "/posts", { key, body });
    await call(sandbox, agent, "POST", "/posts", { key, body });
    await call(sandbox, agent, "GET", "/posts", { key });
    const entries = sandbox.requests();
    expect(entries.map((entry) => [entry.method, entry.path, entry.body, entry.status])).toEqual([
      ["POST", "/posts", JSON.stringify(body), 201],
      ["POST", "/posts", JSON.stringify(body), 201],
      ["GET", "/posts", undefined, 200],
    ]);
    expect(entries[1]?.at).toBeGreaterThanOrEqual(entries[0]?.at ?? Infinity);
  });

  test("a body refused by validation is logged as sent; a key in a body is cut to its prefix", async () => {
    await call(sandbox, agent, "POST", "/posts", { key, body: { text: "", notes: key } });
    const [entry] = sandbox.requests();
    expect(entry?.status).toBe(400);
    expect(entry?.body).toBe(JSON.stringify({ text: "", notes: "lp_test_[REDACTED]" }));
    expect(JSON.stringify(sandbox.requests())).not.toContain(key);
  });

  test("a body longer than LOGGED_BODY_MAX is cut and marked", async () => {
    const text = "x".repeat(3_000);
    const notes = "n".repeat(80_000);
    await call(sandbox, agent, "POST", "/posts", { key, body: { text, notes } });
    const body = sandbox.requests()[0]?.body ?? "";
    expect(body.length).toBe(LOGGED_BODY_MAX + "…[cut]".length);
    expect(body.endsWith("…[cut]")).toBe(true);
    expect(body.startsWith(`{"text":"${text}"`)).toBe(true);
  });
});
