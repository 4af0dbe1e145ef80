/**
 * Contract §13: the upload-URL route, the signed-URL PUT (content type, exact byte limits,
 * declared size, single use, expiry, token), stored bytes, and delete by path.
 */
import { Readable } from "node:stream";
import { request } from "undici";
import { describe, expect, test } from "vitest";
import { MEDIA_CONTENT_TYPES, MEDIA_IMAGE_MAX_BYTES, MEDIA_PDF_MAX_BYTES } from "../../src/contract.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { call, expectError, useSandbox, type CallResult } from "./helpers.js";

let sandbox: Sandbox;
const agent = useSandbox((started) => (sandbox = started));
const key: string = DEMO.keys.directAll;

interface UploadUrl {
  upload_url: string;
  token: string;
  path: string;
  bucket: string;
  max_file_size: number;
}

interface StorageAnswer {
  status: number;
  body: { statusCode?: string; error?: string; message?: string; Key?: string };
}


const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

async function uploadUrl(contentType: string, size: number, prefix = "", apiKey = key): Promise<CallResult<UploadUrl>> {
  return call<UploadUrl>(sandbox, agent, "POST", `${prefix}/media/upload-url`, { key: apiKey, body: { content_type: contentType, file_name: "file.bin", size } });
}

async function put(url: string, body: Buffer | Readable, contentType: string | null): Promise<StorageAnswer> {
  const headers: Record<string, string> = contentType === null ? {} : { "content-type": contentType };
  const response = await request(url, { method: "PUT", headers, body, dispatcher: agent });
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text) as StorageAnswer["body"] };
}

/** Deterministic non-uniform bytes, so a stored copy is compared byte for byte. */
function bytes(size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  for (let index = 0; index < size; index++) buffer[index] = (index * 31 + (index >> 8)) & 0xff;
  return buffer;
}

function chunked(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(64 * 1024, total - sent);
      sent += size;
      this.push(Buffer.alloc(size, 7));
    },
  });
}

describe("§13 upload URL", () => {
  test.each(MEDIA_CONTENT_TYPES.map((type) => [type] as const))("§13 %s → signed URL, token, path, bucket, max_file_size", async (type) => {
    const result = await uploadUrl(type, 10);
    expect(result.status).toBe(200);
    const data = result.json.data;
    expect(Object.keys(data).sort()).toEqual(["bucket", "max_file_size", "path", "token", "upload_url"]);
    if (type === "application/pdf") {
      expect(data.bucket).toBe("content-documents");
      expect(data.path).toMatch(new RegExp(`^${DEMO.users.direct}/documents/api-v1/${UUID}\\.pdf$`));
      expect(data.max_file_size).toBe(MEDIA_PDF_MAX_BYTES);
    } else {
      expect(data.bucket).toBe("content-images");
      expect(data.path).toMatch(new RegExp(`^${DEMO.users.direct}/images/api-v1/${UUID}\\.(jpg|png|gif|webp)$`));
      expect(data.max_file_size).toBe(MEDIA_IMAGE_MAX_BYTES);
    }
    expect(data.upload_url.startsWith(`${sandbox.origin}/`)).toBe(true);
    expect(data.upload_url).toContain(data.token);
    expect(data.upload_url).toContain(data.path);
  });

  test("§13 the nested route makes a path in the client's account", async () => {
    const result = await uploadUrl("image/webp", 10, `/clients/${DEMO.clients.full}`, DEMO.keys.agency);
    expect(result.json.data.path.startsWith(`${DEMO.clients.full}/images/api-v1/`)).toBe(true);
  });

  test.each([
    ["an unsupported type (svg)", { content_type: "image/svg+xml", file_name: "a.svg", size: 10 }],
    ["an unsupported type (text)", { content_type: "text/plain", file_name: "a.txt", size: 10 }],
    ["size 0", { content_type: "image/png", file_name: "a.png", size: 0 }],
    ["an image over 5 MB (5,242,881)", { content_type: "image/png", file_name: "a.png", size: MEDIA_IMAGE_MAX_BYTES + 1 }],
    ["a PDF over 15 MB (15,728,641)", { content_type: "application/pdf", file_name: "a.pdf", size: MEDIA_PDF_MAX_BYTES + 1 }],
    ["a fractional size", { content_type: "image/png", file_name: "a.png", size: 1.5 }],
    ["size as a string", { content_type: "image/png", file_name: "a.png", size: "100" }],
    ["no size", { content_type: "image/png", file_name: "a.png" }],
    ["no file_name", { content_type: "image/png", size: 10 }],
    ["an empty file_name", { content_type: "image/png", file_name: "", size: 10 }],
    ["a file_name with a slash", { content_type: "image/png", file_name: "../a.png", size: 10 }],
    ["an unknown field", { content_type: "image/png", file_name: "a.png", size: 10, bucket: "x" }],
  ])("§13 upload URL with %s → 400 bad_request", async (_label, body) => {
    expectError(await call(sandbox, agent, "POST", "/media/upload-url", { key, body }), "bad_request");
  });

  test("§13 the exact maximum sizes are accepted when asking for a URL", async () => {
    expect((await uploadUrl("image/gif", MEDIA_IMAGE_MAX_BYTES)).status).toBe(200);
    expect((await uploadUrl("application/pdf", MEDIA_PDF_MAX_BYTES)).status).toBe(200);
  });
});

