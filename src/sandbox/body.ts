/**
 * Bounded request-body reading: counts bytes as they arrive, keeps at most `maxBytes`, and
 * stops (pauses the stream) the moment the limit is passed — nothing is buffered beyond it.
 */
import type { IncomingMessage } from "node:http";
import { MAX_JSON_BODY_BYTES } from "../contract.js";
import { badRequest } from "./wire.js";
import { isPlainObject, type JsonObject } from "./validate.js";

export type BodyReadResult =
  | { kind: "complete"; bytes: Buffer }
  | { kind: "too-large" }
  | { kind: "aborted" };

export function readBodyLimited(request: IncomingMessage, maxBytes: number): Promise<BodyReadResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (result: BodyReadResult): void => {
      if (settled) return;
      settled = true;
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onAborted);
      request.off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        request.pause();
        chunks.length = 0;
        settle({ kind: "too-large" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => settle({ kind: "complete", bytes: Buffer.concat(chunks, received) });
    const onAborted = (): void => settle({ kind: "aborted" });
    const onClose = (): void => {
      if (!request.complete) settle({ kind: "aborted" });
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onAborted);
    request.on("close", onClose);
  });
}

/** The declared Content-Length, or null when absent or unparsable. */
export function declaredLength(request: IncomingMessage): number | null {
  const header = request.headers["content-length"];
  if (header === undefined || !/^[0-9]+$/.test(header)) return null;
  return Number(header);
}

/** The media type of a Content-Type header, lowercased, without parameters. */
export function mediaType(header: string | undefined): string | null {
  if (header === undefined) return null;
  const type = header.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  return type === "" ? null : type;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export class BodyTooLargeError extends Error {}
export class BodyAbortedError extends Error {}

/**
 * Reads a JSON object body (§17): Content-Type application/json, at most 1 MiB (refused as
 * soon as the limit is passed), valid UTF-8, valid JSON, an object. `received` gets the text
 * as soon as it is decoded (for the request log), valid JSON or not.
 */
export async function readJsonObject(request: IncomingMessage, received: (text: string) => void): Promise<JsonObject> {
  if (mediaType(request.headers["content-type"]) !== "application/json") {
    throw badRequest("Content-Type must be application/json for this request.");
  }
  const length = declaredLength(request);
  if (length !== null && length > MAX_JSON_BODY_BYTES) throw new BodyTooLargeError();
  const result = await readBodyLimited(request, MAX_JSON_BODY_BYTES);
  if (result.kind === "too-large") throw new BodyTooLargeError();
  if (result.kind === "aborted") throw new BodyAbortedError();
  let text: string;
  try {
    text = utf8.decode(result.bytes);
  } catch {
    throw badRequest("Request body is not valid UTF-8.");
  }
  received(text);
  if (text.trim() === "") throw badRequest("Request body is empty; a JSON object is required.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON.");
  }
  if (!isPlainObject(parsed)) throw badRequest("Request body must be a JSON object.");
  return parsed;
}

export const BODY_TOO_LARGE_MESSAGE = `Request body is larger than ${MAX_JSON_BODY_BYTES} bytes (1 MiB). Files go to the signed upload URL, not into JSON.`;
