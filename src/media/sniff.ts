/**
 * The media type of an upload, read from its first bytes — never from its name — and what
 * content that is not allowed looks like, for the refusal message.
 *
 * A maintained detector (file-type) was weighed: it knows far more formats, but it reads
 * through its own tokenizer packages, which would add to the bundle and to start-up for five
 * types whose signatures fit in this file, and its answer for a refused file is a MIME type,
 * not the plain description ("a ZIP archive (DOCX…)", "base64 text encoded twice?") these
 * messages give. So the signatures stay here.
 */
import path from "node:path";
import { MEDIA_CONTENT_TYPES, type MediaContentType } from "../contract.js";

/** Enough for every signature below (WebP needs 12, ISO media brands 12). */
export const SNIFF_BYTES = 16;

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
export function describeUnrecognised(head: Uint8Array): string | undefined {
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

/** The name with its extension replaced by the usual one of `contentType`. */
export function renamedFor(fileName: string, contentType: MediaContentType): string {
  return `${fileName.slice(0, fileName.length - path.extname(fileName).length)}${TYPE_EXTENSIONS[contentType]}`;
}

export function contentTypeForExtension(fileName: string): MediaContentType | undefined {
  const extension = path.extname(fileName).toLowerCase();
  return Object.hasOwn(EXTENSION_TYPES, extension) ? EXTENSION_TYPES[extension] : undefined;
}

export function isMediaContentType(value: string): value is MediaContentType {
  return (MEDIA_CONTENT_TYPES as readonly string[]).includes(value);
}