describe("§13 the PUT to the signed URL", () => {
  test("§13 an image of exactly 5,242,880 bytes is stored byte for byte", async () => {
    const { data } = (await uploadUrl("image/png", MEDIA_IMAGE_MAX_BYTES)).json;
    const file = bytes(MEDIA_IMAGE_MAX_BYTES);
    const answer = await put(data.upload_url, file, "image/png");
    expect(answer).toEqual({ status: 200, body: { Key: `${data.bucket}/${data.path}` } });
    expect(sandbox.media.get(data.bucket, data.path)?.equals(file)).toBe(true);
  });

  test("§13 an image of 5,242,881 bytes → 413", async () => {
    const { data } = (await uploadUrl("image/png", MEDIA_IMAGE_MAX_BYTES)).json;
    const answer = await put(data.upload_url, bytes(MEDIA_IMAGE_MAX_BYTES + 1), "image/png");
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ statusCode: "413" });
    expect(sandbox.media.get(data.bucket, data.path)).toBeUndefined();
  });

  test("§13 a PDF of exactly 15,728,640 bytes is stored; 15,728,641 → 413", async () => {
    const ok = (await uploadUrl("application/pdf", MEDIA_PDF_MAX_BYTES)).json.data;
    const file = bytes(MEDIA_PDF_MAX_BYTES);
    expect((await put(ok.upload_url, file, "application/pdf")).status).toBe(200);
    expect(sandbox.media.get(ok.bucket, ok.path)?.equals(file)).toBe(true);
    const over = (await uploadUrl("application/pdf", MEDIA_PDF_MAX_BYTES)).json.data;
    expect((await put(over.upload_url, bytes(MEDIA_PDF_MAX_BYTES + 1), "application/pdf")).status).toBe(413);
  });

  test("§13 a streamed (chunked, no Content-Length) oversize body is refused with 413 as it arrives", async () => {
    const { data } = (await uploadUrl("image/jpeg", 100)).json;
    const answer = await put(data.upload_url, chunked(MEDIA_IMAGE_MAX_BYTES * 4), "image/jpeg");
    expect(answer.status).toBe(413);
  });

  test("§13 a streamed body of the declared size is accepted", async () => {
    const { data } = (await uploadUrl("image/jpeg", 300_000)).json;
    expect((await put(data.upload_url, chunked(300_000), "image/jpeg")).status).toBe(200);
    expect(sandbox.media.get(data.bucket, data.path)?.length).toBe(300_000);
  });

  test("§13 a body that differs from the declared size → 400", async () => {
    const { data } = (await uploadUrl("image/png", 100)).json;
    const answer = await put(data.upload_url, bytes(99), "image/png");
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain("100");
  });

  test.each([
    ["another allowed type", "image/jpeg"],
    ["a PDF type for an image URL", "application/pdf"],
    ["octet-stream", "application/octet-stream"],
    ["no Content-Type", null],
  ])("§13 a wrong content type (%s) → 400, and the URL stays usable", async (_label, type) => {
    const { data } = (await uploadUrl("image/png", 4)).json;
    const answer = await put(data.upload_url, bytes(4), type);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: "400" });
    expect((await put(data.upload_url, bytes(4), "image/png")).status).toBe(200);
  });

  test("§13 Content-Type parameters are ignored (image/png; charset=binary)", async () => {
    const { data } = (await uploadUrl("image/png", 4)).json;
    expect((await put(data.upload_url, bytes(4), "image/png; charset=binary")).status).toBe(200);
  });

  test("§13 single use: a second PUT → 409 with a clear message; the first bytes stay", async () => {
    const { data } = (await uploadUrl("image/gif", 8)).json;
    const first = bytes(8);
    expect((await put(data.upload_url, first, "image/gif")).status).toBe(200);
    const again = await put(data.upload_url, Buffer.alloc(8, 9), "image/gif");
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already used/);
    expect(sandbox.media.get(data.bucket, data.path)?.equals(first)).toBe(true);
  });

  test("§13 expireUploadUrls() → the PUT is refused with 403 'expired'", async () => {
    const { data } = (await uploadUrl("image/png", 4)).json;
    sandbox.media.expireUploadUrls();
    const answer = await put(data.upload_url, bytes(4), "image/png");
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(/expired/);
  });

  test("§13 URLs expire after signedUrlTtlMs", async () => {
    const short = await startSandbox({ signedUrlTtlMs: 40 });
    try {
      const created = await call<UploadUrl>(short, agent, "POST", "/media/upload-url", { key, body: { content_type: "image/png", file_name: "a.png", size: 4 } });
      await new Promise((resolve) => setTimeout(resolve, 80));
      const answer = await put(created.json.data.upload_url, bytes(4), "image/png");
      expect(answer.status).toBe(403);
      expect(answer.body.message).toMatch(/expired/);
    } finally {
      await short.close();
    }
  });

  test("§13 an invalid, missing or foreign token → 403", async () => {
    const first = (await uploadUrl("image/png", 4)).json.data;
    const second = (await uploadUrl("image/png", 4)).json.data;
    const base = first.upload_url.split("?")[0] ?? "";
    expect((await put(`${base}?token=forged`, bytes(4), "image/png")).status).toBe(403);
    expect((await put(base, bytes(4), "image/png")).status).toBe(403);
    expect((await put(`${base}?token=${second.token}`, bytes(4), "image/png")).status).toBe(403);
    expect((await put(first.upload_url, bytes(4), "image/png")).status).toBe(200);
  });

  test("§13 GET on a signed URL → 405 (PUT only)", async () => {
    const { data } = (await uploadUrl("image/png", 4)).json;
    const response = await request(data.upload_url, { dispatcher: agent });
    await response.body.text();
    expect(response.statusCode).toBe(405);
    expect(response.headers["allow"]).toBe("PUT");
  });

  test("§13 an uploaded media path can be used in a post", async () => {
    const { data } = (await uploadUrl("image/png", 4)).json;
    await put(data.upload_url, bytes(4), "image/png");
    const post = await call<{ images: string[] }>(sandbox, agent, "POST", "/posts", { key, body: { text: "with image", images: [data.path] } });
    expect(post.status).toBe(201);
    expect(post.json.data.images).toEqual([data.path]);
  });
});

