// Packs the Claude Desktop bundle (.mcpb: a zip with manifest.json at its root) from what runs:
// the CLI bundle and its chunks, the app view, the manifest and a package.json that marks the
// bundle as ES modules (Node 20 reads a .js file as CommonJS without one). The CLI needs nothing
// from node_modules, so none is packed: `npm run build && node scripts/mcpb.mjs [out.mcpb]`.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateRawSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));

/** The shipped run-time files under dist/: the same list `files` in package.json names. */
export const SHIPPED_DIST = ["dist/cli.js", "dist/chunks", "dist/app/board.html"];

function filesUnder(path) {
  const full = join(root, path);
  if (!existsSync(full)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true })
    .map((name) => join(path, String(name)))
    .filter((name) => statSync(join(root, name)).isFile())
    .sort();
}

/** Zip entries in order: name inside the archive → bytes. */
export function bundleEntries() {
  const entries = new Map();
  entries.set("manifest.json", readFileSync(join(root, "manifest.json")));
  const runtimePackage = { name: pkg.name, version: pkg.version, type: "module", private: true };
  entries.set("package.json", Buffer.from(`${JSON.stringify(runtimePackage, null, 2)}\n`));
  for (const file of SHIPPED_DIST.flatMap(filesUnder)) entries.set(file.split(sep).join("/"), readFileSync(join(root, file)));
  return entries;
}

// A fixed timestamp (1980-01-01, the zip epoch) keeps the archive byte-identical across builds.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** A zip (PKWARE APPNOTE, deflate, no zip64: the bundle is far below 4 GiB) of the entries. */
export function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, "utf8");
    const compressed = deflateRawSync(data, { level: 9 });
    const checksum = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode below is read
    local.copy(central, 6, 4, 30);
    central.writeUInt32LE(((name === "dist/cli.js" ? 0o100755 : 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.size, 8);
  end.writeUInt16LE(entries.size, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(root, `${manifest.name}-${manifest.version}.mcpb`));
  const archive = zip(bundleEntries());
  writeFileSync(out, archive);
  process.stderr.write(`${relative(process.cwd(), out) || out}: ${archive.length} bytes\n`);
}
