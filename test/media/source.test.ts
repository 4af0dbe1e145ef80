import { execFileSync } from "node:child_process";
import { constants as fsConstants, accessSync, existsSync } from "node:fs";
import { chmod, link, mkdir, mkdtemp, rm, symlink, truncate, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDIA_CONTENT_TYPES, type MediaContentType } from "../../src/contract.js";
import { MediaInputError } from "../../src/media/errors.js";
import {
  contentTypeForExtension,
  prepareUpload,
  sniffContentType,
  type UploadInput,
} from "../../src/media/source.js";
import { ELF_HEADER, SAMPLES, readAll } from "./fixtures.js";

let base: string;
let root: string;
let outside: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "lp-media-source-"));
  root = path.join(base, "root");
  outside = path.join(base, "outside");
  await mkdir(root);
  await mkdir(outside);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function fileIn(folder: string, name: string, bytes: Uint8Array, size?: number): Promise<string> {
  const filePath = path.join(folder, name);
  await writeFile(filePath, bytes);
  if (size !== undefined) await truncate(filePath, size);
  return filePath;
}

/** Runs prepareUpload expecting a refusal; returns it for assertions. */
async function refusal(input: unknown, roots: readonly string[] = [root]): Promise<MediaInputError> {
  try {
    await prepareUpload(input as UploadInput, roots);
  } catch (error) {
    expect(error).toBeInstanceOf(MediaInputError);
    return error as MediaInputError;
  }
  throw new Error("expected prepareUpload to refuse");
}

