/**
 * Confinement of file_path to the allowed folders (the MCP client's roots or
 * LEADPANTHER_UPLOAD_ROOTS), checked on the file that was opened, not on a path looked up twice.
 *
 * Another process may rename entries inside a root while an upload runs: a folder on the way
 * can become a symbolic link to anywhere between any two path lookups. So a path is only ever a
 * hint; what counts is the open descriptor:
 *
 * 1. The path must lie inside a root lexically, then after resolving links (realpath); this
 *    gives the messages for honest mistakes and keeps nothing outside from even being opened.
 * 2. The real path is opened with O_NOFOLLOW (a link swapped in as the last part fails) and
 *    O_NONBLOCK (a FIFO swapped in does not block the open).
 * 3. The descriptor itself is checked:
 *    - Linux (and any system with /proc/self/fd, e.g. WSL, Android): the kernel's own path of
 *      the descriptor (readlink /proc/self/fd/N) must lie inside a root's real path, and a
 *      fresh stat of that path must give the descriptor's device and inode. This holds whatever
 *      was swapped on the way, at any component: the kernel reports where the file really is.
 *    - Elsewhere (macOS, the BSDs, Windows): Node has neither /proc nor F_GETPATH nor openat
 *      with O_NOFOLLOW per component, so the path is resolved again after the open and must
 *      still be inside a root and name the descriptor's device and inode. Limit: a process
 *      that swaps a folder between that second realpath and its stat, and back, can still
 *      pass an outside file; the window is two system calls wide, not the whole upload.
 *    - Everywhere: the descriptor must be a regular file with exactly one link. A hard link
 *      inside a root to a file outside it is the same inode, and no path check can tell; a
 *      file with several links is refused (a copy is fine).
 * 4. The bytes are read only from descriptors that passed 3 and have the identity (device,
 *    inode, size, modification time) checked at preparation (read.ts).
 *
 * A path outside the roots gets one message whether or not something exists there, also
 * through a link: only inside the roots does "does not exist" or "permission denied" appear.
 */
import { constants as fsConstants, type Stats } from "node:fs";
import { open, readlink, realpath, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { MediaInputError } from "./errors.js";
import { quote } from "./names.js";

export interface AllowedRoot {
  /** As configured, for messages. */
  shown: string;
  lexical: string;
  real: string;
}

/** A regular file inside the roots, open for reading; the caller closes `handle`. */
export interface ConfinedFile {
  handle: FileHandle;
  /** fstat of the descriptor. */
  stats: Stats;
  /** The real path it was opened by. */
  real: string;
}

/**
 * O_NOFOLLOW: the path opened is already the real path, so a symlink there means it was swapped
 * in after the check. O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
 * forever; with it the open returns and the descriptor check refuses the FIFO. Both are 0 where
 * the platform lacks them (Windows).
 */
const READ_FLAGS =
  fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return (
    relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
  );
}

function insideSomeRoot(roots: readonly AllowedRoot[], real: string): boolean {
  return roots.some((root) => isInside(root.real, real));
}

