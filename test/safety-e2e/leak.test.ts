import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CATALOG } from "../../src/catalog.js";
import { DEMO, startSandbox, type FaultSpec, type Sandbox } from "../../src/sandbox/index.js";
import { SAMPLES } from "../media/fixtures.js";
import { holdListResultsToTheFullSchema, startStack } from "../fixtures/stack.js";
import { findNeedles, malformedResult, resultText } from "./helpers.js";
import { RecordingStdioTransport } from "./stdio-recorder.js";

/**
 * The leak test: the shipped CLI over stdio at LEADPANTHER_LOG_LEVEL=debug, every tool on its
 * success path and every error path the sandbox can provoke; then stdout (the protocol stream),
 * stderr (the log) and every tool result are scanned for the configured keys, every signed
 * upload URL and every upload token the sandbox issued. Zero hits.
 */

const direct = DEMO.users.direct;
const PNG = SAMPLES["image/png"].bytes;
const PDF = SAMPLES["application/pdf"].bytes;
const TIMEOUT_MS = 2_000;

let sandbox: Sandbox;
let uploadDir: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  uploadDir = await mkdtemp(join(tmpdir(), "lp-leak-"));
  await writeFile(join(uploadDir, "chart.png"), PNG);
  await writeFile(join(uploadDir, "guide.pdf"), PDF);
});
afterAll(async () => {
  await sandbox.close();
  await rm(uploadDir, { recursive: true, force: true });
});

