import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SAMPLES } from "../media/fixtures.js";
import { startStack, structured, textOf, type Stack } from "../fixtures/stack.js";

/**
 * The server against a stand-in that follows the contract but makes other choices than this
 * project's sandbox: a presigned upload URL whose query is signed and carries no token, a media
 * path with a leading slash, a bare 429 without LeadPanther's error envelope, and a bad_request
 * for a PATCH that sets fields to null. What the contract leaves open must not break the server.
 */

const KEY = "lp_test_standin00000000000000000001";
const AGENCY_KEY = "lp_test_standin_agency_000000000000003";
/** A client's user_id in capitals, as this stand-in's list_clients spells it. */
const CLIENT = "9F3C2A1E-4B5D-4C6E-8F70-A1B2C3D4E5F6";
/** A key that may write posts but not read them. */
const WRITE_ONLY_KEY = "lp_test_standin_write_only0000000002";
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

function redirect(response: ServerResponse, status: number, location: string): void {
  response.writeHead(status, { location });
  response.end();
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString(request.method === "PUT" ? "base64" : "utf8");
  const url = request.url ?? "";
  seen.push({ method: request.method ?? "", url, body });
  const route = `${request.method} ${url.split("?")[0]}`;
  switch (route) {
    case "GET /api/v1/me": {
      const scopes = request.headers.authorization === `Bearer ${WRITE_ONLY_KEY}` ? ["posts:write"] : ["*"];
      const actor_type = request.headers.authorization === `Bearer ${AGENCY_KEY}` ? "agency" : "direct_user";
      return send(response, 200, { data: { actor_type, scopes, owner: { user_id: USER } }, request_id: "req_me" });
    }
    case `GET /api/v1/clients/${CLIENT}/posts`: {
      return send(response, 200, { data: [], pagination: { limit: 50, offset: 0, has_more: false }, request_id: "req_client_posts" });
    }
    case `DELETE /api/v1/posts/${POST}`:
      return send(response, 200, { data: { id: POST, deleted: true }, request_id: "req_delete" });
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
    case "GET /api/v1/":
      // A Next.js-style host: the trailing slash is redirected away.
      return redirect(response, 308, "/api/v1");
    case "GET /api/v1":
      return send(response, 200, { data: { name: "LeadPanther API", version: "v1" }, request_id: "req_info" });
    case "GET /api/v1/clients":
      return redirect(response, 302, "https://elsewhere.example/api/v1/clients");
    case "GET /api/v1/activity":
      return send(response, 403, { error: { code: "forbidden", message: "Missing scope." }, request_id: "req_forbidden" });
    case "GET /api/v1/lead-magnets":
      return send(response, 200, { data: { id: POST, title: "not a list" }, request_id: "req_not_a_list" });
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
    expect(textOf(result)).toContain("file_name says image/jpeg, but the content is image/png: it was uploaded as image/png, named photo.png.");
    expect(JSON.parse(seen.find((request) => request.url === "/api/v1/media/upload-url")?.body ?? "{}")).toMatchObject({ file_name: "photo.png", content_type: "image/png" });
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

  it("a post whose text is only spaces is refused before sending", async () => {
    const result = await stack.call("create_post", { text: "   " });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("- text: must not be only spaces");
    expect(seen).toEqual([]);
  });

  it("a lead magnet without delivery_mode is refused by field before sending (LEAD_MAGNET_CREATE_REQUIRES_DELIVERY_MODE)", async () => {
    const result = await stack.call("create_lead_magnet", { title: "No mode" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("- delivery_mode: must be one of: hosted_content, gated_external, external_link");
    expect(seen).toEqual([]);
  });

  it("an image URL longer than 2,048 characters is sent: the contract sets no such cap", async () => {
    const long = `https://cdn.example.com/${"a".repeat(2_100)}.png`;
    const created = await stack.call("create_post", { text: "Long URL", images: [long] });
    expect(created.isError, textOf(created)).toBeFalsy();
    // create_post also reads the posts first (scheduling guardrails): the write is the POST.
    expect(JSON.parse(seen.find((request) => request.method === "POST")?.body ?? "{}")).toMatchObject({ images: [long] });
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

    // A text copied from a list's shortened rendering would cut the post short.
    const shortened = await stack.call("update_post", { post_id: POST, text: "The first 280 characters… (+1200 characters)" });
    expect(textOf(shortened)).toContain('- text: holds "… (+1200 characters)"');
    expect(seen).toEqual([]);
  });

  it("a post without anything secret-shaped carries no such notice", async () => {
    const created = await stack.call("create_post", { text: "Plain words about bearer bonds." });
    expect(textOf(created)).not.toContain("REDACTED");
    expect(structured<{ notice?: string }>(created).notice).toBeUndefined();
  });
});

describe("confirming a delete", () => {
  it("does not read the post first when the key may delete but not read posts", async () => {
    const prompts: string[] = [];
    const writer = await startStack({
      key: WRITE_ONLY_KEY,
      env: { LEADPANTHER_BASE_URL: `${origin}/api/v1` },
      capabilities: { elicitation: {} },
      prepareClient: (client) => {
        client.setRequestHandler(ElicitRequestSchema, async (request) => {
          prompts.push(request.params.message);
          return { action: "accept", content: { confirm: true } };
        });
      },
    });
    try {
      seen = [];
      const result = await writer.call("delete_post", { post_id: POST });
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(prompts).toEqual([`Delete a post? post ${POST} (its details are not shown: this key lacks posts:read). This cannot be undone through the API.`]);
      expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual([`DELETE /api/v1/posts/${POST}`]);
    } finally {
      await writer.close();
    }
  });
});

describe("client accounts", () => {
  it("a pinned client id is sent exactly as given, capitals included", async () => {
    const pinned = await startStack({ key: AGENCY_KEY, env: { LEADPANTHER_BASE_URL: `${origin}/api/v1`, LEADPANTHER_CLIENT_ID: CLIENT } });
    try {
      seen = [];
      const result = await pinned.call("list_posts", {});
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(seen.filter((request) => request.url.endsWith("/posts")).map((request) => request.url)).toEqual([`/api/v1/clients/${CLIENT}/posts`]);
      // The start-up check of the pin (GET /clients/{id}) may land here too: it uses the id as given as well.
      expect(seen.filter((request) => request.url.startsWith("/api/v1/clients/")).every((request) => request.url.startsWith(`/api/v1/clients/${CLIENT}`))).toBe(true);
    } finally {
      await pinned.close();
    }
  });

  it("get_client's not_found for a direct key says direct keys have no client accounts", async () => {
    const result = await stack.call("get_client", { client_id: USER });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("This key is a direct key: it acts on its own account and has no client accounts");
  });
});

describe("redirects", () => {
  it("a read redirected on the same host is followed once; one to another host is not", async () => {
    seen = [];
    const info = await stack.call("get_api_info", {});
    expect(info.isError, textOf(info)).toBeFalsy();
    expect(structured<{ data: { version: string } }>(info).data.version).toBe("v1");
    expect(seen.map((request) => request.url)).toEqual(["/api/v1/", "/api/v1"]);

    const clients = await stack.call("list_clients", {});
    expect(clients.isError).toBe(true);
    expect(textOf(clients)).toContain("HTTP 302");
    expect(textOf(clients)).not.toContain("elsewhere.example");
  });
});

describe("answers that break the contract", () => {
  it("a list whose data is not a list is an invalid response, not an empty page that breaks the output schema", async () => {
    const result = await stack.call("list_lead_magnets", {});
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(textOf(result)).toContain("list_lead_magnets failed: invalid response. LeadPanther answered HTTP 200 without a list of lead magnets in data (request_id: req_not_a_list).");
  });
});

describe("a forbidden the key's last GET /me did not predict", () => {
  it("says the scopes may have changed and that the server checks again, and it does", async () => {
    seen = [];
    const result = await stack.call("list_activity", {});
    expect(textOf(result)).toContain("list_activity needs the activity:read scope; the API key had it at the server's last check (GET /me), so its scopes may have changed since");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.map((request) => request.url)).toContain("/api/v1/me");
  });
});

describe("refusals the contract leaves open", () => {
  it("a bad_request after setting fields to null says the API may not take null to clear them", async () => {
    const result = await stack.call("update_post", { post_id: POST, notes: null });
    expect(result.isError).toBe(true);
    // update_post reads the post first (for old → new): the write is the PATCH.
    expect(JSON.parse(seen.find((request) => request.method === "PATCH")?.body ?? "{}")).toEqual({ notes: null });
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