describe("sniffContentType and contentTypeForExtension", () => {
  it.each(MEDIA_CONTENT_TYPES)("recognises %s by its magic bytes", (type) => {
    expect(sniffContentType(SAMPLES[type].bytes.subarray(0, 16))).toBe(type);
  });

  it("recognises nothing else", () => {
    expect(sniffContentType(ELF_HEADER)).toBeUndefined();
    expect(sniffContentType(Buffer.from("RIFF\0\0\0\0WAVEfmt "))).toBeUndefined();
    expect(sniffContentType(Buffer.from("GIF88a"))).toBeUndefined();
    expect(sniffContentType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
    expect(sniffContentType(new Uint8Array())).toBeUndefined();
  });

  it("maps extensions case-insensitively and knows only the five types", () => {
    expect(contentTypeForExtension("A.JPEG")).toBe("image/jpeg");
    expect(contentTypeForExtension("a.jpg")).toBe("image/jpeg");
    expect(contentTypeForExtension("a.Png")).toBe("image/png");
    expect(contentTypeForExtension("a.pdf")).toBe("application/pdf");
    expect(contentTypeForExtension("a.exe")).toBeUndefined();
    expect(contentTypeForExtension("README")).toBeUndefined();
    expect(contentTypeForExtension("a.constructor")).toBeUndefined();
  });
});

describe("prepareUpload from a file", () => {
  it.each(MEDIA_CONTENT_TYPES)("accepts %s and streams its exact bytes", async (type: MediaContentType) => {
    const { bytes, fileName } = SAMPLES[type];
    const filePath = await fileIn(root, fileName, bytes);
    const prepared = await prepareUpload({ file_path: filePath }, [root]);
    expect(prepared.contentType).toBe(type);
    expect(prepared.size).toBe(bytes.length);
    expect(prepared.fileName).toBe(fileName);
    expect(await readAll(prepared.open())).toEqual(bytes);
    // Each call is a fresh stream of the same bytes (the retry relies on it).
    expect(await readAll(prepared.open())).toEqual(bytes);
  });

  it("accepts a declared content_type that matches, in any case", async () => {
    const filePath = await fileIn(root, "declared.png", SAMPLES["image/png"].bytes);
    const prepared = await prepareUpload({ file_path: filePath, content_type: "Image/PNG" }, [root]);
    expect(prepared.contentType).toBe("image/png");
  });

  it("accepts valid magic under an unknown or missing extension", async () => {
    const unknown = await fileIn(root, "blob.bin", SAMPLES["image/png"].bytes);
    const bare = await fileIn(root, "scan", SAMPLES["application/pdf"].bytes);
    expect((await prepareUpload({ file_path: unknown }, [root])).contentType).toBe("image/png");
    expect((await prepareUpload({ file_path: bare }, [root])).contentType).toBe("application/pdf");
  });

  it("refuses a renamed ELF executable called evil.png", async () => {
    const filePath = await fileIn(root, "evil.png", Buffer.concat([ELF_HEADER, Buffer.alloc(4096)]));
    const error = await refusal({ file_path: filePath });
    expect(error.field).toBe("file_path");
    expect(error.message).toContain("ELF executable");
    expect(error.message).toContain("image/jpeg, image/png, image/gif, image/webp, application/pdf");
  });

  it("names other lookalikes: ZIP, plain text, a Windows executable", async () => {
    const zip = await fileIn(root, "deck.pdf", Buffer.from("PK\x03\x04\x14\0\0\0\b\0", "latin1"));
    const text = await fileIn(root, "notes.png", Buffer.from("hello, this is just text\n"));
    const exe = await fileIn(root, "setup.jpg", Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]));
    expect((await refusal({ file_path: zip })).message).toContain("ZIP archive");
    expect((await refusal({ file_path: text })).message).toContain("plain text");
    expect((await refusal({ file_path: exe })).message).toContain("Windows executable");
  });

  it("refuses an empty file", async () => {
    const filePath = await fileIn(root, "empty.png", new Uint8Array());
    const error = await refusal({ file_path: filePath });
    expect(error.field).toBe("file_path");
    expect(error.message).toContain("empty");
  });

  describe("size limits, exact to the byte", () => {
    it("accepts an image of 5,242,880 bytes and refuses 5,242,881", async () => {
      const atLimit = await fileIn(root, "at.png", SAMPLES["image/png"].bytes, 5_242_880);
      const over = await fileIn(root, "over.png", SAMPLES["image/png"].bytes, 5_242_881);
      const prepared = await prepareUpload({ file_path: atLimit }, [root]);
      expect(prepared.size).toBe(5_242_880);
      expect((await readAll(prepared.open())).length).toBe(5_242_880);
      const error = await refusal({ file_path: over });
      expect(error.field).toBe("file_path");
      expect(error.message).toContain("5,242,881 bytes");
      expect(error.message).toContain("at most 5,242,880 bytes");
    });

    it("applies the image limit to every image type", async () => {
      const gif = await fileIn(root, "over.gif", SAMPLES["image/gif"].bytes, 5_242_881);
      const webp = await fileIn(root, "ok.webp", SAMPLES["image/webp"].bytes, 5_242_880);
      expect((await refusal({ file_path: gif })).message).toContain("at most 5,242,880 bytes");
      expect((await prepareUpload({ file_path: webp }, [root])).size).toBe(5_242_880);
    });

    it("accepts a PDF of 15,728,640 bytes and refuses 15,728,641", async () => {
      const atLimit = await fileIn(root, "at.pdf", SAMPLES["application/pdf"].bytes, 15_728_640);
      const over = await fileIn(root, "over.pdf", SAMPLES["application/pdf"].bytes, 15_728_641);
      expect((await prepareUpload({ file_path: atLimit }, [root])).size).toBe(15_728_640);
      const error = await refusal({ file_path: over });
      expect(error.message).toContain("15,728,641 bytes");
      expect(error.message).toContain("at most 15,728,640 bytes");
    });
  });

  describe("where the file may be", () => {
    it("refuses file_path when no folder is allowed, and says how to allow one", async () => {
      const filePath = await fileIn(root, "no-roots.png", SAMPLES["image/png"].bytes);
      const error = await refusal({ file_path: filePath }, []);
      expect(error.field).toBe("file_path");
      expect(error.message).toContain("root");
      expect(error.message).toContain("LEADPANTHER_UPLOAD_ROOTS");
      expect(error.message).toContain(`separated by "${path.delimiter}"`);
      expect(error.message).toContain("content_base64");
    });

    it("refuses when no allowed folder exists", async () => {
      const filePath = await fileIn(root, "gone-root.png", SAMPLES["image/png"].bytes);
      const error = await refusal({ file_path: filePath }, [path.join(base, "nope"), "relative/dir"]);
      expect(error.message).toContain("none of the allowed folders");
    });

    it("refuses a relative path and names the allowed folders", async () => {
      await fileIn(root, "rel.png", SAMPLES["image/png"].bytes);
      const error = await refusal({ file_path: "rel.png" });
      expect(error.field).toBe("file_path");
      expect(error.message).toContain("relative");
      expect(error.message).toContain("absolute path");
      expect(error.message).toContain(JSON.stringify(root));
    });

    it("refuses a file outside the roots", async () => {
      const filePath = await fileIn(outside, "secret.png", SAMPLES["image/png"].bytes);
      expect((await refusal({ file_path: filePath })).message).toContain("resolves outside the allowed folders");
    });

    it("refuses a '..' path that leads outside, accepts one that stays inside", async () => {
      await fileIn(outside, "dotdot.png", SAMPLES["image/png"].bytes);
      const escaping = `${root}${path.sep}..${path.sep}outside${path.sep}dotdot.png`;
      expect((await refusal({ file_path: escaping })).message).toContain("resolves outside the allowed folders");

      await mkdir(path.join(root, "sub"), { recursive: true });
      const inside = await fileIn(root, "inside.png", SAMPLES["image/png"].bytes);
      const viaDotDot = path.join(root, "sub") + `${path.sep}..${path.sep}inside.png`;
      expect((await prepareUpload({ file_path: viaDotDot }, [root])).fileName).toBe(path.basename(inside));
    });

    it("refuses a '..' path to a missing file outside without saying whether it exists", async () => {
      const escaping = `${root}${path.sep}..${path.sep}outside${path.sep}no-such.png`;
      expect((await refusal({ file_path: escaping })).message).toContain("resolves outside");
    });

    it("refuses a symlink inside the root that points to a file outside", async () => {
      const target = await fileIn(outside, "linked.png", SAMPLES["image/png"].bytes);
      const link = path.join(root, "innocent.png");
      await symlink(target, link);
      const error = await refusal({ file_path: link });
      expect(error.message).toContain("resolves outside the allowed folders");
      expect(error.message).toContain("symbolic link");
    });

    it("refuses a symlink to a folder, inside or outside the root", async () => {
      await mkdir(path.join(root, "real-dir"), { recursive: true });
      const insideLink = path.join(root, "dir-link");
      const outsideLink = path.join(root, "out-link");
      await symlink(path.join(root, "real-dir"), insideLink);
      await symlink(outside, outsideLink);
      expect((await refusal({ file_path: insideLink })).message).toContain("is a folder");
      expect((await refusal({ file_path: outsideLink })).message).toContain("resolves outside");
    });

    it("accepts a file:// URL (the form MCP roots take) and holds it to the same folders", async () => {
      const target = await fileIn(root, "as url.gif", SAMPLES["image/gif"].bytes);
      expect((await prepareUpload({ file_path: pathToFileURL(target).href }, [root])).contentType).toBe("image/gif");
      const elsewhere = await fileIn(outside, "elsewhere.gif", SAMPLES["image/gif"].bytes);
      expect((await refusal({ file_path: pathToFileURL(elsewhere).href })).message).toContain("resolves outside");
    });

    it("accepts a symlink that stays inside the root, and a root that is itself a symlink", async () => {
      const target = await fileIn(root, "target.gif", SAMPLES["image/gif"].bytes);
      const link = path.join(root, "alias.gif");
      await symlink(target, link);
      expect((await prepareUpload({ file_path: link }, [root])).contentType).toBe("image/gif");

      const rootLink = path.join(base, "root-link");
      await symlink(root, rootLink);
      const viaLinkedRoot = path.join(rootLink, "target.gif");
      expect((await prepareUpload({ file_path: viaLinkedRoot }, [rootLink])).size).toBe(SAMPLES["image/gif"].bytes.length);
      expect((await prepareUpload({ file_path: target }, [rootLink])).size).toBe(SAMPLES["image/gif"].bytes.length);
    });

    it("refuses a folder", async () => {
      const error = await refusal({ file_path: root });
      expect(error.message).toContain("is a folder, not a file");
    });

    it("refuses a device (/dev/null) even inside an allowed folder", async () => {
      expect((await refusal({ file_path: "/dev/null" })).message).toContain("resolves outside");
      const error = await refusal({ file_path: "/dev/null" }, ["/dev"]);
      expect(error.message).toContain("a device, not a regular file");
    });

    it.skipIf(process.platform === "win32")("refuses a named pipe without blocking on it", async () => {
      const fifo = path.join(root, "pipe.png");
      execFileSync("mkfifo", [fifo]);
      const error = await refusal({ file_path: fifo });
      expect(error.message).toContain("named pipe");
    });

    it("refuses a missing file", async () => {
      const error = await refusal({ file_path: path.join(root, "missing.png") });
      expect(error.message).toContain("does not exist");
    });

    // Root reads mode-000 files regardless, and these tests run as root here. The kernel still
    // refuses root a read of a write-only sysctl file (a regular file, mode 0200), which gives the
    // same EACCES from open(); elsewhere a mode-000 file does.
    const unreadable = ((): { file: string; root: string } | undefined => {
      if (process.platform === "win32") return undefined;
      if (process.getuid?.() !== 0) return { file: "", root: "" };
      const candidate = "/proc/sys/vm/drop_caches";
      try {
        accessSync(candidate, fsConstants.R_OK);
        return undefined;
      } catch {
        return existsSync(candidate) ? { file: candidate, root: path.dirname(candidate) } : undefined;
      }
    })();

    it.skipIf(unreadable === undefined)("refuses a file it may not read", async () => {
      let file = unreadable?.file ?? "";
      let allowed = unreadable?.root ?? "";
      if (file === "") {
        file = await fileIn(root, "locked.png", SAMPLES["image/png"].bytes);
        await chmod(file, 0o000);
        allowed = root;
      }
      const error = await refusal({ file_path: file }, [allowed]);
      expect(error.field).toBe("file_path");
      expect(error.message).toContain("permission denied");
    });

    it("refuses a file with a second hard link (it may be a file from outside), accepts it once the link is gone", async () => {
      const original = await fileIn(outside, "linked-hard.png", SAMPLES["image/png"].bytes);
      const inside = path.join(root, "hard.png");
      await link(original, inside);
      const error = await refusal({ file_path: inside });
      expect(error.field).toBe("file_path");
      expect(error.message).toBe(
        `file_path ${JSON.stringify(inside)} has 2 hard links; a hard link can make a file from outside the allowed folders appear inside them, so it is not read. ` +
          "Upload a copy of the file (not a link), or send it as content_base64.",
      );
      await rm(original);
      expect((await prepareUpload({ file_path: inside }, [root])).size).toBe(SAMPLES["image/png"].bytes.length);
    });

    it("says the same for a path outside whether or not it exists there, also through a linked folder", async () => {
      await fileIn(outside, "exists.png", SAMPLES["image/png"].bytes);
      const linkedFolder = path.join(root, "linked-out");
      await symlink(outside, linkedFolder);
      const message = async (file: string): Promise<string> =>
        (await refusal({ file_path: file })).message.replace(JSON.stringify(file), "<path>");
      const existing = await message(path.join(linkedFolder, "exists.png"));
      expect(existing).toContain("resolves outside the allowed folders");
      expect(await message(path.join(linkedFolder, "missing.png"))).toBe(existing);
      expect(await message(path.join(linkedFolder, "no-dir", "missing.png"))).toBe(existing);
      expect(await message(path.join(outside, "exists.png"))).toBe(existing);
      expect(await message(path.join(outside, "missing.png"))).toBe(existing);
      // Inside the roots, a missing file is named as such.
      expect((await refusal({ file_path: path.join(root, "missing-inside.png") })).message).toContain("does not exist");
    });

    it.skipIf(process.platform !== "linux")("refuses /proc targets reached through a link inside the root", async () => {
      const procLink = path.join(root, "proc-self");
      await symlink("/proc/self", procLink);
      for (const target of ["environ", "cmdline", "fd/0", "root/etc/hostname"]) {
        expect((await refusal({ file_path: path.join(procLink, target) })).message).toContain("resolves outside the allowed folders");
      }
      const environLink = path.join(root, "environ.png");
      await symlink("/proc/self/environ", environLink);
      expect((await refusal({ file_path: environLink })).message).toContain("resolves outside the allowed folders");
    });
  });

  it("refuses a file_name that disagrees with the content, by name", async () => {
    const filePath = await fileIn(root, "really-a-pdf.png", SAMPLES["application/pdf"].bytes);
    const error = await refusal({ file_path: filePath });
    expect(error.field).toBe("file_path");
    expect(error.message).toContain("says image/png but the content is application/pdf");
  });

  it("refuses a content_type that disagrees with the content, by name", async () => {
    const filePath = await fileIn(root, "report.pdf", SAMPLES["application/pdf"].bytes);
    const error = await refusal({ file_path: filePath, content_type: "image/png" });
    expect(error.field).toBe("content_type");
    expect(error.message).toBe(
      "content_type says image/png but the content is application/pdf. Leave content_type out (it is read from the content), or upload the file you meant.",
    );
  });

  it("refuses a content_type that is not one of the five", async () => {
    const filePath = await fileIn(root, "typed.png", SAMPLES["image/png"].bytes);
    const error = await refusal({ file_path: filePath, content_type: "image/svg+xml" });
    expect(error.field).toBe("content_type");
    expect(error.message).toContain("not allowed");
  });

  it("fails the stream when the file changes after it was checked", async () => {
    const filePath = await fileIn(root, "changing.png", SAMPLES["image/png"].bytes);
    const prepared = await prepareUpload({ file_path: filePath }, [root]);
    await writeFile(filePath, Buffer.concat([SAMPLES["image/png"].bytes, Buffer.from("more")]));
    await utimes(filePath, new Date(), new Date(Date.now() + 5000));
    await expect(readAll(prepared.open())).rejects.toThrow(/changed after it was checked/);
  });
});

