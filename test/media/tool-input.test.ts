import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { DEMO } from "../../src/sandbox/index.js";
import { startStack, textOf, type Stack } from "../fixtures/stack.js";
import { SAMPLES } from "./fixtures.js";

/** upload_media's arguments as a real MCP client sends them: refusals name the field, nothing is sent. */

const PNG = SAMPLES["image/png"].bytes;
let stack: Stack;
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "lp-tool-input-"));
  await writeFile(join(folder, "chart.png"), PNG);
  stack = await startStack({ key: DEMO.keys.directAll, env: { LEADPANTHER_UPLOAD_ROOTS: folder } });
});
afterAll(async () => {
  await stack.close();
  await rm(folder, { recursive: true, force: true });
});

test("content_base64 with a file_name holding a bidi override is refused, naming file_name", async () => {
  const result = await stack.call("upload_media", { content_base64: PNG.toString("base64"), file_name: "a\u202Egnp.exe" });
  expect(result.isError).toBe(true);
  const text = textOf(result);
  expect(text).toContain("upload_media refused file_name: file_name ");
  expect(text).toContain("control characters or characters that hide or reorder text");
  expect(text).toContain("Nothing was sent.");
  expect(text).not.toContain("\u202E");
});

test("file_name given with file_path is refused, not ignored", async () => {
  const result = await stack.call("upload_media", { file_path: join(folder, "chart.png"), file_name: "other.png" });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toBe(
    "upload_media refused file_name: file_name goes with content_base64 only; with file_path the name is taken from the path. Leave file_name out. Nothing was sent.",
  );
});

test("file_path alone is still uploaded", async () => {
  const result = await stack.call("upload_media", { file_path: join(folder, "chart.png") });
  expect(result.isError).toBeFalsy();
  expect(textOf(result)).toContain("upload_media: stored chart.png (image/png");
});
