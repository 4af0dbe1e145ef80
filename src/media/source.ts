/**
 * Where the bytes of an upload come from, checked before anything goes on the wire: the one
 * entry point of the upload source (tools/upload-media.ts calls prepareUpload).
 *
 * A file is read only inside the allowed folders (the MCP client's roots, or
 * LEADPANTHER_UPLOAD_ROOTS; see roots.ts for how that holds under races); base64 text is
 * decoded strictly (base64.ts). Either way the media type comes from the content's magic bytes
 * (sniff.ts) — never from a name — and the size limit for that type (contract §13) is checked
 * here, so a refused upload costs no request at all.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  MEDIA_CONTENT_TYPES,
  MEDIA_IMAGE_MAX_BYTES,
  MEDIA_PDF_MAX_BYTES,
  mediaMaxBytes,
  type MediaContentType,
} from "../contract.js";
import { decodeBase64Strict, formatBytes } from "./base64.js";
import { MediaInputError } from "./errors.js";
import { checkFileName, checkPathFileName, quote } from "./names.js";
import { identityOf, readCheckedFile } from "./read.js";
import { noRootsMessage, openConfined, resolveRoots, rootsList, type AllowedRoot } from "./roots.js";
import {
  contentTypeForExtension,
  describeUnrecognised,
  isMediaContentType,
  renamedFor,
  sniffContentType,
  SNIFF_BYTES,
} from "./sniff.js";
import { UPLOAD_CHUNK_BYTES, UploadStream } from "./stream.js";

export { contentTypeForExtension, sniffContentType } from "./sniff.js";

export type UploadInput =
  | { file_path: string; content_type?: string; file_name?: string }
  | { content_base64: string; file_name: string; content_type?: string };

export interface PreparedUpload {
  /** Base name only; sent to LeadPanther as `file_name`. */
  fileName: string;
  /** Read from the magic bytes. */
  contentType: MediaContentType;
  /** Set when the name's extension names another image type: uploaded as the content's type. */
  nameNote?: string;
  /** Bytes. */
  size: number;
  /**
   * A fresh stream of exactly `size` bytes on every call (a retry needs a new one). A file is
   * confined and opened again and must still be the file that was checked — same device,
   * inode, size and mtime — or the stream fails with a MediaInputError.
   */
  open(): UploadStream;
}

const ALLOWED_LIST = MEDIA_CONTENT_TYPES.join(", ");

// ---------------------------------------------------------------------------------------------
// Messages

function limitDescription(contentType: MediaContentType): string {
  return contentType === "application/pdf"
    ? `PDFs may be at most ${formatBytes(MEDIA_PDF_MAX_BYTES)} bytes (15 MB)`
    : `images may be at most ${formatBytes(MEDIA_IMAGE_MAX_BYTES)} bytes (5 MB)`;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by both sources

/**
 * Decides the type from the content and applies every type and size rule. A name whose
 * extension says another image type (a PNG saved as .jpg, common with downloads) is accepted
 * and noted: the content's type is what is sent. A name that says image for a PDF, or PDF for
 * an image, is refused: that is likely the wrong file, bound for the wrong post field.
 */
function checkContent(
  head: Uint8Array,
  size: number,
  fileName: string,
  declared: MediaContentType | undefined,
  contentField: "file_path" | "content_base64",
): { contentType: MediaContentType; nameNote?: string } {
  const nameField = contentField === "file_path" ? "file_path" : "file_name";
  if (size === 0) {
    throw new MediaInputError(
      contentField,
      `${contentField}: the content is empty (0 bytes). Upload a JPEG, PNG, GIF or WebP image, or a PDF.`,
    );
  }
  const contentType = sniffContentType(head);
  if (contentType === undefined) {
    const looksLike = describeUnrecognised(head);
    throw new MediaInputError(
      contentField,
      `${contentField}: the content is not an allowed media type${looksLike ? ` — it looks like ${looksLike}` : ""}. ` +
        `Allowed: ${ALLOWED_LIST}. The type is read from the content's first bytes, not from its name.`,
    );
  }
  const byExtension = contentTypeForExtension(fileName);
  const bothImages = byExtension !== undefined && byExtension !== "application/pdf" && contentType !== "application/pdf";
  if (byExtension !== undefined && byExtension !== contentType && !bothImages) {
    throw new MediaInputError(
      nameField,
      `${nameField} says ${byExtension} but the content is ${contentType}. ` +
        `Use a name that matches the content, or upload the file you meant.`,
    );
  }
  if (declared !== undefined && declared !== contentType) {
    throw new MediaInputError(
      "content_type",
      `content_type says ${declared} but the content is ${contentType}. ` +
        `Leave content_type out (it is read from the content), or upload the file you meant.`,
    );
  }
  const maxBytes = mediaMaxBytes(contentType);
  if (size > maxBytes) {
    throw new MediaInputError(
      contentField,
      `${contentField}: the ${contentType} content is ${formatBytes(size)} bytes; ${limitDescription(contentType)}. ` +
        `Compress or shrink it and try again.`,
    );
  }
  if (byExtension !== undefined && byExtension !== contentType) {
    return { contentType, nameNote: `${nameField} says ${byExtension}, but the content is ${contentType}: it was uploaded as ${contentType}, named ${renamedFor(fileName, contentType)}.` };
  }
  return { contentType };
}

function parseDeclaredType(value: unknown): MediaContentType | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new MediaInputError("content_type", `content_type must be a string, one of: ${ALLOWED_LIST}.`);
  }
  const normalized = (value.split(";")[0] ?? "").trim().toLowerCase();
  if (!isMediaContentType(normalized)) {
    throw new MediaInputError(
      "content_type",
      `content_type ${quote(value)} is not allowed. Use one of ${ALLOWED_LIST}, or leave it out: ` +
        `the type is read from the content.`,
    );
  }
  return normalized;
}

