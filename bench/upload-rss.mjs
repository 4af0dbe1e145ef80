#!/usr/bin/env node
/**
 * How much the server's memory grows while it uploads a 15 MB PDF (issue 6: under 40 MB,
 * because the bytes are streamed from disk to the socket, never held whole).
 *
 *   npx tsc -p tsconfig.build.json && node bench/upload-rss.mjs [--uploads N]
 *
 * The sandbox runs in a child process: it keeps every uploaded byte in memory, and that copy
 * is storage's memory, not the server's. This process does what the upload_media tool does —
 * check the file (prepareUpload), ask for a signed URL, PUT the bytes (putToSignedUrl) — and
 * samples its own RSS every 2 ms and at every progress report.
 *
 * Method: one small upload first loads every code path; then the RSS is taken as the
 * baseline (no forced GC: a forced GC shrinks the heap below its working size, and the
 * regrowth would be counted as the upload's); then N uploads (default 3) of the same 15 MB
 * PDF of random bytes, one after another. Reported: the growth of the peak RSS over the
 * baseline for the first upload and across all of them (memory kept per upload would add
 * up), and the growth of ArrayBuffer memory (the file's bytes, if they were held).
 *
 * Output: a summary on stderr, one line of JSON on stdout. Exit code 1 if any peak growth is
 * 40 MB or more, or storage did not receive exactly the file's bytes.
 */
import { fork } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MB = 1024 * 1024;
const PDF_BYTES = 15_728_640;
const LIMIT_MB = 40;
const TIMEOUT_MS = 60_000;
const here = fileURLToPath(import.meta.url);

if (process.argv[2] === "--sandbox-child") {
  await runSandboxChild();
} else {
  const index = process.argv.indexOf("--uploads");
  const uploads = index === -1 ? 3 : Number(process.argv[index + 1]);
  if (!Number.isInteger(uploads) || uploads < 1) throw new Error("--uploads takes a positive integer");
  await runBench(uploads);
}

/** The storage side: a sandbox that answers the parent's questions over IPC. */
async function runSandboxChild() {
  const { startSandbox } = await import("../dist/sandbox/index.js");
  const sandbox = await startSandbox();
  process.on("message", async (message) => {
    if (message.type === "stored") {
      const bytes = sandbox.media.get(message.bucket, message.path);
      process.send({
        type: "stored",
        size: bytes?.length,
        sha256: bytes && createHash("sha256").update(bytes).digest("hex"),
      });
    } else if (message.type === "close") {
      await sandbox.close();
      process.exit(0);
    }
  });
  process.send({ type: "ready", baseUrl: sandbox.baseUrl });
}

function ask(child, message) {
  const answer = once(child, "message");
  child.send(message);
  return answer.then(([reply]) => reply);
}

/** A valid-looking PDF of random bytes (a chunk sent twice or overwritten would break the hash). */
async function writePdf(filePath) {
  const out = createWriteStream(filePath);
  const hash = createHash("sha256");
  const header = Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1");
  const trailer = Buffer.from("\n%%EOF\n", "latin1");
  for (let written = 0; written < PDF_BYTES; ) {
    let piece = randomBytes(Math.min(MB, PDF_BYTES - written));
    if (written === 0) header.copy(piece);
    if (written + piece.length === PDF_BYTES) trailer.copy(piece, piece.length - trailer.length);
    hash.update(piece);
    written += piece.length;
    if (!out.write(piece)) await once(out, "drain");
    piece = undefined;
  }
  out.end();
  await once(out, "finish");
  return hash.digest("hex");
}

