import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SAMPLES } from "../media/fixtures.js";
import { startStack, structured, textOf, type Stack } from "../helpers.js";

/**
 * The server against a stand-in that follows the contract but makes other choices than this
 * project's sandbox: a presigned upload URL whose query is signed and carries no token, a media
 * path with a leading slash, a bare 429 without LeadPanther's error envelope, and a bad_request
 * for a PATCH that sets fields to null. What the contract leaves open must not break the server.
 */

const KEY = "lp_test_standin00000000000000000001";
const USER = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
const POST = "10010000-0000-4000-8000-0000000000aa";
const TOKEN = "tok_SECRET_value_1234567890";
const SIGNED_QUERY = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=5f1c0ffee0ddba11&X-Amz-Expires=60";
const MEDIA_PATH = "/content-images/u1/photo.png";
const WEBINAR = "https://events.example.com/join?token=spring-launch-4821";
const POST_TEXT = `Webinar link: ${WEBINAR} — Authorization: Basic training starts Monday. The bearer 20260501 bond.`;

interface Seen {
  method: string;
  url: string;
  body: string;
}

let server: Server;
let origin: string;
let seen: Seen[] = [];
let stack: Stack;

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString(request.method === "PUT" ? "base64" : "utf8");
  const url = request.url ?? "";
  seen.push({ method: request.method ?? "", url, body });
  const route = `${request.method} ${url.split("?")[0]}`;
  switch (route) {
    case "GET /api/v1/me":
      return send(response, 200, { data: { actor_type: "direct_user", scopes: ["*"], owner: { user_id: USER } }, request_id: "req_me" });
    case "POST /api/v1/media/upload-url":
      return send(response, 200, {
        data: { upload_url: `${origin}/storage/photo.png?${SIGNED_QUERY}`, token: TOKEN, path: MEDIA_PATH, bucket: "content-images", max_file_size: 5_242_880 },
        request_id: "req_upload",
      });
    case "PUT /storage/photo.png":
      // A presigned URL: any change to its query invalidates the signature.
      return url === `/storage/photo.png?${SIGNED_QUERY}`
        ? send(response, 200, { Key: "photo.png" })
        : send(response, 403, { message: "SignatureDoesNotMatch" });
    case "POST /api/v1/posts":
    case "POST /api/v1/lead-magnets":
      return send(response, 201, { data: { id: POST, ...(JSON.parse(body) as object) }, request_id: "req_create" });
    case `GET /api/v1/posts/${POST}`:
      return send(response, 200, { data: { id: POST, text: POST_TEXT, status: "draft", images: [`https://cdn.example.com/a.png?token=eyJhbGciOiJIUzI1NiJ9abc`] }, request_id: "req_get" });
    case `PATCH /api/v1/posts/${POST}`:
      return send(response, 400, { error: { code: "bad_request", message: "Invalid request." }, request_id: "req_patch" });
    case "GET /api/v1/leads":
      response.writeHead(429, { "content-type": "text/plain", "retry-after": "120" });
      response.end("slow down");
      return;
    default:
      return send(response, 404, { error: { code: "not_found", message: "Not found." }, request_id: "req_404" });
  }
}

beforeAll(async () => {
  server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stack = await startStack({ key: KEY, env: { LEADPANTHER_BASE_URL: `${origin}/api/v1` } });
});
beforeEach(() => {
  seen = [];
});
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => server.close(resolve));
});

describe("upload_media with a presigned URL and a path with a leading slash", () => {
  it("PUTs to upload_url exactly as given, and create_post accepts the path it reported", async () => {
    const png = SAMPLES["image/png"].bytes;
    // A PNG saved as .jpg: uploaded as what the content is, and said so.
    const result = await stack.call("upload_media", { content_base64: png.toString("base64"), file_name: "photo.jpg" });
    expect(result.isError, textOf(result)).toBeFalsy();
    const put = seen.find((request) => request.method === "PUT");
    expect(put?.url).toBe(`/storage/photo.png?${SIGNED_QUERY}`);
    expect(put?.body).toBe(png.toString("base64"));
    expect(structured<{ data: { path: string; content_type: string } }>(result).data).toMatchObject({ path: MEDIA_PATH, content_type: "image/png" });
    expect(textOf(result)).toContain("file_name says image/jpeg, but the content is image/png: it was uploaded as image/png.");
    const shown = textOf(result) + JSON.stringify(result.structuredContent);
    for (const secret of [TOKEN, "5f1c0ffee0ddba11", "X-Amz-Signature"]) expect(shown).not.toContain(secret);

    const created = await stack.call("create_post", { text: "With the uploaded image.", images: [MEDIA_PATH] });
    expect(created.isError, textOf(created)).toBeFalsy();
    expect(JSON.parse(seen.find((request) => request.url === "/api/v1/posts")?.body ?? "{}")).toEqual({ text: "With the uploaded image.", images: [MEDIA_PATH] });
  });

  it("still refuses a protocol-relative or scheme path as an image, before sending", async () => {
    const result = await stack.call("create_post", { text: "x", images: ["//evil.example/x.png"] });
    expect(result.isError).toBe(true);
    expect(textOf(result), textOf(result)).toMatch(/images\S*: must be an https:\/\/ URL or a media path/);
    expect(seen.filter((request) => request.method === "POST")).toEqual([]);
  });
});

