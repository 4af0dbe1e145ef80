/**
 * Contract §17: bad input on the wire never crashes the sandbox or leaves it broken —
 * malformed JSON, wrong shapes and types, wrong Content-Type, bodies over 1 MiB, invalid
 * UUIDs, garbage HTTP — and an unexpected exception becomes a 500 envelope.
 */
import { connect } from "node:net";
import { Readable } from "node:stream";
import { request } from "undici";
import { afterEach, describe, expect, test } from "vitest";
import { MAX_JSON_BODY_BYTES } from "../../src/contract.js";
import { DEMO, type Sandbox } from "../../src/sandbox/index.js";
import { call, expectError, useSandbox, type CallResult } from "./helpers.js";

let sandbox: Sandbox;
const agent = useSandbox((started) => (sandbox = started));
const key: string = DEMO.keys.directAll;

/** After every test the sandbox still answers a normal request. */
afterEach(async () => {
  const result = await call<unknown[]>(sandbox, agent, "GET", "/posts?limit=1", { key });
  expect(result.status).toBe(200);
  expect(result.json.data).toHaveLength(1);
});


const postRaw = (body: string | Buffer, contentType = "application/json"): Promise<CallResult<unknown>> =>
  call(sandbox, agent, "POST", "/posts", { key, rawBody: body, headers: { "content-type": contentType } });

/** Writes raw bytes on a fresh TCP connection and returns what came back before close. */
function rawExchange(payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(sandbox.port, "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("end", () => resolve(received));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
    socket.write(payload);
    setTimeout(() => socket.end(), 200);
  });
}

describe("§17 JSON bodies", () => {
  test.each([
    ["invalid JSON", "{text: 'hi'}"],
    ["truncated JSON", '{"text": "hi"'],
    ["trailing garbage", '{"text":"hi"} x'],
    ["an array", '[{"text":"hi"}]'],
    ["null", "null"],
    ["a number", "42"],
    ["a string", '"hello"'],
    ["an empty body", ""],
    ["only whitespace", "  \n "],
  ])("§17 %s → 400 bad_request", async (_label, body) => {
    expectError(await postRaw(body), "bad_request");
  });

  test("§17 invalid UTF-8 → 400 bad_request", async () => {
    expectError(await postRaw(Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), "bad_request");
  });

  test("§17 prototype keys are unknown fields (__proto__, constructor) → 400", async () => {
    expectError(await postRaw('{"text":"x","__proto__":{"polluted":true}}'), "bad_request");
    expectError(await postRaw('{"text":"x","constructor":{"prototype":{"polluted":true}}}'), "bad_request");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  test("§17 deeply nested JSON → 400, no crash", async () => {
    const depth = 200_000;
    expectError(await postRaw(`{"text":"x","notes":${"[".repeat(depth)}${"]".repeat(depth)}}`), "bad_request");
  });

  test.each([
    ["text/plain", "text/plain"],
    ["form encoding", "application/x-www-form-urlencoded"],
    ["json-ish", "application/jsonp"],
  ])("§17 wrong Content-Type (%s) on a JSON write → 400", async (_label, type) => {
    expectError(await postRaw('{"text":"hi"}', type), "bad_request");
  });

  test("§17 no Content-Type on a JSON write → 400", async () => {
    expectError(await call(sandbox, agent, "POST", "/posts", { key, rawBody: '{"text":"hi"}' }), "bad_request");
  });

  test("§17 Content-Type with charset, in any case, is accepted", async () => {
    expect((await postRaw('{"text":"hi"}', "application/json; charset=utf-8")).status).toBe(201);
    expect((await postRaw('{"text":"hi"}', "Application/JSON")).status).toBe(201);
  });

  test("§17 a body of exactly 1 MiB is read; 1 MiB + 1 byte → 400", async () => {
    const frame = '{"text":"x","notes":""}';
    const exact = `{"text":"x","notes":"${"n".repeat(MAX_JSON_BODY_BYTES - frame.length)}"}`;
    expect(Buffer.byteLength(exact)).toBe(MAX_JSON_BODY_BYTES);
    expect((await postRaw(exact)).status).toBe(201);
    const over = `{"text":"x","notes":"${"n".repeat(MAX_JSON_BODY_BYTES - frame.length + 1)}"}`;
    const result = await postRaw(over);
    expectError(result, "bad_request");
    expect(result.json.error?.message).toMatch(/1 MiB/);
  });

  test("§17 a 2 MiB body → 400 bad_request (Content-Length known)", async () => {
    expectError(await postRaw(Buffer.alloc(2 * 1024 * 1024, 0x20)), "bad_request");
  });

  test("§17 a 2 MiB streamed body (chunked) → 400 as soon as 1 MiB is passed", async () => {
    let sent = 0;
    const stream = new Readable({
      read() {
        if (sent >= 2 * 1024 * 1024) return void this.push(null);
        sent += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024, 0x20));
      },
    });
    const response = await request(`${sandbox.baseUrl}/posts`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: stream,
      dispatcher: agent,
    });
    const body = (await response.body.json()) as { error: { code: string } };
    expect(response.statusCode).toBe(400);
    expect(body.error.code).toBe("bad_request");
  });

  test.each([
    ["text as a list", { text: ["a"] }],
    ["images as an object", { text: "x", images: { 0: "https://images.example.com/a.png" } }],
    ["scheduled_at as a boolean", { text: "x", scheduled_at: true }],
  ])("§17 wrong type (%s) → 400", async (_label, body) => {
    expectError(await call(sandbox, agent, "POST", "/posts", { key, body }), "bad_request");
  });

  test("§17 a nothing-to-change PATCH → 400", async () => {
    const post = sandbox.store.postsOf(DEMO.users.direct).find((candidate) => candidate.status === "draft");
    expectError(await call(sandbox, agent, "PATCH", `/posts/${post?.id ?? ""}`, { key, body: {} }), "bad_request");
  });
});

