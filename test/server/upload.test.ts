import { mkdtemp, mkdir, open, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MEDIA_CONTENT_TYPES, MEDIA_IMAGE_MAX_BYTES, MEDIA_PDF_MAX_BYTES } from "../../src/contract.js";
import { DEMO, type Sandbox } from "../../src/sandbox/index.js";
import { ELF_HEADER, SAMPLES } from "../media/fixtures.js";
import { structured, textOf, useStacks, type Stack, type StackOptions } from "../fixtures/stack.js";

/**
 * upload_media end to end (issue 6): the MCP client names a file, the server checks it, asks
 * the sandbox for a signed URL and PUTs the bytes there; the model gets a media path and never
 * the URL or its token.
 */

let sandbox: Sandbox;
let root: string;
let outside: string;
const startStackOnSandbox = useStacks((started) => {
  sandbox = started;
});

function stack(env: Record<string, string> = {}, options: StackOptions = {}): Promise<Stack> {
  return startStackOnSandbox({ key: DEMO.keys.directAll, env: { LEADPANTHER_UPLOAD_ROOTS: root, ...env }, ...options });
}

/** A file of exactly `size` bytes starting with `head` (sparse: cheap at 15 MB). */
async function sized(path: string, head: Buffer, size: number): Promise<string> {
  const handle = await open(path, "w");
  await handle.write(head, 0, head.length, 0);
  await handle.truncate(size);
  await handle.close();
  return path;
}

function uploads(): number {
  return sandbox.requests().filter((entry) => entry.method === "POST" && entry.path.endsWith("/media/upload-url")).length;
}

function assertNoSecret(text: string): void {
  expect(text).not.toMatch(/token=|\/upload\/sign\/|upload_url|"token"/);
  expect(text).not.toContain(DEMO.keys.directAll);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "lp-upload-root-"));
  outside = await mkdtemp(join(tmpdir(), "lp-upload-outside-"));
  await mkdir(join(root, "sub"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("each allowed type, from a file inside LEADPANTHER_UPLOAD_ROOTS", () => {
  test.each(MEDIA_CONTENT_TYPES.map((type) => [type]))("%s: the sandbox holds the exact bytes; the result says how to use the path", async (type) => {
    const sample = SAMPLES[type];
    const file = join(root, sample.fileName);
    await writeFile(file, sample.bytes);
    const s = await stack();
    const result = await s.call("upload_media", { file_path: file });
    const data = structured<{ data: { path: string; bucket: string; content_type: string; size: number } }>(result).data;
    expect(data).toMatchObject({ content_type: type, size: sample.bytes.length });
    expect(sandbox.media.get(data.bucket, data.path)?.equals(sample.bytes)).toBe(true);
    expect(textOf(result)).toContain(type === "application/pdf" ? "document_url" : "images");
    assertNoSecret(textOf(result) + JSON.stringify(result.structuredContent));
  });
});

describe("refused before any request", () => {
  test("a renamed executable called .png is refused by its content", async () => {
    const file = join(root, "evil.png");
    await writeFile(file, Buffer.concat([ELF_HEADER, Buffer.alloc(64)]));
    const s = await stack();
    const text = textOf(await s.call("upload_media", { file_path: file }));
    expect(text).toMatch(/upload_media refused/);
    expect(text).toMatch(/executable|ELF/i);
    expect(uploads()).toBe(0);
  });

  test("images: 5,242,880 bytes accepted, 5,242,881 refused with no request", async () => {
    const s = await stack();
    const ok = await sized(join(root, "limit.png"), SAMPLES["image/png"].bytes, MEDIA_IMAGE_MAX_BYTES);
    const over = await sized(join(root, "over.png"), SAMPLES["image/png"].bytes, MEDIA_IMAGE_MAX_BYTES + 1);
    const refused = textOf(await s.call("upload_media", { file_path: over }));
    expect(refused).toContain("upload_media refused");
    expect(uploads()).toBe(0);
    const accepted = structured<{ data: { size: number } }>(await s.call("upload_media", { file_path: ok }));
    expect(accepted.data.size).toBe(MEDIA_IMAGE_MAX_BYTES);
    expect(uploads()).toBe(1);
  });

  test("PDFs: 15,728,640 bytes accepted, 15,728,641 refused with no request", async () => {
    const s = await stack();
    const ok = await sized(join(root, "limit.pdf"), SAMPLES["application/pdf"].bytes, MEDIA_PDF_MAX_BYTES);
    const over = await sized(join(root, "over.pdf"), SAMPLES["application/pdf"].bytes, MEDIA_PDF_MAX_BYTES + 1);
    expect(textOf(await s.call("upload_media", { file_path: over }))).toContain("upload_media refused");
    expect(uploads()).toBe(0);
    const accepted = structured<{ data: { size: number; bucket: string; path: string } }>(await s.call("upload_media", { file_path: ok }));
    expect(accepted.data.size).toBe(MEDIA_PDF_MAX_BYTES);
    expect(sandbox.media.get(accepted.data.bucket, accepted.data.path)?.length).toBe(MEDIA_PDF_MAX_BYTES);
  });

  test("a path outside the roots, a .. path and a symlink that leads outside are refused", async () => {
    const secret = join(outside, "secret.png");
    await writeFile(secret, SAMPLES["image/png"].bytes);
    await symlink(secret, join(root, "link.png")).catch(() => undefined);
    const s = await stack();
    // Written out, not join()ed: join would normalise the .. segments away before the server sees them.
    const dotDot = `${root}/sub/../../${outside.split("/").pop() ?? ""}/secret.png`;
    expect(dotDot).toContain("/../");
    for (const path of [secret, dotDot, join(root, "link.png")]) {
      const text = textOf(await s.call("upload_media", { file_path: path }));
      expect(text, path).toContain("upload_media refused file_path");
    }
    expect(uploads()).toBe(0);
  });

  test("with no roots at all, file_path explains how to allow a folder; content_base64 still works", async () => {
    const s = await stack({ LEADPANTHER_UPLOAD_ROOTS: "" });
    const file = join(root, "pixel.png");
    await writeFile(file, SAMPLES["image/png"].bytes);
    const text = textOf(await s.call("upload_media", { file_path: file }));
    expect(text).toContain("LEADPANTHER_UPLOAD_ROOTS");
    const viaBase64 = await s.call("upload_media", { content_base64: SAMPLES["image/png"].bytes.toString("base64"), file_name: "pixel.png" });
    expect(viaBase64.isError).toBeFalsy();
  });

  test("base64 that is not base64, and a missing file_name, are refused by field", async () => {
    const s = await stack();
    expect(textOf(await s.call("upload_media", { content_base64: "not base64 at all!!", file_name: "x.png" }))).toContain("content_base64");
    expect(textOf(await s.call("upload_media", { content_base64: "iVBORw0KGgo=" }))).toContain("- file_name: is required with content_base64");
    expect(textOf(await s.call("upload_media", {}))).toContain("give exactly one of file_path or content_base64");
    expect(uploads()).toBe(0);
  });
});

describe("roots the MCP client declares", () => {
  test("the client's roots replace LEADPANTHER_UPLOAD_ROOTS", async () => {
    const clientRoot = await mkdtemp(join(tmpdir(), "lp-client-root-"));
    const inClientRoot = join(clientRoot, "pixel.gif");
    await writeFile(inClientRoot, SAMPLES["image/gif"].bytes);
    const inEnvRoot = join(root, "env.gif");
    await writeFile(inEnvRoot, SAMPLES["image/gif"].bytes);
    const s = await stack(
      {},
      {
        capabilities: { roots: {} },
        prepareClient: (client) =>
          client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: pathToFileURL(clientRoot).href, name: "workspace" }] })),
      },
    );
    expect((await s.call("upload_media", { file_path: inClientRoot })).isError).toBeFalsy();
    expect(textOf(await s.call("upload_media", { file_path: inEnvRoot }))).toContain("upload_media refused file_path");
    await rm(clientRoot, { recursive: true, force: true });
  });
});

