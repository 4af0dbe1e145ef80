/**
 * The whole upload path against the sandbox over real HTTP: prepareUpload on a real file, the
 * upload-URL route, putToSignedUrl to the signed URL, and the bytes as storage holds them.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { request, type Dispatcher } from "undici";
import { MEDIA_CONTENT_TYPES, type MediaContentType } from "../../src/contract.js";
import { createAgent, timeoutsFrom } from "../../src/api/http.js";
import { UploadError } from "../../src/media/errors.js";
import { putToSignedUrl } from "../../src/media/put.js";
import { prepareUpload, type PreparedUpload } from "../../src/media/source.js";
import { DEMO, startSandbox } from "../../src/sandbox/index.js";
import { SAMPLES, readAll } from "./fixtures.js";
import { countingAgent, expectNoSecrets, rejectionOf } from "./helpers.js";

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

interface SignedUpload {
  upload_url: string;
  token: string;
  path: string;
  bucket: string;
  max_file_size: number;
}

let sandbox: Sandbox;
let folder: string;
let dispatcher: Dispatcher;
/** Every signed URL and token handed out in this file: none may appear in any error. */
const secrets: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  folder = await mkdtemp(path.join(tmpdir(), "lp-media-put-"));
  dispatcher = createAgent(timeoutsFrom(10_000));
});

beforeEach(() => {
  sandbox.faults.clear();
});

afterAll(async () => {
  await dispatcher.close();
  await sandbox.close();
  await rm(folder, { recursive: true, force: true });
});

async function signedUpload(prepared: PreparedUpload): Promise<SignedUpload> {
  const response = await request(`${sandbox.baseUrl}/media/upload-url`, {
    method: "POST",
    dispatcher,
    headers: { authorization: `Bearer ${DEMO.keys.directAll}`, "content-type": "application/json" },
    body: JSON.stringify({ content_type: prepared.contentType, file_name: prepared.fileName, size: prepared.size }),
  });
  const body = (await response.body.json()) as { data: SignedUpload };
  expect(response.statusCode).toBe(200);
  const url = new URL(body.data.upload_url);
  secrets.push(body.data.upload_url, body.data.token, url.pathname + url.search);
  return body.data;
}

async function preparedFile(name: string, bytes: Uint8Array, size?: number): Promise<PreparedUpload> {
  const filePath = path.join(folder, name);
  await writeFile(filePath, bytes);
  if (size !== undefined) await truncate(filePath, size);
  return prepareUpload({ file_path: filePath }, [folder]);
}

function put(prepared: PreparedUpload, target: SignedUpload, extra: Partial<Parameters<typeof putToSignedUrl>[0]> = {}): Promise<void> {
  return putToSignedUrl({
    uploadUrl: target.upload_url,
    contentType: prepared.contentType,
    size: prepared.size,
    open: prepared.open,
    dispatcher,
    timeoutMs: 10_000,
    ...extra,
  });
}

/** The rejection of an upload, checked for leaks before anything else. */
async function uploadError(promise: Promise<void>): Promise<UploadError> {
  const error = await rejectionOf(promise);
  expectNoSecrets(error, secrets);
  expect(error).toBeInstanceOf(UploadError);
  return error as UploadError;
}

function storagePuts(): number {
  return sandbox.requests().filter((entry) => entry.method === "PUT").length;
}