describe("what is sent is what was given", () => {
  it("a lead magnet title keeps its spaces; a title of only spaces is refused", async () => {
    const created = await stack.call("create_lead_magnet", { title: "  Spaced title  ", delivery_mode: "external_link", resource_link: "https://example.com/guide" });
    expect(created.isError, textOf(created)).toBeFalsy();
    expect(JSON.parse(seen[0]?.body ?? "{}")).toMatchObject({ title: "  Spaced title  " });

    const blank = await stack.call("create_lead_magnet", { title: "   ", delivery_mode: "external_link", resource_link: "https://example.com/guide" });
    expect(blank.isError).toBe(true);
    expect(textOf(blank)).toContain("title: must not be only spaces");
  });

  it("an image URL longer than 2,048 characters is sent: the contract sets no such cap", async () => {
    const long = `https://cdn.example.com/${"a".repeat(2_100)}.png`;
    const created = await stack.call("create_post", { text: "Long URL", images: [long] });
    expect(created.isError, textOf(created)).toBeFalsy();
    expect(JSON.parse(seen[0]?.body ?? "{}")).toMatchObject({ images: [long] });
  });
});

describe("values withheld as secret-shaped", () => {
  it("are few, are said to be withheld, and are never written back", async () => {
    const result = await stack.call("get_post", { post_id: POST });
    const post = structured<{ data: { text: string; images: string[] }; notice?: string }>(result);
    // A URL that carries a token is withheld; prose that merely mentions a scheme is not.
    expect(post.data.text).toBe("Webinar link: [REDACTED_SIGNED_URL] — Authorization: Basic training starts Monday. The bearer 20260501 bond.");
    expect(post.data.images).toEqual(["[REDACTED_SIGNED_URL]"]);
    expect(post.notice).toContain("Do not send these markers back");
    expect(textOf(result)).toContain("LeadPanther still holds the real values");

    seen = [];
    const writeBack = await stack.call("update_post", { post_id: POST, images: post.data.images, text: post.data.text });
    expect(writeBack.isError).toBe(true);
    expect(textOf(writeBack)).toContain('- images[0]: holds "[REDACTED_SIGNED_URL]". Leave the field out to keep the stored value');
    expect(textOf(writeBack)).toContain("- text: holds");
    expect(seen).toEqual([]);
  });

  it("a post without anything secret-shaped carries no such notice", async () => {
    const created = await stack.call("create_post", { text: "Plain words about bearer bonds." });
    expect(textOf(created)).not.toContain("REDACTED");
    expect(structured<{ notice?: string }>(created).notice).toBeUndefined();
  });
});

describe("refusals the contract leaves open", () => {
  it("a bad_request after setting fields to null says the API may not take null to clear them", async () => {
    const result = await stack.call("update_post", { post_id: POST, notes: null });
    expect(result.isError).toBe(true);
    expect(JSON.parse(seen[0]?.body ?? "{}")).toEqual({ notes: null });
    expect(textOf(result)).toContain("bad_request (HTTP 400)");
    expect(textOf(result)).toContain("set a field to null to clear it, which this API may not accept");

    const withoutNull = await stack.call("update_post", { post_id: POST, notes: "plain" });
    expect(textOf(withoutNull)).not.toContain("null");
  });

  it("a bare 429 is reported as HTTP 429, not as an error code LeadPanther never sent", async () => {
    const result = await stack.call("list_leads", {});
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain("list_leads failed: HTTP 429. LeadPanther answered HTTP 429: too many requests.");
    expect(text).toContain("Wait 120 s");
    expect(text).not.toContain("rate_limited");
    expect(seen.filter((request) => request.url.startsWith("/api/v1/leads"))).toHaveLength(1);
  });
});