interface Server {
  transport: RecordingStdioTransport;
  client: Client;
  results: { tool: string; result: CallToolResult }[];
  call(tool: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

async function spawnServer(key: string, env: Record<string, string> = {}): Promise<Server> {
  const transport = new RecordingStdioTransport([], {
    LEADPANTHER_API_KEY: key,
    LEADPANTHER_BASE_URL: sandbox.baseUrl,
    LEADPANTHER_LOG_LEVEL: "debug",
    LEADPANTHER_TIMEOUT_MS: String(TIMEOUT_MS),
    LEADPANTHER_UPLOAD_ROOTS: uploadDir,
    ...env,
  });
  const client = new Client({ name: "leak-test", version: "1.0.0" });
  holdListResultsToTheFullSchema(client);
  await client.connect(transport);
  await client.listTools();
  const results: Server["results"] = [];
  return {
    transport,
    client,
    results,
    async call(tool, args = {}) {
      // A protocol error would reject here: the leak test also proves there is none.
      const result = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
      expect(malformedResult(result), tool).toBeUndefined();
      results.push({ tool, result });
      return result;
    },
    async close() {
      await client.close();
      await transport.close();
    },
  };
}

function data<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(`expected success, got: ${resultText(result)}`);
  return (result.structuredContent as { data: T }).data;
}

function postWithStatus(status: string): string {
  const post = sandbox.store.postsOf(direct).find((candidate) => candidate.status === status);
  if (!post) throw new Error(`no ${status} post seeded`);
  return post.id;
}

function fault(spec: FaultSpec): void {
  sandbox.faults.inject(spec);
}

/** Which tools succeeded at least once, across both servers. */
const succeeded = new Set<string>();
const servers: Server[] = [];

function expectOk(tool: string, result: CallToolResult): void {
  expect(result.isError, `${tool}: ${resultText(result)}`).toBeFalsy();
  succeeded.add(tool);
}

/**
 * A delete or archive as a client without a dialog makes it: the preview (scanned like every
 * result), then the same call with its confirm token.
 */
async function confirmed(s: Server, tool: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const preview = await s.call(tool, args);
  const token = (preview.structuredContent as { confirm?: unknown } | undefined)?.confirm;
  return typeof token === "string" ? s.call(tool, { ...args, confirm: token }) : preview;
}

function expectError(result: CallToolResult, text: string | RegExp): void {
  expect(result.isError).toBe(true);
  if (typeof text === "string") expect(resultText(result)).toContain(text);
  else expect(resultText(result)).toMatch(text);
}

describe("no key, signed URL or upload token in stdout, stderr or any tool result", () => {
  test("the sandbox's record of issued signed URLs is exactly what it answers", async () => {
    const before = sandbox.media.issued().length;
    const response = await fetch(`${sandbox.baseUrl}/media/upload-url`, {
      method: "POST",
      headers: { authorization: `Bearer ${DEMO.keys.directAll}`, "content-type": "application/json" },
      body: JSON.stringify({ content_type: "image/png", file_name: "x.png", size: 10 }),
    });
    const body = (await response.json()) as { data: { upload_url: string; token: string } };
    expect(sandbox.media.issued().slice(before)).toEqual([{ token: body.data.token, url: body.data.upload_url }]);
  });

  test("direct key: every tool's success path and every error path, over stdio at debug level", async () => {
    sandbox.reset();
    const s = await spawnServer(DEMO.keys.directAll, { LEADPANTHER_ACTIVITY_CONTENT: "sanitized" });
    servers.push(s);

    // --- success paths
    expectOk("get_api_info", await s.call("get_api_info"));
    expectOk("get_me", await s.call("get_me"));
    expectOk("list_clients", await s.call("list_clients"));
    expectOk("list_posts", await s.call("list_posts", { limit: 100 }));
    const published = postWithStatus("published");
    expectOk("get_post", await s.call("get_post", { post_id: published }));
    expectOk("get_post_engagement", await s.call("get_post_engagement", { post_id: published }));
    expectOk("list_lead_magnets", await s.call("list_lead_magnets"));
    const magnetId = sandbox.store.leadMagnetsOf(direct)[0]?.id ?? "";
    expectOk("get_lead_magnet", await s.call("get_lead_magnet", { lead_magnet_id: magnetId }));
    expectOk("get_lead_magnet_analytics", await s.call("get_lead_magnet_analytics", { lead_magnet_id: magnetId }));
    expectOk("list_leads", await s.call("list_leads", { limit: 100 }));
    expectOk("list_activity", await s.call("list_activity", { limit: 100 }));

    // The model writes the key (and a signed-URL-shaped link) into a post: the echo is scrubbed.
    const created = await s.call("create_post", {
      text: `My key is ${DEMO.keys.directAll} and ${sandbox.origin}/storage/v1/object/upload/sign/content-images/a.png?token=abcdefghijklmnop`,
    });
    expectOk("create_post", created);
    const postId = data<{ id: string }>(created).id;
    expectOk("update_post", await s.call("update_post", { post_id: postId, notes: "changed" }));
    expectOk("delete_post", await confirmed(s, "delete_post", { post_id: postId }));

    const magnet = await s.call("create_lead_magnet", { title: "Leak guide", delivery_mode: "external_link", resource_link: "https://example.com/g.pdf" });
    expectOk("create_lead_magnet", magnet);
    const newMagnet = data<{ id: string }>(magnet).id;
    expectOk("update_lead_magnet", await s.call("update_lead_magnet", { lead_magnet_id: newMagnet, title: "Leak guide 2" }));
    expectOk("archive_lead_magnet", await confirmed(s, "archive_lead_magnet", { lead_magnet_id: newMagnet }));

    const fromBase64 = await s.call("upload_media", { content_base64: PNG.toString("base64"), file_name: "dot.png" });
    expectOk("upload_media", fromBase64);
    const fromFile = await s.call("upload_media", { file_path: join(uploadDir, "chart.png") });
    expectOk("upload_media", fromFile);
    const pdf = await s.call("upload_media", { file_path: join(uploadDir, "guide.pdf") });
    expectOk("upload_media", pdf);
    const imagePath = data<{ path: string }>(fromBase64).path;
    expectOk("create_post", await s.call("create_post", { text: "With an image", images: [imagePath, data<{ path: string }>(fromFile).path] }));
    expectOk("create_post", await s.call("create_post", { text: "With a document", document_url: data<{ path: string }>(pdf).path }));
    expectOk("delete_media", await confirmed(s, "delete_media", { path: imagePath }));

    // --- bad input (nothing sent), including the key where a model might paste it
    expectError(await s.call("create_post", { text: "", scheduled_at: "yesterday", colour: "red" }), "invalid input");
    expectError(await s.call("create_post", { text: "x", [DEMO.keys.directAll]: true }), "unknown field");
    expectError(await s.call("get_post", { post_id: DEMO.keys.directAll }), "must be a UUID");
    expectError(await confirmed(s, "delete_media", { path: `${sandbox.origin}/storage/v1/object/upload/sign/x?token=${DEMO.keys.directAll}` }), "media path");
    expectError(await s.call("upload_media", { content_base64: Buffer.from("MZ not an image").toString("base64"), file_name: "x.png" }), "upload_media refused");
    expectError(await s.call("upload_media", { file_path: "/etc/passwd" }), "upload_media refused");
    expectError(await s.call(`leak_${DEMO.keys.directAll}`), "There is no tool named");

    // --- API errors: 404, 409
    expectError(await s.call("get_post", { post_id: "00000000-0000-4000-8000-00000000dead" }), "not_found (HTTP 404)");
    expectError(await s.call("get_lead_magnet", { lead_magnet_id: newMagnet }), "not_found (HTTP 404)");
    expectError(await confirmed(s, "delete_media", { path: `${direct}/images/api-v1/00000000-0000-4000-8000-000000000abc.png` }), "not_found (HTTP 404)");
    expectError(await confirmed(s, "delete_post", { post_id: published }), "conflict (HTTP 409)");
    expectError(await s.call("update_post", { post_id: postWithStatus("publishing"), notes: "x" }), "conflict (HTTP 409)");

    // --- wire faults on reads (retried) and writes (never resent)
    fault({ method: "GET", path: "/posts", kind: "status", status: 500, times: 3 });
    expectError(await s.call("list_posts"), "internal_error (HTTP 500)");
    fault({ method: "GET", path: "/lead-magnets", kind: "status", status: 429, retryAfter: "1" });
    expectOk("list_lead_magnets", await s.call("list_lead_magnets"));
    fault({ method: "POST", path: "/posts", kind: "status", status: 503 });
    expectError(await s.call("create_post", { text: "503" }), "create_post: NOT APPLIED.");
    fault({ method: "GET", path: "/leads", kind: "reset-before-apply" });
    expectOk("list_leads", await s.call("list_leads"));
    fault({ method: "POST", path: "/posts", kind: "reset-after-apply" });
    const settled = await s.call("create_post", { text: "reset" });
    expectOk("create_post", settled);
    expect(resultText(settled)).toContain("create_post: APPLIED.");
    fault({ method: "POST", path: "/lead-magnets", kind: "reset-before-apply" });
    expectError(await s.call("create_lead_magnet", { title: "Reset", delivery_mode: "external_link", resource_link: "https://example.com/r.pdf" }), "create_lead_magnet: NOT APPLIED.");
    fault({ method: "GET", path: "/activity", kind: "delay", ms: TIMEOUT_MS + 500 });
    expectError(await s.call("list_activity"), "timeout");
    fault({ method: "GET", path: "/me", kind: "html", status: 502, times: 3 });
    expectError(await s.call("get_me"), /HTML|502/);
    fault({ method: "GET", path: `/posts/${published}`, kind: "truncated-json", times: 3 });
    expectError(await s.call("get_post", { post_id: published }), "invalid response");
    fault({ method: "PATCH", path: /^\/posts\//, kind: "truncated-json" });
    expectError(await s.call("update_post", { post_id: postWithStatus("draft"), notes: "cut" }), "applied (answer unreadable)");

    // --- the upload's two steps under faults
    const upload = (): Promise<CallToolResult> => s.call("upload_media", { content_base64: PNG.toString("base64"), file_name: "dot.png" });
    fault({ method: "POST", path: "/media/upload-url", kind: "status", status: 500 });
    expectError(await upload(), "internal_error (HTTP 500)");
    fault({ method: "POST", path: "/media/upload-url", kind: "truncated-json" });
    expectError(await upload(), "upload_media failed");
    for (const spec of [
      { kind: "status", status: 503 },
      { kind: "html", status: 502 },
      { kind: "truncated-json" },
      { kind: "reset-before-apply" },
      { kind: "reset-after-apply" },
    ] as const) {
      // Whatever the outcome (a cut 200 from storage still stored the file), the result is scanned.
      fault({ method: "PUT", path: /^\/storage\//, ...spec });
      await upload();
    }
    // An upload URL that expires while the PUT is on its way.
    const requestsBefore = sandbox.requests().length;
    fault({ method: "PUT", path: /^\/storage\//, kind: "delay", ms: 300 });
    const pending = upload();
    const deadline = Date.now() + 5_000;
    while (!sandbox.requests().slice(requestsBefore).some((entry) => entry.method === "PUT") && Date.now() < deadline) await sleep(10);
    sandbox.media.expireUploadUrls();
    expectError(await pending, /expired/i);

    // --- 401: the key revoked while the server runs, then restored
    sandbox.keys.setStatus(DEMO.keys.directAll, "revoked");
    expectError(await s.call("list_posts"), "unauthorized (HTTP 401)");
    expect((await s.call("get_me")).isError).toBe(true);
    sandbox.keys.setStatus(DEMO.keys.directAll, "active");
    expectOk("get_me", await s.call("get_me"));
    expectOk("list_posts", await s.call("list_posts", { limit: 1 }));

    await s.close();
    expect(s.transport.strayLines, "stdout carries JSON-RPC only").toEqual([]);
  });

  test("agency key: clients, nested routes, 403 on a narrow and a revoked grant, 404 on an unknown client", async () => {
    sandbox.reset();
    const s = await spawnServer(DEMO.keys.agency);
    servers.push(s);
    expectOk("list_clients", await s.call("list_clients"));
    expectOk("get_client", await s.call("get_client", { client_id: DEMO.clients.full }));
    expectError(await s.call("get_client", { client_id: "00000000-0000-4000-8000-0000000000ff" }), "not_found (HTTP 404)");
    expectOk("list_posts", await s.call("list_posts", { client_id: DEMO.clients.full }));
    expectOk("list_activity", await s.call("list_activity", { client_id: DEMO.clients.full }));
    expectError(await s.call("list_leads", { client_id: DEMO.clients.postsRead }), "forbidden (HTTP 403)");
    expectError(await s.call("list_posts", { client_id: DEMO.clients.revoked }), "forbidden (HTTP 403)");
    expectError(await s.call("list_posts", {}), "client_id");
    const uploaded = await s.call("upload_media", { client_id: DEMO.clients.full, content_base64: PNG.toString("base64"), file_name: "dot.png" });
    expectOk("upload_media", uploaded);
    expectOk("delete_media", await confirmed(s, "delete_media", { client_id: DEMO.clients.full, path: data<{ path: string }>(uploaded).path }));
    await s.close();
    expect(s.transport.strayLines).toEqual([]);
  });

  test("the scan: zero hits in every result, all of stdout and all of stderr", () => {
    expect(servers, "the two runs above (this test scans what they recorded)").toHaveLength(2);
    // Not vacuous: every tool succeeded at least once, uploads were issued, the log was verbose.
    expect([...succeeded].sort()).toEqual(CATALOG.map((op) => op.name).sort());
    const issued = sandbox.media.issued();
    expect(issued.length).toBeGreaterThanOrEqual(12);
    const stderr = servers.map((server) => server.transport.stderr).join("\n");
    expect(stderr.match(/ DEBUG LeadPanther call /g)?.length ?? 0).toBeGreaterThan(40);

    const keySecrets = [DEMO.keys.directAll, DEMO.keys.agency].flatMap((key) => [key, encodeURIComponent(key), key.replace(/^lp_test_/, "")]);
    const uploadSecrets = issued.flatMap(({ token, url }) => [token, encodeURIComponent(token), url, encodeURIComponent(url), url.replaceAll("/", "\\/")]);
    const needles = [...new Set([...keySecrets, ...uploadSecrets])];

    const hits: string[] = [];
    for (const [index, server] of servers.entries()) {
      hits.push(...findNeedles(server.transport.stdout, needles, `server ${index} stdout`));
      hits.push(...findNeedles(server.transport.stderr, needles, `server ${index} stderr`));
      for (const { tool, result } of server.results) {
        hits.push(...findNeedles(JSON.stringify(result), needles, `server ${index} ${tool} result`));
        hits.push(...findNeedles(resultText(result), needles, `server ${index} ${tool} text`));
      }
    }
    expect(hits).toEqual([]);
    // The scrubber was exercised, not bypassed: the key the model wrote into a post is shown redacted.
    const echoed = servers[0]?.results.find(({ tool }) => tool === "create_post");
    expect(resultText(echoed?.result ?? { content: [] })).toContain("My key is [REDACTED] and [REDACTED_SIGNED_URL]");
    // Debug logging covered the upload steps too.
    expect(stderr).toMatch(/upload/i);
  });
});

describe("read-only over stdio", () => {
  test("LEADPANTHER_READ_ONLY=true: no write tool listed, each called by name is refused, no write request", async () => {
    sandbox.reset();
    const s = await spawnServer(DEMO.keys.directAll, { LEADPANTHER_READ_ONLY: "true" });
    const names = (await s.client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(CATALOG.filter((op) => op.effect === "read").map((op) => op.name));
    sandbox.clearRequests();
    const draft = postWithStatus("draft");
    const magnetId = sandbox.store.leadMagnetsOf(direct)[0]?.id ?? "";
    const attempts: Record<string, Record<string, unknown>> = {
      create_post: { text: "read-only?" },
      update_post: { post_id: draft, notes: "x" },
      delete_post: { post_id: draft },
      create_lead_magnet: { title: "x", delivery_mode: "external_link", resource_link: "https://example.com/x.pdf" },
      update_lead_magnet: { lead_magnet_id: magnetId, title: "x" },
      archive_lead_magnet: { lead_magnet_id: magnetId },
      upload_media: { content_base64: PNG.toString("base64"), file_name: "dot.png" },
      delete_media: { path: `${direct}/images/api-v1/00000000-0000-4000-8000-000000000abc.png` },
    };
    expect(Object.keys(attempts).sort()).toEqual(CATALOG.filter((op) => op.effect !== "read").map((op) => op.name).sort());
    for (const [tool, args] of Object.entries(attempts)) {
      expectError(await s.call(tool, args), "runs read-only (LEADPANTHER_READ_ONLY=true)");
    }
    expect(sandbox.requests()).toEqual([]);
    expect(sandbox.store.postsOf(direct).some((post) => post.id === draft)).toBe(true);
    await s.close();
    expect(findNeedles(s.transport.stderr + s.transport.stdout, [DEMO.keys.directAll], "read-only")).toEqual([]);
  });
});

describe("secrets the API's JSON spells with escapes", () => {
  /**
   * Any character of a JSON string may be written as \uXXXX (PHP and Python encoders escape
   * all non-ASCII, some escape more). The key, a bearer token or a signed URL spelled that way
   * in an answer is the same text once parsed, and must be scrubbed like any other.
   */
  test("a key, a bearer token and a signed URL with \\u escapes never reach the result", async () => {
    const key = "lp_test_standin_00000000000000000001";
    const escapeAll = (text: string): string => [...text].map((character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    const signedUrl = "https://storage.example.com/storage/v1/object/upload/sign/content-images/a.png?token=abcdefghijklmnop0123";
    const lead = (n: number, name: string): string =>
      `{"id":"00000000-0000-4000-8000-00000000000${n}","name":"${name}","headline":null,"has_intent":false}`;
    const leads = [
      lead(1, key.replace("_standin", "\\u005fstandin")),
      lead(2, escapeAll(key)),
      lead(3, "Bearer\\u00a0abcdefghijklmnopqrstuvwxyz0123"),
      lead(4, signedUrl.replace("?token=", "\\u003ftoken\\u003d")),
      lead(5, `Caf\\u00e9 owner pasted ${key.replace("lp_", "lp\\u005f")}`),
    ];
    let served = 0;
    const standIn = createServer((request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      if (request.url === "/api/v1/me") {
        response.end(JSON.stringify({ data: { actor_type: "direct_user", scopes: ["*"] }, request_id: "req_me" }));
        return;
      }
      // One variant per answer: a single detected secret would get the whole answer scrubbed.
      response.end(`{"data":[${leads[served % leads.length] ?? ""}],"pagination":{"limit":50,"offset":0,"has_more":false},"request_id":"req_1"}`);
      served += 1;
    });
    await new Promise<void>((resolve) => standIn.listen(0, "127.0.0.1", resolve));
    const { port } = standIn.address() as AddressInfo;
    try {
      const s = await startStack({ sandbox, key, env: { LEADPANTHER_BASE_URL: `http://127.0.0.1:${port}/api/v1` } });
      try {
        for (let variant = 0; variant < leads.length; variant++) {
          const result = await s.call("list_leads");
          expect(result.isError, resultText(result)).toBeFalsy();
          const everything = `${resultText(result)}\n${JSON.stringify(result.structuredContent)}`;
          const secretParts = [key, key.slice("lp_test_".length), "abcdefghijklmnopqrstuvwxyz0123", "abcdefghijklmnop0123"];
          expect(findNeedles(everything, secretParts, `variant ${variant}`)).toEqual([]);
          const names = (result.structuredContent as { data: { name: string }[] }).data.map((item) => item.name);
          expect(names).toHaveLength(1);
          expect(names[0]).toContain("REDACTED");
        }
      } finally {
        await s.close();
      }
    } finally {
      await new Promise<void>((resolve) => standIn.close(() => resolve()));
    }
  });
});