/** Roots that exist, with their real paths; a root that cannot be resolved allows nothing. */
export async function resolveRoots(allowedRoots: readonly string[]): Promise<AllowedRoot[]> {
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

export function rootsList(roots: readonly AllowedRoot[]): string {
  return roots.map((root) => quote(root.shown)).join(", ");
}

export function noRootsMessage(): string {
  return (
    "file_path cannot be used: no folder is allowed for uploads. To allow one, share it with this " +
    "server as a root in your MCP client, or set LEADPANTHER_UPLOAD_ROOTS to one or more absolute " +
    `folders separated by "${path.delimiter}". Or send the file as content_base64 with file_name, ` +
    "which needs no folder."
  );
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

/** Maps a filesystem error on a file inside the roots to a refusal that says why. */
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

function outsideError(given: string, roots: readonly AllowedRoot[]): MediaInputError {
  return new MediaInputError(
    "file_path",
    `file_path ${quote(given)} resolves outside the allowed folders (${rootsList(roots)}), ` +
      "directly, through '..' or through a symbolic link. Copy the file into an allowed folder or send it as content_base64.",
  );
}

/**
 * Whether a path that cannot be resolved would lie inside the roots: its nearest ancestor that
 * resolves must. Otherwise the failure says nothing about what exists outside.
 */
async function unresolvableIsInside(lexical: string, roots: readonly AllowedRoot[]): Promise<boolean> {
  let ancestor = path.dirname(lexical);
  for (;;) {
    try {
      return insideSomeRoot(roots, await realpath(ancestor));
    } catch {
      const parent = path.dirname(ancestor);
      if (parent === ancestor) return false;
      ancestor = parent;
    }
  }
}

/** The kernel's path of an open descriptor, where the system shows it (/proc/self/fd). */
async function descriptorPath(handle: FileHandle): Promise<string | undefined> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return undefined;
  }
}

/** Whether `candidate` (a path with no link in it, or so it seemed) names the descriptor's file. */
async function namesSameFile(candidate: string, opened: Stats): Promise<boolean> {
  try {
    const atPath = await stat(candidate);
    return atPath.dev === opened.dev && atPath.ino === opened.ino;
  } catch {
    return false;
  }
}

/** Step 3 of the module comment: the descriptor, not the path, must be inside a root. */
async function descriptorIsInside(
  handle: FileHandle,
  opened: Stats,
  real: string,
  roots: readonly AllowedRoot[],
): Promise<boolean> {
  const kernelPath = await descriptorPath(handle);
  if (kernelPath !== undefined) {
    return path.isAbsolute(kernelPath) && insideSomeRoot(roots, kernelPath) && (await namesSameFile(kernelPath, opened));
  }
  let again: string;
  try {
    again = await realpath(real);
  } catch {
    return false;
  }
  return insideSomeRoot(roots, again) && (await namesSameFile(again, opened));
}

/**
 * Opens `filePath` (absolute) for reading if, and only if, the opened file is a regular file
 * with one link inside the roots. `given` is the caller's text, for messages. Throws a
 * MediaInputError naming file_path otherwise.
 */
export async function openConfined(given: string, filePath: string, roots: readonly AllowedRoot[]): Promise<ConfinedFile> {
  const outside = (): MediaInputError => outsideError(given, roots);
  // The lexical check comes first so nothing outside the roots is even looked at.
  const lexical = path.resolve(filePath);
  if (!roots.some((root) => isInside(root.lexical, lexical) || isInside(root.real, lexical))) {
    throw outside();
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    if (await unresolvableIsInside(lexical, roots)) throw fileAccessError(given, error);
    throw outside();
  }
  if (!insideSomeRoot(roots, real)) throw outside();

  // Refuse non-files before opening: opening a device can have effects.
  let before: Stats;
  try {
    before = await stat(real);
  } catch (error) {
    throw fileAccessError(given, error);
  }
  if (!before.isFile()) {
    throw new MediaInputError("file_path", `file_path ${quote(given)} is ${kindOfNonFile(before)}.`);
  }

  let handle: FileHandle;
  try {
    handle = await open(real, READ_FLAGS);
  } catch (error) {
    throw fileAccessError(given, error);
  }
  try {
    const stats = await handle.stat();
    if (!(await descriptorIsInside(handle, stats, real, roots))) throw outside();
    if (!stats.isFile()) {
      throw new MediaInputError("file_path", `file_path ${quote(given)} is ${kindOfNonFile(stats)}.`);
    }
    if (stats.nlink > 1) {
      throw new MediaInputError(
        "file_path",
        `file_path ${quote(given)} has ${stats.nlink} hard links; a hard link can make a file from outside the allowed folders appear inside them, so it is not read. ` +
          "Upload a copy of the file (not a link), or send it as content_base64.",
      );
    }
    return { handle, stats, real };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