describe("prepareUpload from base64", () => {
  const png = SAMPLES["image/png"].bytes;

  it("accepts base64 broken into lines, and streams the decoded bytes", async () => {
    const wrapped = png.toString("base64").replace(/.{1,20}/g, "$&\r\n");
    const prepared = await prepareUpload({ content_base64: `  ${wrapped}\n`, file_name: "pixel.png" }, []);
    expect(prepared).toMatchObject({ fileName: "pixel.png", contentType: "image/png", size: png.length });
    expect(await readAll(prepared.open())).toEqual(png);
  });

  it("accepts the URL-safe alphabet, with or without padding", async () => {
    // Bytes chosen so the standard encoding has both '+' and '/', and padding.
    const bytes = Buffer.concat([png, Buffer.from([0xfb, 0xef, 0xff, 0xfe])]);
    const standard = bytes.toString("base64");
    expect(standard).toMatch(/[+/]/);
    expect(standard).toMatch(/=$/);
    const urlSafe = bytes.toString("base64url");
    for (const text of [urlSafe, `${urlSafe}=`, standard, standard.replace(/=+$/, "")]) {
      const prepared = await prepareUpload({ content_base64: text, file_name: "x.png" }, []);
      expect(await readAll(prepared.open())).toEqual(bytes);
    }
  });

  it.each([
    ["an invalid character", "iVBORw0KGgo!AAAA", "'!' at offset 11 is not a base64 character"],
    ["a data: URL prefix", `data:image/png;base64,${png.toString("base64")}`, '"data:" URL prefix'],
    ["mixed alphabets", "ab+/cd-_", "mixes the standard"],
    ["text after padding", "iVBO=RSw", "'=' padding may appear only at the end"],
    ["too much padding", "iV===", "more than two '='"],
    ["wrong padding", "iVBORw=", "wrong number of '='"],
    ["an impossible length", "iVBOR", "impossible for base64"],
    ["only padding", "==", "only '=' padding"],
    ["a non-ASCII character", "iVBORw0KGgo\u00e9", "U+00E9 at offset 11"],
  ])("refuses %s", async (_label, text, reason) => {
    const error = await refusal({ content_base64: text, file_name: "x.png" }, []);
    expect(error.field).toBe("content_base64");
    expect(error.message).toContain("content_base64 is not valid base64: ");
    expect(error.message).toContain(reason);
  });

  it("refuses empty and whitespace-only content", async () => {
    for (const text of ["", " \n\t "]) {
      const error = await refusal({ content_base64: text, file_name: "x.png" }, []);
      expect(error.field).toBe("content_base64");
      expect(error.message).toContain("empty");
    }
  });

  it("refuses obviously oversized base64 before decoding it", async () => {
    const huge = "A".repeat(22_000_000);
    const started = process.hrtime.bigint();
    const error = await refusal({ content_base64: huge, file_name: "big.pdf" }, []);
    expect(error.message).toContain("largest upload allowed");
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });

  it("applies the exact image limit to decoded base64", async () => {
    const atLimit = Buffer.alloc(5_242_880);
    png.copy(atLimit);
    const over = Buffer.alloc(5_242_881);
    png.copy(over);
    expect((await prepareUpload({ content_base64: atLimit.toString("base64"), file_name: "a.png" }, [])).size).toBe(5_242_880);
    const error = await refusal({ content_base64: over.toString("base64"), file_name: "a.png" }, []);
    expect(error.message).toContain("at most 5,242,880 bytes");
  });

  it("accepts an image named as another image type, sends the content's type, and says so", async () => {
    const prepared = await prepareUpload({ content_base64: png.toString("base64"), file_name: "photo.jpg" }, []);
    expect(prepared.contentType).toBe("image/png");
    expect(prepared.fileName).toBe("photo.png");
    expect(prepared.nameNote).toBe("file_name says image/jpeg, but the content is image/png: it was uploaded as image/png, named photo.png.");
    const matching = await prepareUpload({ content_base64: png.toString("base64"), file_name: "photo.png" }, []);
    expect(matching.nameNote).toBeUndefined();
  });

  it("refuses a file_name whose extension disagrees with the content", async () => {
    const error = await refusal({ content_base64: SAMPLES["application/pdf"].bytes.toString("base64"), file_name: "chart.png" }, []);
    expect(error.field).toBe("file_name");
    expect(error.message).toContain("file_name says image/png but the content is application/pdf");
  });

  it("refuses a content_type that disagrees with the content", async () => {
    const error = await refusal({ content_base64: png.toString("base64"), file_name: "a.png", content_type: "image/webp" }, []);
    expect(error.field).toBe("content_type");
    expect(error.message).toContain("content_type says image/webp but the content is image/png");
  });

  it("refuses a renamed executable sent as base64", async () => {
    const error = await refusal({ content_base64: ELF_HEADER.toString("base64"), file_name: "evil.png" }, []);
    expect(error.message).toContain("ELF executable");
  });

  it.each([
    [undefined, "file_name is required"],
    ["", "non-empty"],
    ["dir/a.png", "path separator"],
    ["..\\a.png", "path separator"],
    ["..", "must be a file name"],
    ["a\nb.png", "control characters"],
    ["a\u202Eb.png", "control characters or characters that hide or reorder text"],
    ["a\u200Bb.png", "control characters or characters that hide or reorder text"],
    ["a\uE000b.png", "control characters or characters that hide or reorder text"],
    ["a\u2800b.png", "control characters or characters that hide or reorder text"],
    [`${"a".repeat(252)}.png`, "at most 255"],
  ])("refuses file_name %j", async (fileName, reason) => {
    const error = await refusal({ content_base64: png.toString("base64"), file_name: fileName }, []);
    expect(error.field).toBe("file_name");
    expect(error.message).toContain(reason);
  });

  it("accepts a 255-character file_name", async () => {
    const fileName = `${"a".repeat(251)}.png`;
    expect((await prepareUpload({ content_base64: png.toString("base64"), file_name: fileName }, [])).fileName).toBe(fileName);
  });
});

describe("prepareUpload input shape", () => {
  it("needs exactly one source", async () => {
    expect((await refusal({ content_type: "image/png" })).message).toContain("Give file_path");
    const both = await refusal({ file_path: path.join(root, "x.png"), content_base64: "AAAA", file_name: "x.png" });
    expect(both.message).toContain("not both");
  });

  it("refuses file_name together with file_path", async () => {
    const filePath = await fileIn(root, "named.png", SAMPLES["image/png"].bytes);
    const error = await refusal({ file_path: filePath, file_name: "other.png" });
    expect(error.field).toBe("file_name");
  });
});