// ---------------------------------------------------------------------------------------------
// The entry point

interface LooseInput {
  file_path?: unknown;
  content_base64?: unknown;
  file_name?: unknown;
  content_type?: unknown;
}

const isGiven = (value: unknown): boolean => value !== undefined && value !== null;

/**
 * Checks an upload completely — source, type, size — and returns how to read its bytes.
 * `allowedRoots` are absolute folders; a file must really (after symlinks and `..`) be inside
 * one of them. Throws MediaInputError naming the field to change.
 */
export async function prepareUpload(
  input: UploadInput,
  allowedRoots: readonly string[],
): Promise<PreparedUpload> {
  // The input comes from a model through a schema that others own: check the shape again here
  // rather than trust the union type.
  const loose = input as LooseInput;
  const hasPath = isGiven(loose.file_path);
  const hasBase64 = isGiven(loose.content_base64);
  if (hasPath && hasBase64) {
    throw new MediaInputError(
      "file_path",
      "Give either file_path or content_base64 (with file_name), not both.",
    );
  }
  if (!hasPath && !hasBase64) {
    throw new MediaInputError(
      "file_path",
      "Give file_path (an absolute path inside an allowed folder), or content_base64 with file_name.",
    );
  }
  const declared = parseDeclaredType(loose.content_type);
  if (hasPath) {
    if (isGiven(loose.file_name)) {
      throw new MediaInputError(
        "file_name",
        "file_name goes with content_base64 only; with file_path the name is taken from the path. Leave file_name out.",
      );
    }
    return prepareFile(loose.file_path, allowedRoots, declared);
  }
  const fileName = checkFileName(loose.file_name);
  return prepareBase64(loose.content_base64, fileName, declared);
}

// ---------------------------------------------------------------------------------------------
// Files

async function prepareFile(
  given: unknown,
  allowedRoots: readonly string[],
  declared: MediaContentType | undefined,
): Promise<PreparedUpload> {
  if (typeof given !== "string" || given.length === 0) {
    throw new MediaInputError("file_path", "file_path must be a non-empty string: an absolute path to a file.");
  }
  // MCP roots are file:// URIs, so a model may well name a file the same way.
  const filePath = fileUrlToPath(given);
  if (filePath.includes("\0")) {
    throw new MediaInputError("file_path", "file_path contains a NUL character; give a plain absolute path.");
  }
  if (allowedRoots.length === 0) throw new MediaInputError("file_path", noRootsMessage());
  const roots: AllowedRoot[] = await resolveRoots(allowedRoots);
  if (roots.length === 0) {
    throw new MediaInputError(
      "file_path",
      `file_path cannot be used: none of the allowed folders (${allowedRoots.map(quote).join(", ")}) ` +
        "exists as an absolute folder. Fix the MCP client's roots or LEADPANTHER_UPLOAD_ROOTS, or send the file as content_base64 with file_name.",
    );
  }
  if (!path.isAbsolute(filePath)) {
    throw new MediaInputError(
      "file_path",
      `file_path ${quote(filePath)} is relative. Give an absolute path inside one of the allowed folders: ${rootsList(roots)}.`,
    );
  }

  const { handle, stats, real } = await openConfined(filePath, filePath, roots);
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    const fileName = checkPathFileName(path.basename(path.resolve(filePath)), filePath);
    const { contentType, nameNote } = checkContent(
      head.subarray(0, bytesRead),
      stats.size,
      fileName,
      declared,
      "file_path",
    );
    const identity = identityOf(stats);
    const changed = (): MediaInputError =>
      new MediaInputError(
        "file_path",
        `file_path ${quote(filePath)} changed after it was checked (replaced, modified or resized). Call upload_media again.`,
      );
    return {
      // LeadPanther may go by the name's extension too: it is made to agree with the content.
      fileName: nameNote ? renamedFor(fileName, contentType) : fileName,
      contentType,
      ...(nameNote ? { nameNote } : {}),
      size: stats.size,
      open: () =>
        new UploadStream((take) => readCheckedFile(() => openConfined(filePath, real, roots), identity, changed, take)),
    };
  } finally {
    await handle.close();
  }
}

/** A file:// URL as the path it names; anything else as given (a malformed URL is refused later as relative). */
function fileUrlToPath(value: string): string {
  if (!/^file:/i.test(value)) return value;
  try {
    return fileURLToPath(value);
  } catch {
    return value;
  }
}

// ---------------------------------------------------------------------------------------------
// Base64

/** Views of the decoded bytes: nothing to read, so `take` is not needed. */
async function* bufferChunks(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += UPLOAD_CHUNK_BYTES) {
    yield bytes.subarray(offset, offset + UPLOAD_CHUNK_BYTES);
  }
}

function prepareBase64(
  contentBase64: unknown,
  fileName: string,
  declared: MediaContentType | undefined,
): PreparedUpload {
  const bytes = decodeBase64Strict(contentBase64);
  const { contentType, nameNote } = checkContent(
    bytes.subarray(0, SNIFF_BYTES),
    bytes.length,
    fileName,
    declared,
    "content_base64",
  );
  return {
    fileName: nameNote ? renamedFor(fileName, contentType) : fileName,
    contentType,
    ...(nameNote ? { nameNote } : {}),
    size: bytes.length,
    open: () => new UploadStream(() => bufferChunks(bytes)),
  };
}