describe("the second step", () => {
  test("a signed URL that expired before the PUT gives a clear error with no secret in it", async () => {
    const s = await stack();
    sandbox.faults.inject({ method: "PUT", path: /^\/storage\//, kind: "delay", ms: 300 });
    setTimeout(() => sandbox.media.expireUploadUrls(), 100);
    const text = textOf(await s.call("upload_media", { content_base64: SAMPLES["image/png"].bytes.toString("base64"), file_name: "late.png" }));
    expect(text).toContain("expired or was already used");
    expect(text).toContain("upload_media again");
    assertNoSecret(text);
  });

  test("progress notifications report bytes sent when the client asks", async () => {
    const s = await stack();
    const file = await sized(join(root, "big.png"), SAMPLES["image/png"].bytes, 2 * 1024 * 1024);
    const progress: { progress: number; total?: number }[] = [];
    await s.client.callTool({ name: "upload_media", arguments: { file_path: file } }, undefined, {
      onprogress: (event) => progress.push(event),
    });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ progress: 2 * 1024 * 1024, total: 2 * 1024 * 1024 });
  });

  test("agency: the upload-URL route is nested under the client and the path is the client's", async () => {
    const s = await stack({}, { key: DEMO.keys.agency });
    const result = await s.call("upload_media", {
      client_id: DEMO.clients.full,
      content_base64: SAMPLES["image/webp"].bytes.toString("base64"),
      file_name: "pixel.webp",
    });
    const data = structured<{ data: { path: string } }>(result).data;
    expect(data.path.startsWith(`${DEMO.clients.full}/`)).toBe(true);
    expect(sandbox.requests().some((entry) => entry.path === `/clients/${DEMO.clients.full}/media/upload-url`)).toBe(true);
    const removed = await s.call("delete_media", { client_id: DEMO.clients.full, path: data.path });
    expect(removed.isError).toBeFalsy();
  });
});
