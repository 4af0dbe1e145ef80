/**
 * putToSignedUrl against storage answers the sandbox does not give (a 400 with a chatty
 * message, a Supabase-style expired JWT, 413, 5xx, a silent server): a tiny node:http server
 * stands in for storage here. The upload paths the sandbox does cover are in put.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "undici";
import { MediaInputError, UploadError } from "../../src/media/errors.js";
import { putToSignedUrl, sanitizeStorageMessage, type PutOptions } from "../../src/media/put.js";
import { expectNoSecrets, rejectionOf, secretsOfUrl } from "./helpers.js";

type Handler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1cmwiOiJidWNrZXQvb2JqZWN0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
let server: Server;
let uploadUrl: string;
let handler: Handler;
const dispatcher = new Agent({ keepAliveTimeout: 1_000 });
const received: Array<{ headers: IncomingMessage["headers"]; body: Buffer }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({ headers: request.headers, body });
      handler(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  uploadUrl = `http://127.0.0.1:${port}/storage/v1/object/upload/sign/media/user-1/images/a.png?token=${TOKEN}`;
});

afterEach(() => {
  received.length = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dispatcher.close();
});

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function bytesOf(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index += 1) bytes[index] = (index * 31 + 7) & 0xff;
  return bytes;
}

function options(bytes: Buffer, overrides: Partial<PutOptions> = {}): PutOptions {
  return {
    uploadUrl,
    contentType: "image/png",
    size: bytes.length,
    open: () => Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]),
    dispatcher,
    timeoutMs: 5_000,
    ...overrides,
  };
}

async function uploadError(promise: Promise<void>): Promise<UploadError> {
  const error = await rejectionOf(promise);
  expectNoSecrets(error, secretsOfUrl(uploadUrl, TOKEN));
  expect(error).toBeInstanceOf(UploadError);
  return error as UploadError;
}

describe("putToSignedUrl and storage's answers", () => {
  it("sends the exact bytes with Content-Type and Content-Length, not chunked", async () => {
    handler = (_request, _body, response) => json(response, 200, { Key: "media/user-1/images/a.png" });
    const bytes = bytesOf(300_000);
    await putToSignedUrl(options(bytes));
    expect(received).toHaveLength(1);
    expect(received[0]?.body.equals(bytes)).toBe(true);
    expect(received[0]?.headers["content-type"]).toBe("image/png");
    expect(received[0]?.headers["content-length"]).toBe("300000");
    expect(received[0]?.headers["transfer-encoding"]).toBeUndefined();
  });

  it("reports progress throttled, monotonic, ending at the total", async () => {
    handler = (_request, _body, response) => json(response, 200, {});
    const bytes = bytesOf(2_000_000);
    const reports: Array<[number, number]> = [];
    await putToSignedUrl(
      options(bytes, {
        open: () => Readable.from((function* () {
          for (let offset = 0; offset < bytes.length; offset += 16_384) yield bytes.subarray(offset, offset + 16_384);
        })()),
        onProgress: (sent, total) => reports.push([sent, total]),
      }),
    );
    expect(reports.at(-1)).toEqual([2_000_000, 2_000_000]);
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(2_000_000 / 65_536) + 1);
    for (let index = 1; index < reports.length; index += 1) {
      const [sent] = reports[index] ?? [0];
      const [previous] = reports[index - 1] ?? [0];
      expect(sent).toBeGreaterThan(previous);
    }
  });

  it("maps 413 to too_large", async () => {
    handler = (_request, _body, response) => json(response, 413, { message: "Payload too large" });
    const error = await uploadError(putToSignedUrl(options(bytesOf(5000))));
    expect(error.kind).toBe("too_large");
    expect(error.httpStatus).toBe(413);
  });

  it("maps 400 to storage_rejected and passes on storage's message without URLs or tokens", async () => {
    handler = (_request, _body, response) =>
      json(response, 400, {
        statusCode: "400",
        error: "invalid_mime_type",
        message: `mime type image/png is not supported at ${uploadUrl} (token ${TOKEN}, sig=abc123)`,
      });
    const error = await uploadError(putToSignedUrl(options(bytesOf(5000))));
    expect(error.kind).toBe("storage_rejected");
    expect(error.httpStatus).toBe(400);
    expect(error.message).toContain('Storage said: "mime type image/png is not supported at [redacted] (token [redacted], sig=[redacted])"');
    expect(error.message).not.toContain("abc123");
  });

  it("drops a storage message that is long or unreadable", async () => {
    handler = (_request, _body, response) => json(response, 400, { message: "x".repeat(500) });
    const error = await uploadError(putToSignedUrl(options(bytesOf(100))));
    expect(error.kind).toBe("storage_rejected");
    expect(error.message).not.toContain("Storage said");
  });

  it.each([
    [400, { statusCode: "403", error: "InvalidJWT", message: '"exp" claim timestamp check failed' }],
    [400, { statusCode: "409", error: "Duplicate", message: "The resource already exists" }],
    [401, { message: "token expired" }],
    [403, { message: "signature verification failed" }],
    [409, { message: "this upload URL has already been used" }],
    [410, {}],
  ])("maps HTTP %i %j to expired_or_used", async (status, body) => {
    handler = (_request, _body, response) => json(response, status, body);
    const error = await uploadError(putToSignedUrl(options(bytesOf(100))));
    expect(error.kind).toBe("expired_or_used");
    expect(error.message).toBe(
      "The signed upload URL expired or was already used; call upload_media again to get a fresh one.",
    );
  });

  it("does not read 'unexpected token' on a 400 as an expired URL", async () => {
    handler = (_request, _body, response) => json(response, 400, { message: "Unexpected token in body" });
    expect((await uploadError(putToSignedUrl(options(bytesOf(100))))).kind).toBe("storage_rejected");
  });

  it("maps a 403 without those words, a 429 and a 503 to storage_rejected", async () => {
    for (const status of [403, 429, 503]) {
      handler = (_request, _body, response) => json(response, status, { message: "nope" });
      const error = await uploadError(putToSignedUrl(options(bytesOf(100))));
      expect(error.kind).toBe("storage_rejected");
      expect(error.httpStatus).toBe(status);
      // Only the 5xx may come after storage kept the bytes.
      expect(error.mayBeStored).toBe(status >= 500);
    }
  });

  it("times out when storage never answers", async () => {
    handler = () => undefined;
    const error = await uploadError(putToSignedUrl(options(bytesOf(100), { timeoutMs: 300 })));
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("may or may not be stored");
    expect(error.mayBeStored).toBe(true);
  });

  it("reports outcome_unknown when the connection breaks after the bytes were sent", async () => {
    handler = (request) => request.socket.destroy();
    const error = await uploadError(putToSignedUrl(options(bytesOf(100_000))));
    expect(error.kind).toBe("outcome_unknown");
    expect(error.message).toContain("may or may not be stored");
  });

  it("rejects with the caller's reason when cancelled", async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const cancelled = new Error("cancelled by the client");
    setTimeout(() => controller.abort(cancelled), 100);
    const error = await rejectionOf(putToSignedUrl(options(bytesOf(100), { signal: controller.signal })));
    expect(error).toBe(cancelled);
  });

  it("passes on a source that fails because the file changed", async () => {
    handler = (_request, _body, response) => json(response, 200, {});
    const changed = new MediaInputError("file_path", "file_path changed after it was checked");
    const error = await rejectionOf(
      putToSignedUrl(
        options(bytesOf(200_000), {
          open: () => Readable.from((async function* () {
            yield Buffer.alloc(65_536);
            throw changed;
          })()),
        }),
      ),
    );
    expect(error).toBe(changed);
  });

  it("refuses an upload URL that is not http(s) without echoing it", async () => {
    const error = await rejectionOf(putToSignedUrl(options(bytesOf(10), { uploadUrl: "ftp://example.test/x?token=abcdef" })));
    expectNoSecrets(error, ["ftp://example.test/x?token=abcdef", "abcdef"]);
  });
});

describe("sanitizeStorageMessage", () => {
  it("removes URLs, credentials, JWTs, API keys and long opaque runs", () => {
    expect(sanitizeStorageMessage(`bad at https://x.test/a?b=c`, [])).toBe("bad at [url]");
    expect(sanitizeStorageMessage("failed: token=abc.def&x=1", [])).toBe("failed: token=[redacted]&x=1");
    expect(sanitizeStorageMessage(`jwt ${TOKEN} rejected`, [])).toBe("jwt [token] rejected");
    expect(sanitizeStorageMessage("key lp_live_abcdef123 rejected", [])).toBe("key [token] rejected");
    expect(sanitizeStorageMessage("object ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 missing", [])).toBe("object [token] missing");
    expect(sanitizeStorageMessage("secret-part is wrong", ["secret-part"])).toBe("[redacted] is wrong");
  });

  it("drops control and bidi characters and refuses empty or long results", () => {
    expect(sanitizeStorageMessage("line\none\u202egnp.exe", [])).toBe("line one gnp.exe");
    expect(sanitizeStorageMessage("   ", [])).toBeUndefined();
    expect(sanitizeStorageMessage("a".repeat(161), [])).toBeUndefined();
  });
});