describe("§13 delete by path", () => {
  async function uploaded(prefix = "", apiKey = key): Promise<UploadUrl> {
    const { data } = (await uploadUrl("application/pdf", 16, prefix, apiKey)).json;
    expect((await put(data.upload_url, bytes(16), "application/pdf")).status).toBe(200);
    return data;
  }

  test("§13 DELETE /media?path=… deletes the object: { path, deleted: true }, then 404", async () => {
    const data = await uploaded();
    const path = `/media?path=${encodeURIComponent(data.path)}`;
    const result = await call(sandbox, agent, "DELETE", path, { key });
    expect(result.status).toBe(200);
    expect(result.json.data).toEqual({ path: data.path, deleted: true });
    expect(sandbox.media.get(data.bucket, data.path)).toBeUndefined();
    expectError(await call(sandbox, agent, "DELETE", path, { key }), "not_found");
  });

  test("§13 another account's object → 404, and it is not deleted", async () => {
    const data = await uploaded(`/clients/${DEMO.clients.full}`, DEMO.keys.agency);
    expectError(await call(sandbox, agent, "DELETE", `/media?path=${encodeURIComponent(data.path)}`, { key }), "not_found");
    expect(sandbox.media.get(data.bucket, data.path)).toBeDefined();
    const nested = await call(sandbox, agent, "DELETE", `/clients/${DEMO.clients.full}/media?path=${encodeURIComponent(data.path)}`, { key: DEMO.keys.agency });
    expect(nested.status).toBe(200);
  });

  test("§13 a well-formed path that was never uploaded → 404", async () => {
    const path = `${DEMO.users.direct}/images/api-v1/12345678-1234-4234-8234-123456789abc.png`;
    expectError(await call(sandbox, agent, "DELETE", `/media?path=${encodeURIComponent(path)}`, { key }), "not_found");
  });

  test.each([
    ["no path", "/media"],
    ["an empty path", "/media?path="],
    ["a malformed path", "/media?path=..%2F..%2Fetc%2Fpasswd"],
    ["an extra parameter", `/media?path=x&bucket=content-images`],
  ])("§13 DELETE with %s → 400 bad_request", async (_label, path) => {
    expectError(await call(sandbox, agent, "DELETE", path, { key }), "bad_request");
  });
});
