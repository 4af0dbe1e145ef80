// Sandbox benchmark (issue 2). Targets, on loopback:
//
//   start-up:  startSandbox() → listening, median of 20      < 300 ms
//   latency:   GET /posts?limit=100 (directAll key), median   <   2 ms   (p95 reported)
//
// The requests go one at a time over a keep-alive undici Agent, after a warm-up, so the
// figure is the sandbox's per-request cost plus loopback HTTP — not a throughput test.
// Runs against the BUILT sandbox: `npx tsc -p tsconfig.build.json && node bench/sandbox-bench.mjs`
// (or `npm run bench`). Exits 1 when a target is missed.
import { Agent, request } from "undici";

const STARTS = Number(process.env.BENCH_STARTS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const TARGET_START_MS = 300;
const TARGET_MEDIAN_MS = 2;

function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

const elapsedMs = (started) => Number(process.hrtime.bigint() - started) / 1e6;

const importStarted = process.hrtime.bigint();
const { DEMO, startSandbox } = await import("../dist/sandbox/index.js");
const importMs = elapsedMs(importStarted);

// Start-up: each start builds the whole seed and binds a fresh ephemeral port.
const starts = [];
for (let run = 0; run < STARTS; run++) {
  const started = process.hrtime.bigint();
  const sandbox = await startSandbox();
  starts.push(elapsedMs(started));
  await sandbox.close();
}

// Latency of the largest list page.
const sandbox = await startSandbox();
const agent = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
const url = `${sandbox.baseUrl}/posts?limit=100`;
const headers = { authorization: `Bearer ${DEMO.keys.directAll}` };
let bytes = 0;
async function once() {
  const response = await request(url, { headers, dispatcher: agent });
  const body = await response.body.arrayBuffer();
  if (response.statusCode !== 200) throw new Error(`GET /posts answered ${response.statusCode}`);
  bytes = body.byteLength;
}
for (let run = 0; run < WARMUP; run++) await once();
const latencies = [];
for (let run = 0; run < REQUESTS; run++) {
  const started = process.hrtime.bigint();
  await once();
  latencies.push(elapsedMs(started));
}
await agent.close();
await sandbox.close();

const startMedian = percentile(starts, 0.5);
const latencyMedian = percentile(latencies, 0.5);
const rows = [
  ["module import (once)", `${importMs.toFixed(1)} ms`, "", ""],
  [`startSandbox() median of ${STARTS}`, `${startMedian.toFixed(1)} ms`, `< ${TARGET_START_MS} ms`, startMedian < TARGET_START_MS ? "ok" : "MISSED"],
  [`startSandbox() max of ${STARTS}`, `${Math.max(...starts).toFixed(1)} ms`, "", ""],
  [`GET /posts?limit=100 median (n=${REQUESTS})`, `${latencyMedian.toFixed(3)} ms`, `< ${TARGET_MEDIAN_MS} ms`, latencyMedian < TARGET_MEDIAN_MS ? "ok" : "MISSED"],
  ["GET /posts?limit=100 p95", `${percentile(latencies, 0.95).toFixed(3)} ms`, "", ""],
  ["GET /posts?limit=100 p99", `${percentile(latencies, 0.99).toFixed(3)} ms`, "", ""],
  ["response size", `${(bytes / 1024).toFixed(1)} KiB`, "", ""],
];
const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column].length), ["measure", "value", "target", ""][column].length));
const line = (row) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
process.stdout.write(`${line(["measure", "value", "target", ""])}\n${widths.map((width) => "-".repeat(width)).join("  ")}\n`);
for (const row of rows) process.stdout.write(`${line(row)}\n`);
process.stdout.write(`node ${process.version}, ${process.platform}/${process.arch}\n`);
process.exit(startMedian < TARGET_START_MS && latencyMedian < TARGET_MEDIAN_MS ? 0 : 1);
