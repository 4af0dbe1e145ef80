import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { MediaInputError } from "../../src/media/errors.js";
import { prepareUpload } from "../../src/media/source.js";
import { readAll, SAMPLES } from "./fixtures.js";

/**
 * A directory on the way to the file is swapped for a symbolic link to a folder outside the
 * roots, and back, as fast as another process can, while the upload source prepares and reads
 * root/dir/secret.png over and over: no upload may ever carry a byte from outside.
 *
 * The swap is one atomic renameat2(RENAME_EXCHANGE) through python3's ctypes where that
 * exists (Linux), which keeps the window open far more often than two renames can; elsewhere
 * it is two renames and a symlink in node.
 */

const INSIDE = Buffer.concat([SAMPLES["image/png"].bytes, Buffer.from("INSIDE-MARKER-BYTES")]);
const OUTSIDE_MARKER = Buffer.from("OUTSIDE-SECRET-BYTES");
const OUTSIDE = Buffer.concat([SAMPLES["image/png"].bytes.subarray(0, 16), OUTSIDE_MARKER]);

const hasRenameExchange =
  process.platform === "linux" &&
  spawnSync("python3", ["-c", "import ctypes; ctypes.CDLL(None).renameat2"], { stdio: "ignore" }).status === 0;

const EXCHANGE_SWAPPER = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b = (p.encode() for p in sys.argv[1:3])
end = time.time() + float(sys.argv[3])
print("swapping", flush=True)
while time.time() < end:
    libc.renameat2(-100, a, -100, b, 2)
`;

const RENAME_SWAPPER = `
const fs = require("node:fs");
const [dir, link, seconds] = process.argv.slice(1);
const parked = dir + ".parked";
const end = Date.now() + Number(seconds) * 1000;
process.stdout.write("swapping\n");
while (Date.now() < end) {
  try { fs.renameSync(dir, parked); fs.renameSync(link, dir); fs.renameSync(dir, link); fs.renameSync(parked, dir); } catch {}
}`;

/**
 * Swaps `dir` (a folder) and `link` (a symlink) until killed or `seconds` pass; resolves once
 * the swapping has begun (a slow start would otherwise let the attempts run unraced).
 */
async function startSwapper(dir: string, link: string, seconds: number): Promise<ChildProcess> {
  const stdio: ["ignore", "pipe", "ignore"] = ["ignore", "pipe", "ignore"];
  const swapper = hasRenameExchange
    ? spawn("python3", ["-c", EXCHANGE_SWAPPER, dir, link, String(seconds)], { stdio })
    : spawn(process.execPath, ["-e", RENAME_SWAPPER, dir, link, String(seconds)], { stdio });
  cleanups.unshift(async () => void swapper.kill());
  await new Promise<void>((resolve, reject) => {
    swapper.stdout.once("data", () => resolve());
    swapper.once("exit", () => reject(new Error("the swapper exited before swapping")));
  });
  return swapper;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function raceSetup(linkTarget: (base: string) => Promise<string>): Promise<{ root: string; dir: string; link: string }> {
  const base = await mkdtemp(join(tmpdir(), "lp-race-"));
  cleanups.push(() => rm(base, { recursive: true, force: true }));
  const root = join(base, "root");
  await mkdir(join(root, "dir"), { recursive: true });
  const link = join(root, "swap");
  await symlink(await linkTarget(base), link);
  return { root, dir: join(root, "dir"), link };
}

/**
 * The refusals a race may cause. Any other (empty content, not an allowed type…) means that a
 * file other than the inside one was opened and read.
 */
const RACE_REFUSAL = /resolves outside the allowed folders|changed after it was checked|does not exist|symbolic link that loops or was replaced/;

/**
 * Prepares and reads `file` until `attempts` are done or `seconds` pass. `foreign` counts
 * uploads that were not exactly `expected` and refusals that judged another file's content.
 */
async function hammer(file: string, root: string, expected: Buffer, attempts: number, seconds: number): Promise<{ accepted: number; refused: number; foreign: number }> {
  let accepted = 0;
  let refused = 0;
  let foreign = 0;
  const deadline = Date.now() + seconds * 1000;
  while (accepted + refused < attempts && Date.now() < deadline) {
    try {
      const prepared = await prepareUpload({ file_path: file }, [root]);
      const bytes = await readAll(prepared.open());
      if (bytes.equals(expected)) accepted += 1;
      else foreign += 1;
    } catch (error) {
      if (!(error instanceof MediaInputError)) throw error;
      if (RACE_REFUSAL.test(error.message)) refused += 1;
      else foreign += 1;
    }
  }
  return { accepted, refused, foreign };
}

test("a folder swapped with a symlink to an outside folder never lets an outside byte through", async () => {
  const { root, dir, link } = await raceSetup(async (base) => {
    await mkdir(join(base, "outside"), { recursive: true });
    await writeFile(join(base, "outside", "secret.png"), OUTSIDE);
    return join(base, "outside");
  });
  await writeFile(join(dir, "secret.png"), INSIDE);
  await startSwapper(dir, link, 25);
  const { accepted, refused, foreign } = await hammer(join(dir, "secret.png"), root, INSIDE, 4_000, 20);
  expect(foreign).toBe(0);
  // The race was really run: many attempts, some refused while the link was in place.
  expect(accepted + refused).toBeGreaterThan(500);
  expect(refused).toBeGreaterThan(0);
}, 40_000);

test.skipIf(process.platform !== "linux")("a folder swapped with a symlink to /proc/self never opens the server's own process files", async () => {
  const { root, dir, link } = await raceSetup(async () => "/proc/self");
  // A regular file inside, named like the process file the link would lead to.
  await writeFile(join(dir, "environ"), INSIDE);
  await startSwapper(dir, link, 15);
  const { accepted, refused, foreign } = await hammer(join(dir, "environ"), root, INSIDE, 2_000, 10);
  expect(foreign).toBe(0);
  expect(accepted + refused).toBeGreaterThan(300);
  expect(refused).toBeGreaterThan(0);
}, 30_000);
