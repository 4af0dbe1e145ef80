import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { MediaInputError } from "../../src/media/errors.js";
import { prepareUpload } from "../../src/media/source.js";
import { readAll, SAMPLES } from "./fixtures.js";

/**
 * A directory on the way to the file is swapped for a symbolic link to a folder outside the
 * roots, and back, as fast as another process can: no upload may ever carry the outside file.
 */
test("a directory swapped for a symlink while uploading never lets a file outside the roots through", async () => {
  const base = await mkdtemp(join(tmpdir(), "lp-race-"));
  const root = join(base, "root");
  const outside = join(base, "outside");
  await mkdir(join(root, "dir"), { recursive: true });
  await mkdir(join(outside, "dir"), { recursive: true });
  const inside = SAMPLES["image/png"].bytes;
  const secret = Buffer.concat([inside.subarray(0, 16), Buffer.from("OUTSIDE-SECRET-BYTES")]);
  await writeFile(join(root, "dir", "pic.png"), inside);
  await writeFile(join(outside, "dir", "pic.png"), secret);

  // Another process swaps root/dir <-> a symlink to outside/dir until told to stop.
  const swapper = spawn(
    process.execPath,
    [
      "-e",
      `const fs = require("node:fs");
       const [dir, real, target] = process.argv.slice(1);
       const end = Date.now() + 20000;
       while (Date.now() < end) {
         try { fs.renameSync(dir, real); fs.symlinkSync(target, dir); fs.unlinkSync(dir); fs.renameSync(real, dir); } catch {}
       }`,
      join(root, "dir"),
      join(root, "dir.real"),
      join(outside, "dir"),
    ],
    { stdio: "ignore" },
  );
  let accepted = 0;
  let refused = 0;
  try {
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      try {
        const prepared = await prepareUpload({ file_path: join(root, "dir", "pic.png") }, [root]);
        const bytes = await readAll(prepared.open());
        expect(bytes.includes(Buffer.from("OUTSIDE-SECRET-BYTES"))).toBe(false);
        accepted += 1;
      } catch (error) {
        if (!(error instanceof MediaInputError)) throw error;
        refused += 1;
      }
    }
  } finally {
    swapper.kill();
    await rm(base, { recursive: true, force: true });
  }
  // The race was really run: many attempts, some refused while the link was in place.
  expect(accepted + refused).toBeGreaterThan(100);
  expect(refused).toBeGreaterThan(0);
}, 30_000);
