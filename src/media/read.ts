/**
 * The bytes of a checked file, read in chunks from a descriptor that was confined again
 * (roots.ts) and is still the file that was checked: same device, inode, size and
 * modification time. Anything else fails the stream with a MediaInputError.
 */
import type { Stats } from "node:fs";
import { MediaInputError } from "./errors.js";
import type { ConfinedFile } from "./roots.js";

export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export function identityOf(stats: Stats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

function sameIdentity(now: Stats, expected: FileIdentity): boolean {
  return (
    now.dev === expected.dev &&
    now.ino === expected.ino &&
    now.size === expected.size &&
    now.mtimeMs === expected.mtimeMs
  );
}

/**
 * Reads exactly `expected.size` bytes, each chunk into `take()`. `reopen` confines and opens
 * the file again; `changed` is the refusal for a file that is no longer the one checked.
 */
export async function* readCheckedFile(
  reopen: () => Promise<ConfinedFile>,
  expected: FileIdentity,
  changed: () => MediaInputError,
  take: () => Buffer,
): AsyncGenerator<Buffer> {
  let file: ConfinedFile;
  try {
    file = await reopen();
  } catch (error) {
    if (error instanceof MediaInputError) throw changed();
    throw error;
  }
  const { handle, stats } = file;
  try {
    if (!sameIdentity(stats, expected)) throw changed();
    let position = 0;
    while (position < expected.size) {
      const buffer = take();
      const length = Math.min(buffer.length, expected.size - position);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead === 0) throw changed();
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
