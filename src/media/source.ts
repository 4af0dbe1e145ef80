/**
 * Where the bytes of an upload come from, checked before anything goes on the wire.
 *
 * A file is read only inside the allowed folders (the MCP client's roots, or
 * LEADPANTHER_UPLOAD_ROOTS); base64 text is decoded strictly. Either way the media type comes
 * from the content's magic bytes — never from a name — and the size limit for that type
 * (contract §13) is checked here, so a refused upload costs no request at all.
 */
import { constants as fsConstants, type Stats } from "node:fs";
import { open, realpath, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  MEDIA_CONTENT_TYPES,
  MEDIA_IMAGE_MAX_BYTES,
  MEDIA_PDF_MAX_BYTES,
  mediaMaxBytes,
  type MediaContentType,
} from "../contract.js";
import { MediaInputError } from "./errors.js";
import { UPLOAD_CHUNK_BYTES, UploadStream } from "./stream.js";

export type UploadInput =
  | { file_path: string; content_type?: string }
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
   * opened again and must still be the file that was checked — same inode, size and mtime —
   * or the stream fails with a MediaInputError.
   */
  open(): UploadStream;
}

/** Enough for every signature below (WebP needs 12, ISO media brands 12). */
const SNIFF_BYTES = 16;
const FILE_NAME_MAX = 255;
const LARGEST_ALLOWED_BYTES = Math.max(...MEDIA_CONTENT_TYPES.map(mediaMaxBytes));
const ALLOWED_LIST = MEDIA_CONTENT_TYPES.join(", ");

/**
 * O_NOFOLLOW: the path opened is already the real path, so a symlink there means it was swapped
 * in after the check. O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
 * forever; with it the open returns and the fstat below refuses the FIFO. Both are 0 where the
 * platform lacks them (Windows).
 */
const READ_FLAGS =
  fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);

// ---------------------------------------------------------------------------------------------
// Magic bytes

function bytesOf(text: string): number[] {
  return Array.from(text, (character) => character.charCodeAt(0));
}

function hasBytes(head: Uint8Array, expected: readonly number[], offset = 0): boolean {
  if (head.length < offset + expected.length) return false;
  return expected.every((byte, index) => head[offset + index] === byte);
}

