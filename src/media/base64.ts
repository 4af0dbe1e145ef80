/**
 * content_base64, decoded strictly.
 *
 * zod's own check (z.base64() / z.base64url()) was weighed and does not fit: it refuses line
 * breaks (the way most tools wrap base64) and unpadded text, and its one-word failure cannot
 * say where the text went wrong. This decoder accepts both and names the offset of the first
 * bad character, in one pass that allocates nothing before the text is known to be valid.
 */
import { MEDIA_CONTENT_TYPES, MEDIA_IMAGE_MAX_BYTES, mediaMaxBytes } from "../contract.js";
import { MediaInputError } from "./errors.js";

/** The largest decoded size any allowed type may have (PDFs). */
export const LARGEST_ALLOWED_BYTES = Math.max(...MEDIA_CONTENT_TYPES.map(mediaMaxBytes));

/** Longest base64 text (without whitespace and padding) whose decoding can still be allowed. */
const MAX_SIGNIFICANT_CHARACTERS = Math.ceil((LARGEST_ALLOWED_BYTES * 4) / 3) + 4;

export function formatBytes(bytes: number): string {
  return bytes.toLocaleString("en-US");
}

function invalidBase64(reason: string): MediaInputError {
  return new MediaInputError("content_base64", `content_base64 is not valid base64: ${reason}`);
}

function describeCharacter(code: number): string {
  return code >= 0x21 && code <= 0x7e ? `'${String.fromCharCode(code)}'` : `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Strict base64: the standard or the URL-safe alphabet (not mixed), optional `=` padding only
 * at the end, ASCII whitespace anywhere ignored, nothing else. Junk or an oversized payload is
 * refused before any decoding.
 */
export function decodeBase64Strict(value: unknown): Buffer {
  if (typeof value !== "string") {
    throw new MediaInputError("content_base64", "content_base64 must be a string of base64 text.");
  }
  if (/^\s*data:/i.test(value.slice(0, 64))) {
    throw invalidBase64('it starts with a "data:" URL prefix; send only the text after "base64,".');
  }
  let significant = 0;
  let padding = 0;
  let standard = false;
  let urlSafe = false;
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) continue;
    if (code === 0x3d) {
      padding += 1;
      if (padding > 2) throw invalidBase64("more than two '=' padding characters.");
      continue;
    }
    if (padding > 0) {
      throw invalidBase64(`'=' padding may appear only at the end, but ${describeCharacter(code)} follows it at offset ${index}.`);
    }
    if (
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      (code >= 0x30 && code <= 0x39)
    ) {
      significant += 1;
    } else if (code === 0x2b || code === 0x2f) {
      standard = true;
      significant += 1;
    } else if (code === 0x2d || code === 0x5f) {
      urlSafe = true;
      significant += 1;
    } else {
      throw invalidBase64(`${describeCharacter(code)} at offset ${index} is not a base64 character.`);
    }
    if (significant > MAX_SIGNIFICANT_CHARACTERS) {
      throw new MediaInputError(
        "content_base64",
        `content_base64 decodes to more than ${formatBytes(LARGEST_ALLOWED_BYTES)} bytes, the largest upload allowed ` +
          `(PDFs; images ${formatBytes(MEDIA_IMAGE_MAX_BYTES)}). Compress or shrink the file.`,
      );
    }
  }
  if (standard && urlSafe) {
    throw invalidBase64("it mixes the standard ('+', '/') and URL-safe ('-', '_') alphabets.");
  }
  if (significant === 0) {
    if (padding > 0) throw invalidBase64("it holds only '=' padding.");
    throw new MediaInputError("content_base64", "content_base64 is empty: send the file's bytes as base64.");
  }
  if (significant % 4 === 1) {
    throw invalidBase64("its length is impossible for base64 (it may be truncated).");
  }
  if (padding > 0 && (significant + padding) % 4 !== 0) {
    throw invalidBase64("it has the wrong number of '=' padding characters.");
  }
  const decodedSize = Math.floor((significant * 3) / 4);
  if (decodedSize > LARGEST_ALLOWED_BYTES) {
    throw new MediaInputError(
      "content_base64",
      `content_base64 decodes to ${formatBytes(decodedSize)} bytes; the largest upload allowed is ` +
        `${formatBytes(LARGEST_ALLOWED_BYTES)} bytes (PDFs; images ${formatBytes(MEDIA_IMAGE_MAX_BYTES)}). Compress or shrink the file.`,
    );
  }
  // Node's decoder takes both alphabets and skips whitespace; the pass above made it strict.
  return Buffer.from(value, "base64");
}
