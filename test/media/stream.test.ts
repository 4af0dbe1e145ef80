import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareUpload } from "../../src/media/source.js";
import { UPLOAD_CHUNK_BYTES, UploadStream } from "../../src/media/stream.js";
import { SAMPLES, readAll } from "./fixtures.js";

let folder: string;
let bytes: Buffer;
let filePath: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "lp-media-stream-"));
  bytes = Buffer.alloc(UPLOAD_CHUNK_BYTES * 3 + 123);
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 7919) % 251;
  SAMPLES["image/png"].bytes.copy(bytes);
  filePath = path.join(folder, "chunks.png");
  await writeFile(filePath, bytes);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const openFiles = (): number => readdirSync("/proc/self/fd").length;

describe("UploadStream", () => {
  it("gives an ordinary reader chunks it may keep", async () => {
    const prepared = await prepareUpload({ file_path: filePath }, [folder]);
    const kept: Buffer[] = [];
    for await (const chunk of prepared.open()) kept.push(chunk as Buffer);
    expect(kept.length).toBe(4);
    expect(Buffer.concat(kept).equals(bytes)).toBe(true);
  });

  it("reads into the buffers handed to chunksInto, in order", async () => {
    const prepared = await prepareUpload({ file_path: filePath }, [folder]);
    const stream = prepared.open();
    const own = [Buffer.alloc(UPLOAD_CHUNK_BYTES), Buffer.alloc(UPLOAD_CHUNK_BYTES)];
    let turn = 0;
    const copies: Buffer[] = [];
    for await (const chunk of stream.chunksInto(() => own[turn++ % 2] as Buffer)) {
      expect(own.some((buffer) => buffer.buffer === chunk.buffer)).toBe(true);
      copies.push(Buffer.from(chunk));
    }
    expect(Buffer.concat(copies).equals(bytes)).toBe(true);
    expect(() => stream.chunksInto(() => Buffer.alloc(1))).toThrow(/already being read/);
  });

  it("refuses chunksInto once the stream has been read", async () => {
    const prepared = await prepareUpload({ file_path: filePath }, [folder]);
    const stream = prepared.open();
    await readAll(stream);
    expect(() => stream.chunksInto(() => Buffer.alloc(UPLOAD_CHUNK_BYTES))).toThrow(/already being read/);
  });

  it.skipIf(process.platform !== "linux")("closes the file when destroyed halfway", async () => {
    const prepared = await prepareUpload({ file_path: filePath }, [folder]);
    const before = openFiles();
    const stream = prepared.open();
    for await (const chunk of stream) {
      expect(chunk).toBeInstanceOf(Buffer);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stream.destroyed).toBe(true);
    expect(openFiles()).toBe(before);
  });

  it("streams base64 content as views, without copying", async () => {
    const prepared = await prepareUpload({ content_base64: bytes.toString("base64"), file_name: "b.png" }, []);
    expect(await readAll(prepared.open())).toEqual(bytes);
    const viaInto: Buffer[] = [];
    for await (const chunk of prepared.open().chunksInto(() => Buffer.alloc(UPLOAD_CHUNK_BYTES))) viaInto.push(Buffer.from(chunk));
    expect(Buffer.concat(viaInto).equals(bytes)).toBe(true);
  });

  it("is an ordinary Readable for anyone else", () => {
    expect(new UploadStream(async function* () {})).toHaveProperty("pipe");
  });
});
