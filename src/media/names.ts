/**
 * The upload's file name, from file_name or from file_path's last part. It goes to LeadPanther
 * and back into the model's text, so it is held to one rule whichever field it came from: a
 * base name of at most 255 characters with no character that hides or reorders text.
 */
import { escapeCharacter, hasControlCharacters, stripControlCharacters } from "../safety/sanitize.js";
import { MediaInputError } from "./errors.js";

const FILE_NAME_MAX = 255;

/** The caller's own text, quoted for a message: control and invisible characters escaped, length capped. */
export function quote(text: string): string {
  const capped = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return stripControlCharacters(JSON.stringify(capped), escapeCharacter);
}

/** file_name as given with content_base64. */
export function checkFileName(value: unknown): string {
  if (value === undefined || value === null) {
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
  if (hasControlCharacters(value)) {
    throw new MediaInputError(
      "file_name",
      `file_name ${quote(value)} contains control characters or characters that hide or reorder text (bidi, zero-width, private-use); use a plain file name, e.g. "chart.png".`,
    );
  }
  return value;
}

/** The last part of file_path, which names the upload. */
export function checkPathFileName(name: string, given: string): string {
  if (name.length > FILE_NAME_MAX) {
    throw new MediaInputError("file_path", `the file name in file_path is ${name.length} characters long; rename the file to at most ${FILE_NAME_MAX}.`);
  }
  if (hasControlCharacters(name)) {
    throw new MediaInputError("file_path", `the file name in file_path ${quote(given)} contains control characters or characters that hide or reorder text (bidi, zero-width, private-use); rename the file.`);
  }
  return name;
}