async function runBench(uploads) {
  const { request } = await import("undici");
  const { prepareUpload } = await import("../dist/media/source.js");
  const { putToSignedUrl } = await import("../dist/media/put.js");
  const { createAgent, timeoutsFrom } = await import("../dist/api/http.js");
  const { DEMO } = await import("../dist/sandbox/index.js");

  const child = fork(here, ["--sandbox-child"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const [ready] = await once(child, "message");
  const dispatcher = createAgent(timeoutsFrom(TIMEOUT_MS));
  const folder = await mkdtemp(path.join(tmpdir(), "lp-upload-rss-"));

  /** What upload_media does, minus the MCP layer. */
  async function upload(filePath, onProgress) {
    const prepared = await prepareUpload({ file_path: filePath }, [folder]);
    const response = await request(`${ready.baseUrl}/media/upload-url`, {
      method: "POST",
      dispatcher,
      headers: { authorization: `Bearer ${DEMO.keys.directAll}`, "content-type": "application/json" },
      body: JSON.stringify({ content_type: prepared.contentType, file_name: prepared.fileName, size: prepared.size }),
    });
    const body = await response.body.json();
    if (response.statusCode !== 200) throw new Error(`upload-url answered HTTP ${response.statusCode}`);
    await putToSignedUrl({
      uploadUrl: body.data.upload_url,
      contentType: prepared.contentType,
      size: prepared.size,
      open: prepared.open,
      dispatcher,
      timeoutMs: TIMEOUT_MS,
      onProgress,
    });
    return { bucket: body.data.bucket, path: body.data.path, size: prepared.size };
  }

  try {
    const pdfPath = path.join(folder, "whitepaper.pdf");
    const expectedSha = await writePdf(pdfPath);
    const warmPath = path.join(folder, "warm.pdf");
    const warm = createWriteStream(warmPath);
    warm.end(Buffer.from("%PDF-1.4\nwarm-up\n%%EOF\n"));
    await once(warm, "finish");
    await upload(warmPath);

    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakArrayBuffers = baseline.arrayBuffers;
    let peakHeapTotal = baseline.heapTotal;
    const sample = () => {
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
      peakHeapTotal = Math.max(peakHeapTotal, usage.heapTotal);
    };
    const sampler = setInterval(sample, 2);
    const runs = [];
    try {
      for (let run = 0; run < uploads; run += 1) {
        const started = performance.now();
        let progressCalls = 0;
        const target = await upload(pdfPath, () => {
          sample();
          progressCalls += 1;
        });
        sample();
        const stored = await ask(child, { type: "stored", bucket: target.bucket, path: target.path });
        runs.push({
          peak_growth_mb: +((peakRss - baseline.rss) / MB).toFixed(1),
          elapsed_ms: Math.round(performance.now() - started),
          progress_calls: progressCalls,
          stored_matches: stored.size === PDF_BYTES && stored.sha256 === expectedSha,
        });
      }
    } finally {
      clearInterval(sampler);
    }

    const first = runs[0];
    const result = {
      file_bytes: PDF_BYTES,
      uploads,
      rss_baseline_mb: +(baseline.rss / MB).toFixed(1),
      first_upload_rss_peak_growth_mb: first.peak_growth_mb,
      all_uploads_rss_peak_growth_mb: +((peakRss - baseline.rss) / MB).toFixed(1),
      rss_growth_after_all_mb: +((process.memoryUsage().rss - baseline.rss) / MB).toFixed(1),
      array_buffers_peak_growth_mb: +((peakArrayBuffers - baseline.arrayBuffers) / MB).toFixed(1),
      js_heap_peak_growth_mb: +((peakHeapTotal - baseline.heapTotal) / MB).toFixed(1),
      limit_mb: LIMIT_MB,
      runs,
      node: process.version,
    };
    const allStored = runs.every((run) => run.stored_matches);
    process.stderr.write(
      `15 MB PDF upload: RSS peak growth ${result.first_upload_rss_peak_growth_mb} MB (first), ` +
        `${result.all_uploads_rss_peak_growth_mb} MB (over ${uploads} uploads), limit ${LIMIT_MB} MB; ` +
        `ArrayBuffers +${result.array_buffers_peak_growth_mb} MB, JS heap +${result.js_heap_peak_growth_mb} MB; ` +
        `${runs.map((run) => `${run.elapsed_ms} ms`).join(", ")}; stored bytes ${allStored ? "match" : "DIFFER"}\n`,
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = result.all_uploads_rss_peak_growth_mb < LIMIT_MB && allStored ? 0 : 1;
  } finally {
    const exited = once(child, "exit");
    child.send({ type: "close" });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    if (child.exitCode === null) child.kill();
    await dispatcher.close();
    await rm(folder, { recursive: true, force: true });
  }
}