describe("putToSignedUrl against the sandbox", () => {
  it.each(MEDIA_CONTENT_TYPES)("stores the exact bytes of a %s file", async (type: MediaContentType) => {
    const { bytes, fileName } = SAMPLES[type];
    const prepared = await preparedFile(`exact-${fileName}`, bytes);
    const target = await signedUpload(prepared);
    await put(prepared, target);
    expect(sandbox.media.get(target.bucket, target.path)).toEqual(bytes);
  });

  it("stores an image of exactly 5,242,880 bytes, and reports progress up to the total", async () => {
    const prepared = await preparedFile("at-limit.png", SAMPLES["image/png"].bytes, 5_242_880);
    const target = await signedUpload(prepared);
    expect(target.max_file_size).toBe(5_242_880);
    const reports: number[] = [];
    await put(prepared, target, { onProgress: (sent, total) => {
      expect(total).toBe(5_242_880);
      reports.push(sent);
    } });
    const stored = sandbox.media.get(target.bucket, target.path);
    expect(stored?.length).toBe(5_242_880);
    expect(stored?.equals(await readAll(prepared.open()))).toBe(true);
    expect(reports.at(-1)).toBe(5_242_880);
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(reports.length).toBeLessThanOrEqual(5_242_880 / 65_536 + 1);
    expect([...reports].sort((a, b) => a - b)).toEqual(reports);
  });

  it("stores 15,728,640 random bytes exactly, read through the reused buffers", async () => {
    // Random content: a buffer reused while the socket still held it would show up here.
    const bytes = randomBytes(15_728_640);
    SAMPLES["application/pdf"].bytes.copy(bytes);
    const prepared = await preparedFile("random.pdf", bytes);
    const target = await signedUpload(prepared);
    await put(prepared, target);
    const stored = sandbox.media.get(target.bucket, target.path);
    expect(stored?.length).toBe(bytes.length);
    expect(stored?.equals(bytes)).toBe(true);
  });

  it("refuses 5,242,881 image bytes before any request", async () => {
    const before = sandbox.requests().length;
    await expect(preparedFile("over-limit.png", SAMPLES["image/png"].bytes, 5_242_881)).rejects.toThrow(/at most 5,242,880 bytes/);
    await expect(preparedFile("over-limit.pdf", SAMPLES["application/pdf"].bytes, 15_728_641)).rejects.toThrow(/at most 15,728,640 bytes/);
    expect(sandbox.requests().length).toBe(before);
  });

  it("stores a PDF of exactly 15,728,640 bytes", async () => {
    const prepared = await preparedFile("at-limit.pdf", SAMPLES["application/pdf"].bytes, 15_728_640);
    const target = await signedUpload(prepared);
    await put(prepared, target);
    expect(sandbox.media.get(target.bucket, target.path)?.length).toBe(15_728_640);
  });

  it("reports an expired signed URL as expired_or_used", async () => {
    const prepared = await preparedFile("expired.png", SAMPLES["image/png"].bytes);
    const target = await signedUpload(prepared);
    sandbox.media.expireUploadUrls();
    const error = await uploadError(put(prepared, target));
    expect(error.kind).toBe("expired_or_used");
    expect(error.message).toContain("call upload_media again");
    expect(sandbox.media.get(target.bucket, target.path)).toBeUndefined();
  });

  it("reports a reused signed URL as expired_or_used", async () => {
    const prepared = await preparedFile("reused.gif", SAMPLES["image/gif"].bytes);
    const target = await signedUpload(prepared);
    await put(prepared, target);
    const error = await uploadError(put(prepared, target));
    expect(error.kind).toBe("expired_or_used");
  });

  it("reports a wrong token as expired_or_used", async () => {
    const prepared = await preparedFile("forged.png", SAMPLES["image/png"].bytes);
    const target = await signedUpload(prepared);
    const forged = { ...target, upload_url: target.upload_url.replace(/token=[^&]+/, "token=forged-token-value") };
    const error = await uploadError(put(prepared, forged));
    expect(error.kind).toBe("expired_or_used");
  });

  it("tries a refused connection once more, then reports a network error", async () => {
    const prepared = await preparedFile("refused.png", SAMPLES["image/png"].bytes);
    const target = await signedUpload(prepared);
    const closedPort = await freePort();
    const url = new URL(target.upload_url);
    url.port = String(closedPort);
    const counting = countingAgent();
    const opened: number[] = [];
    try {
      const error = await uploadError(put(prepared, { ...target, upload_url: url.href }, {
        dispatcher: counting.dispatcher,
        open: () => {
          opened.push(Date.now());
          return prepared.open();
        },
      }));
      expect(error.kind).toBe("network");
      expect(error.message).toContain("ECONNREFUSED");
      expect(error.message).toContain("nothing was sent");
      expect(counting.connects()).toBe(2);
      expect(opened).toHaveLength(2);
    } finally {
      await counting.dispatcher.close();
    }
  });

  it("after a refused connection, sends again from a fresh stream and stores the exact bytes", async () => {
    const prepared = await preparedFile("refused-once.pdf", SAMPLES["application/pdf"].bytes, 1_000_000);
    const target = await signedUpload(prepared);
    const counting = countingAgent({ refuseFirst: 1 });
    let opened = 0;
    const reports: number[] = [];
    try {
      await put(prepared, target, {
        dispatcher: counting.dispatcher,
        open: () => {
          opened += 1;
          return prepared.open();
        },
        onProgress: (sent) => reports.push(sent),
      });
    } finally {
      await counting.dispatcher.close();
    }
    expect(counting.connects()).toBe(2);
    expect(opened).toBe(2);
    expect(reports.at(-1)).toBe(1_000_000);
    expect(sandbox.media.get(target.bucket, target.path)?.equals(await readAll(prepared.open()))).toBe(true);
  });

  it("does not resend after storage stored the file and the connection broke", async () => {
    const prepared = await preparedFile("reset-after.pdf", SAMPLES["application/pdf"].bytes);
    const target = await signedUpload(prepared);
    sandbox.faults.inject({ path: /^\/storage\//, kind: "reset-after-apply" });
    const putsBefore = storagePuts();
    const error = await uploadError(put(prepared, target));
    expect(error.kind).toBe("outcome_unknown");
    expect(error.message).toContain("may or may not be stored");
    expect(storagePuts() - putsBefore).toBe(1);
    expect(sandbox.media.get(target.bucket, target.path)).toEqual(SAMPLES["application/pdf"].bytes);
  });

  it("does not resend after the connection broke before storage stored the file", async () => {
    const prepared = await preparedFile("reset-before.webp", SAMPLES["image/webp"].bytes);
    const target = await signedUpload(prepared);
    sandbox.faults.inject({ path: /^\/storage\//, kind: "reset-before-apply" });
    const putsBefore = storagePuts();
    const error = await uploadError(put(prepared, target));
    expect(error.kind).toBe("outcome_unknown");
    expect(storagePuts() - putsBefore).toBe(1);
    expect(sandbox.media.get(target.bucket, target.path)).toBeUndefined();
  });

  it("times out when storage is slower than the timeout", async () => {
    const prepared = await preparedFile("slow.jpg", SAMPLES["image/jpeg"].bytes);
    const target = await signedUpload(prepared);
    sandbox.faults.inject({ path: /^\/storage\//, kind: "delay", ms: 2_000 });
    const error = await uploadError(put(prepared, target, { timeoutMs: 300 }));
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("0.3 s");
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