describe("§17 malformed UUIDs in the path", () => {
  test.each([
    "123",
    "not-a-uuid",
    "00000000-0000-4000-8000-00000000000",
    "00000000-0000-4000-8000-0000000000000",
    "g0000000-0000-4000-8000-000000000000",
    "{00000000-0000-4000-8000-000000000001}",
    "00000000000040008000000000000001",
    "%20",
    "...",
    "%00",
    "00000000-0000-4000-8000-000000000001%0A",
  ])("§17 /posts/%s → 400 bad_request", async (id) => {
    expectError(await call(sandbox, agent, "GET", `/posts/${id}`, { key }), "bad_request");
    expectError(await call(sandbox, agent, "GET", `/lead-magnets/${id}/analytics`, { key }), "bad_request");
  });
});

describe("§17 garbage on the wire", () => {
  test("§17 a header line without a colon → 400 JSON, connection closed", async () => {
    const answer = await rawExchange("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toContain('"code":"bad_request"');
  });

  test("§17 headers over 16 KB → 431", async () => {
    const answer = await rawExchange(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
  });

  test("§17 bytes that are not HTTP at all → 400", async () => {
    const answer = await rawExchange("\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003 TLS hello?\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });

  test("§17 a control character in a header value → 400", async () => {
    const answer = await rawExchange("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0001abc\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });

  test("§17 an unknown HTTP method → 405 or 400, never a crash", async () => {
    const answer = await rawExchange(`PURGE /api/v1/posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 (400|405)/);
  });

  test("§17 a half-sent body then a closed connection leaves the sandbox working", async () => {
    await rawExchange(`POST /api/v1/posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"text":`);
  });

  test("§17 an absolute-form request target → 404 envelope", async () => {
    const answer = await rawExchange("GET http://example.com/api/v1/me HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 404/);
  });
});

describe("§8 an unexpected exception becomes a 500 internal_error envelope", () => {
  test("§8 a handler that throws → 500 internal_error with a request id; the next request works", async () => {
    Reflect.set(sandbox.store, "account", () => {
      throw new Error("simulated bug");
    });
    try {
      const result = await call(sandbox, agent, "GET", "/posts", { key });
      expectError(result, "internal_error");
      expect(result.json.request_id).toBeTruthy();
      expect(result.text).not.toContain("simulated bug");
    } finally {
      Reflect.deleteProperty(sandbox.store, "account");
    }
  });
});