const SIGNATURES: ReadonlyArray<{ type: MediaContentType; matches: (head: Uint8Array) => boolean }> = [
  { type: "image/jpeg", matches: (head) => hasBytes(head, [0xff, 0xd8, 0xff]) },
  {
    type: "image/png",
    matches: (head) => hasBytes(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  {
    type: "image/gif",
    matches: (head) => hasBytes(head, bytesOf("GIF87a")) || hasBytes(head, bytesOf("GIF89a")),
  },
  {
    type: "image/webp",
    matches: (head) => hasBytes(head, bytesOf("RIFF")) && hasBytes(head, bytesOf("WEBP"), 8),
  },
  { type: "application/pdf", matches: (head) => hasBytes(head, bytesOf("%PDF-")) },
];

export function sniffContentType(head: Uint8Array): MediaContentType | undefined {
  return SIGNATURES.find((signature) => signature.matches(head))?.type;
}

/** Strong (4+ byte) signatures of things people upload by mistake. */
const LOOKALIKES: ReadonlyArray<{ looksLike: string; matches: (head: Uint8Array) => boolean }> = [
  { looksLike: "an ELF executable", matches: (head) => hasBytes(head, [0x7f, 0x45, 0x4c, 0x46]) },
  {
    looksLike: "a Mach-O executable",
    matches: (head) =>
      [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xcf, 0xfa, 0xed, 0xfe],
      ].some((magic) => hasBytes(head, magic)),
  },
  {
    looksLike: "a Mach-O universal binary or a Java class file",
    matches: (head) => hasBytes(head, [0xca, 0xfe, 0xba, 0xbe]),
  },
  {
    looksLike: "a ZIP archive (DOCX, XLSX, PPTX and JAR files are ZIP archives too)",
    matches: (head) =>
      hasBytes(head, [0x50, 0x4b, 0x03, 0x04]) || hasBytes(head, [0x50, 0x4b, 0x05, 0x06]),
  },
  {
    looksLike: "a legacy Microsoft Office document",
    matches: (head) => hasBytes(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  },
  { looksLike: "a 7-Zip archive", matches: (head) => hasBytes(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
  { looksLike: "a RAR archive", matches: (head) => hasBytes(head, bytesOf("Rar!\x1a\x07")) },
  { looksLike: "a gzip archive", matches: (head) => hasBytes(head, [0x1f, 0x8b, 0x08]) },
  {
    looksLike: "a TIFF image",
    matches: (head) => hasBytes(head, bytesOf("II*\0")) || hasBytes(head, bytesOf("MM\0*")),
  },
  {
    looksLike: "a HEIC or AVIF image",
    matches: (head) =>
      hasBytes(head, bytesOf("ftyp"), 4) &&
      ["heic", "heix", "hevc", "mif1", "msf1", "avif", "avis"].some((brand) =>
        hasBytes(head, bytesOf(brand), 8),
      ),
  },
  { looksLike: "an MP4/MOV video or other ISO media file", matches: (head) => hasBytes(head, bytesOf("ftyp"), 4) },
  { looksLike: "a RIFF file such as WAV audio or AVI video", matches: (head) => hasBytes(head, bytesOf("RIFF")) },
  { looksLike: "an MP3 audio file", matches: (head) => hasBytes(head, bytesOf("ID3")) },
];

function isTextByte(byte: number): boolean {
  return byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte !== 0x7f);
}

const BASE64_TEXT = /^[A-Za-z0-9+/=_-]+$/;

/** What unrecognised content looks like, for the refusal message; undefined if unknown. */
function describeUnrecognised(head: Uint8Array): string | undefined {
  const strong = LOOKALIKES.find((lookalike) => lookalike.matches(head));
  if (strong) return strong.looksLike;
  if (head.length > 0 && head.every(isTextByte)) {
    const text = Buffer.from(head).toString("latin1").replace(/^\xef\xbb\xbf/, "").trimStart();
    const lower = text.toLowerCase();
    if (lower.startsWith("<svg") || lower.startsWith("<?xml")) {
      return "SVG or other XML text (SVG images are not accepted; export a PNG)";
    }
    if (lower.startsWith("<!doctype html") || lower.startsWith("<html")) return "an HTML document";
    if (text.startsWith("#!")) return "a script";
    if (text.startsWith("{\\rtf")) return "an RTF document";
    if (text.startsWith("%!PS")) return "a PostScript document";
    if (BASE64_TEXT.test(text.trimEnd()) && text.trimEnd().length === text.length) {
      return "plain text made of base64 characters (was the content base64-encoded twice?)";
    }
    return "plain text";
  }
  if (hasBytes(head, bytesOf("MZ"))) return "a Windows executable (PE/DOS)";
  if (hasBytes(head, bytesOf("BM"))) return "a BMP image";
  return undefined;
}

const EXTENSION_TYPES: Readonly<Record<string, MediaContentType>> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".jpe": "image/jpeg",
  ".jfif": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".pdf": "application/pdf",
};

/** The usual extension of each type: what a misnamed image is renamed to before it is sent. */
const TYPE_EXTENSIONS: Readonly<Record<MediaContentType, string>> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "application/pdf": ".pdf",
};

function renamedFor(fileName: string, contentType: MediaContentType): string {
  return `${fileName.slice(0, fileName.length - path.extname(fileName).length)}${TYPE_EXTENSIONS[contentType]}`;
}

export function contentTypeForExtension(fileName: string): MediaContentType | undefined {
  const extension = path.extname(fileName).toLowerCase();
  return Object.hasOwn(EXTENSION_TYPES, extension) ? EXTENSION_TYPES[extension] : undefined;
}

function isMediaContentType(value: string): value is MediaContentType {
  return (MEDIA_CONTENT_TYPES as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Messages

/** The caller's own text, quoted for a message: control characters escaped, length capped. */
function quote(text: string): string {
  const capped = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return JSON.stringify(capped);
}

function formatBytes(bytes: number): string {
  return bytes.toLocaleString("en-US");
}

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

interface AllowedRoot {
  /** As configured, for messages. */
  shown: string;
  lexical: string;
  real: string;
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return (
    relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
  );
}

/** Roots that exist, with their real paths; a root that cannot be resolved allows nothing. */
async function resolveRoots(allowedRoots: readonly string[]): Promise<AllowedRoot[]> {
  const resolved = await Promise.all(
    allowedRoots.map(async (root): Promise<AllowedRoot | undefined> => {
      if (!path.isAbsolute(root)) return undefined;
      try {
        return { shown: root, lexical: path.resolve(root), real: await realpath(root) };
      } catch {
        return undefined;
      }
    }),
  );
  return resolved.filter((root): root is AllowedRoot => root !== undefined);
}

function noRootsMessage(): string {
  return (
    "file_path cannot be used: no folder is allowed for uploads. To allow one, share it with this " +
    "server as a root in your MCP client, or set LEADPANTHER_UPLOAD_ROOTS to one or more absolute " +
    `folders separated by "${path.delimiter}". Or send the file as content_base64 with file_name, ` +
    "which needs no folder."
  );
}

function rootsList(roots: readonly AllowedRoot[]): string {
  return roots.map((root) => quote(root.shown)).join(", ");
}

const FOLDER_NOT_FILE = "a folder, not a file; give the path of a file inside it";

function kindOfNonFile(stats: Stats): string {
  if (stats.isDirectory()) return FOLDER_NOT_FILE;
  if (stats.isFIFO()) return "a named pipe (FIFO), not a regular file";
  if (stats.isSocket()) return "a socket, not a regular file";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device, not a regular file";
  return "not a regular file";
}

function codeOf(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** Maps a filesystem error on the caller's file to a refusal that says why. */
function fileAccessError(given: string, error: unknown): MediaInputError {
  const shown = quote(given);
  switch (codeOf(error)) {
    case "ENOENT":
    case "ENOTDIR":
      return new MediaInputError("file_path", `file_path ${shown} does not exist. Check the path.`);
    case "EACCES":
    case "EPERM":
      return new MediaInputError(
        "file_path",
        `file_path ${shown} cannot be read: permission denied. Make the file readable by the user running this server, or send it as content_base64.`,
      );
    case "ELOOP":
      return new MediaInputError(
        "file_path",
        `file_path ${shown} is a symbolic link that loops or was replaced. Give the path of the file itself.`,
      );
    case "EISDIR":
      return new MediaInputError("file_path", `file_path ${shown} is ${FOLDER_NOT_FILE}.`);
    default:
      return new MediaInputError(
        "file_path",
        `file_path ${shown} cannot be read (${codeOf(error) ?? "unknown error"}).`,
      );
  }
}

interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

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
  const roots = await resolveRoots(allowedRoots);
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
  const outside = new MediaInputError(
    "file_path",
    `file_path ${quote(filePath)} resolves outside the allowed folders (${rootsList(roots)}), ` +
      "directly, through '..' or through a symbolic link. Copy the file into an allowed folder or send it as content_base64.",
  );

  // The lexical check comes first so nothing outside the roots is even looked at.
  const lexical = path.resolve(filePath);
  if (!roots.some((root) => isInside(root.lexical, lexical) || isInside(root.real, lexical))) {
    throw outside;
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    throw fileAccessError(filePath, error);
  }
  if (!roots.some((root) => isInside(root.real, real))) throw outside;

  // Refuse non-files before opening: opening a FIFO or a device can block or have effects.
  let before: Stats;
  try {
    before = await stat(real);
  } catch (error) {
    throw fileAccessError(filePath, error);
  }
  if (!before.isFile()) {
    throw new MediaInputError("file_path", `file_path ${quote(filePath)} is ${kindOfNonFile(before)}.`);
  }

  let handle: FileHandle;
  try {
    handle = await open(real, READ_FLAGS);
  } catch (error) {
    throw fileAccessError(filePath, error);
  }
  try {
    // What counts is the file now open, not the path checked above (it may have been swapped).
    const opened = await handle.stat();
    if (!opened.isFile()) {
      throw new MediaInputError("file_path", `file_path ${quote(filePath)} is ${kindOfNonFile(opened)}.`);
    }
    await assertStillInside(real, opened, () => outside);
    const head = Buffer.alloc(SNIFF_BYTES);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0));
    } catch (error) {
      throw fileAccessError(filePath, error);
    }
    const fileName = checkPathFileName(path.basename(lexical), filePath);
    const { contentType, nameNote } = checkContent(
      head.subarray(0, bytesRead),
      opened.size,
      fileName,
      declared,
      "file_path",
    );
    const identity: FileIdentity = {
      dev: opened.dev,
      ino: opened.ino,
      size: opened.size,
      mtimeMs: opened.mtimeMs,
    };
    return {
      // LeadPanther may go by the name's extension too: it is made to agree with the content.
      fileName: nameNote ? renamedFor(fileName, contentType) : fileName,
      contentType,
      ...(nameNote ? { nameNote } : {}),
      size: opened.size,
      open: () => new UploadStream((take) => readFileChunks(real, filePath, identity, take)),
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

/**
 * O_NOFOLLOW guards only the last part of the path: a directory on the way may have been swapped
 * for a symbolic link between the check and the open. So after opening, the path must still be
 * its own real path (no link on the way now) and name the very file that was opened (same device
 * and inode): a swap and a swap back in between would leave another file at the path.
 */
async function assertStillInside(real: string, opened: Stats, refusal: () => MediaInputError): Promise<void> {
  let again: string;
  let atPath: Stats;
  try {
    again = await realpath(real);
    atPath = await stat(real);
  } catch {
    throw refusal();
  }
  if (again !== real || atPath.dev !== opened.dev || atPath.ino !== opened.ino) throw refusal();
}

function changedError(given: string): MediaInputError {
  return new MediaInputError(
    "file_path",
    `file_path ${quote(given)} changed after it was checked (replaced, modified or resized). Call upload_media again.`,
  );
}

/** Reads exactly `expected.size` bytes of the file that was checked, each chunk into `take()`. */
async function* readFileChunks(
  real: string,
  given: string,
  expected: FileIdentity,
  take: () => Buffer,
): AsyncGenerator<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(real, READ_FLAGS);
  } catch (error) {
    throw fileAccessError(given, error);
  }
  try {
    const now = await handle.stat();
    await assertStillInside(real, now, () => changedError(given));
    if (
      !now.isFile() ||
      now.dev !== expected.dev ||
      now.ino !== expected.ino ||
      now.size !== expected.size ||
      now.mtimeMs !== expected.mtimeMs
    ) {
      throw changedError(given);
    }
    let position = 0;
    while (position < expected.size) {
      const buffer = take();
      const length = Math.min(buffer.length, expected.size - position);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead === 0) throw changedError(given);
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Base64

function checkFileName(value: unknown): string {
  if (!isGiven(value)) {
    throw new MediaInputError(
      "file_name",
      'file_name is required with content_base64: give the file\'s base name, e.g. "chart.png".',
    );
  }
  if (typeof value !== "string" || value.trim().length === 0) {
    throw new MediaInputError("file_name", 'file_name must be a non-empty base name, e.g. "chart.png".');
  }
  if (value.length > FILE_NAME_MAX) {
    throw new MediaInputError(
      "file_name",
      `file_name is ${value.length} characters long; use at most ${FILE_NAME_MAX}.`,
    );
  }
  if (value.includes("/") || value.includes("\\")) {
    throw new MediaInputError(
      "file_name",
      `file_name ${quote(value)} contains a path separator; give only the base name, e.g. "chart.png".`,
    );
  }
  if (value === "." || value === "..") {
    throw new MediaInputError("file_name", 'file_name must be a file name, e.g. "chart.png".');
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new MediaInputError("file_name", "file_name contains control characters; use a plain file name.");
  }
  return value;
}

/**
 * The name a file_path gives the upload goes to LeadPanther and back into the model's text: the
 * same limits as file_name, and no characters that hide or reorder text.
 */
function checkPathFileName(name: string, given: string): string {
  if (name.length > FILE_NAME_MAX) {
    throw new MediaInputError("file_path", `the file name in file_path is ${name.length} characters long; rename the file to at most ${FILE_NAME_MAX}.`);
  }
  if (/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/.test(name)) {
    throw new MediaInputError("file_path", `the file name in file_path ${quote(given)} contains control or invisible characters; rename the file.`);
  }
  return name;
}

function invalidBase64(reason: string): MediaInputError {
  return new MediaInputError("content_base64", `content_base64 is not valid base64: ${reason}`);
}

function describeCharacter(code: number): string {
  return code >= 0x21 && code <= 0x7e ? `'${String.fromCharCode(code)}'` : `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Longest base64 text (without whitespace and padding) whose decoding can still be allowed. */
const MAX_SIGNIFICANT_CHARACTERS = Math.ceil((LARGEST_ALLOWED_BYTES * 4) / 3) + 4;

/**
 * Strict base64: the standard or the URL-safe alphabet (not mixed), optional `=` padding only
 * at the end, ASCII whitespace anywhere ignored, nothing else. Validated in one pass that
 * allocates nothing, so junk or an oversized payload is refused before any decoding.
 */
function decodeBase64Strict(value: unknown): Buffer {
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
