// Server benchmark (issue 3). Every figure is a ratio against a floor measured in the same
// run, against the same sandbox, because the machines are shared and noisy.
//
//   per call:  tools/call list_posts(limit 50, detailed) − direct undici GET  ≤  1.3 × the
//              minimal SDK server returning that identical result without any work
//              (measured interleaved; the sequential figure as first written is printed too)
//   start-up:  spawn → first tools/list answered  ≤  1.15 × the minimal SDK server's
//   memory:    RSS of the server after 1,000 calls  < 120 MB
//   size:      tools/list JSON for the * key  ≤ 24 KB
//
// The sandbox runs in a process of its own, as the real API does: the direct GET then crosses
// processes like the server's own GET. (In this process, a GET to its own sandbox is served by
// the same event loop without any process switch, and would be a floor no server can reach.)
//
// The per-call figure is measured twice. As first written, the direct GET, list_posts and the
// minimal server's identical result each run in a phase of their own, one after the other.
// That order is not neutral: this client parses each ~80 KB result and warms up doing so (a
// fresh client's first 100 calls of the canned result take about twice its later ones), so the
// list_posts phase pays the client's warm-up and the canned phase after it finds the client
// warm; and on a shared machine, phases seconds apart see different load. Interleaved, each
// round makes one call of each kind, in rotating order, to a fresh server of each kind, after
// the sequential phases: the client and the sandbox are warm for all three alike, both servers
// start cold, and all three see the same load. The interleaved figure decides PASS/FAIL; the
// sequential one is printed beside it.
//
// Run with `npm run bench` (builds dist/ first).
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Agent, request } from "undici";
import { DEMO, startSandbox } from "../dist/sandbox/index.js";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const MINIMAL = fileURLToPath(new URL("./minimal-server.mjs", import.meta.url));
const CALLS = Number(process.env.BENCH_CALLS ?? 400);
const STARTS = Number(process.env.BENCH_STARTS ?? 12);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(fn) {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function connect(args, env) {
  const transport = new StdioClientTransport({ command: process.execPath, args, env: { PATH: process.env.PATH ?? "", ...env }, stderr: "ignore" });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

if (process.argv[2] === "--sandbox-child") {
  const sandbox = await startSandbox();
  process.on("message", () => void sandbox.close().then(() => process.exit(0)));
  process.send({ baseUrl: sandbox.baseUrl });
  await new Promise(() => {});
}

const sandboxProcess = fork(fileURLToPath(import.meta.url), ["--sandbox-child"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
const sandbox = await new Promise((resolve, reject) => {
  sandboxProcess.once("message", resolve);
  sandboxProcess.once("exit", (code) => reject(new Error(`the sandbox process exited (${code})`)));
});
sandbox.close = () => new Promise((resolve) => { sandboxProcess.once("exit", resolve); sandboxProcess.send("close"); });
const serverEnv = { LEADPANTHER_API_KEY: DEMO.keys.directAll, LEADPANTHER_BASE_URL: sandbox.baseUrl, LEADPANTHER_LOG_LEVEL: "error" };

// Start-up, alternating the two servers so drift hits both alike.
const startMinimal = [];
const startServer = [];
for (let i = 0; i < STARTS; i += 1) {
  for (const [args, env, into] of [[[MINIMAL], {}, startMinimal], [[CLI], serverEnv, startServer]]) {
    let session;
    into.push(await time(async () => {
      session = await connect(args, env);
      await session.client.listTools();
    }));
    await session.client.close();
  }
}

const LIST_POSTS_ARGS = { limit: 50, response_format: "detailed" };
const agent = new Agent({ keepAliveTimeout: 10_000 });
const directGet = async () => {
  const response = await request(`${sandbox.baseUrl}/posts?limit=50`, { headers: { authorization: `Bearer ${DEMO.keys.directAll}` }, dispatcher: agent });
  await response.body.json();
};

// Per call, as first written: each in a phase of its own.
const direct = [];
for (let i = 0; i < CALLS; i += 1) direct.push(await time(directGet));
const minimal = await connect([MINIMAL], {});
const noop = [];
for (let i = 0; i < CALLS; i += 1) noop.push(await time(() => minimal.client.callTool({ name: "noop", arguments: {} })));
await minimal.client.close();

const ours = await connect([CLI], serverEnv);
const listPosts = [];
for (let i = 0; i < CALLS; i += 1) listPosts.push(await time(() => ours.client.callTool({ name: "list_posts", arguments: LIST_POSTS_ARGS })));

// The payload alone: the minimal server returning our exact list_posts result, doing nothing.
const cannedFile = join(mkdtempSync(join(tmpdir(), "lp-bench-")), "list_posts.json");
writeFileSync(cannedFile, JSON.stringify(await ours.client.callTool({ name: "list_posts", arguments: LIST_POSTS_ARGS })));
const cannedServer = await connect([MINIMAL], { BENCH_CANNED_RESULT: cannedFile });
const canned = [];
for (let i = 0; i < CALLS; i += 1) canned.push(await time(() => cannedServer.client.callTool({ name: "canned", arguments: {} })));
await cannedServer.client.close();
const { tools } = await ours.client.listTools();
const toolsBytes = Buffer.byteLength(JSON.stringify({ tools }));
for (let i = listPosts.length; i < 1_000; i += 1) await ours.client.callTool({ name: "list_posts", arguments: LIST_POSTS_ARGS });
const rss = rssMb(ours.transport.pid);
await ours.client.close();

// Per call, interleaved: fresh servers, one call of each kind per round, in rotating order,
// returning the same canned result as above.
const oursInterleaved = await connect([CLI], serverEnv);
const cannedInterleaved = await connect([MINIMAL], { BENCH_CANNED_RESULT: cannedFile, BENCH_GET_URL: `${sandbox.baseUrl}/posts?limit=50`, BENCH_GET_KEY: DEMO.keys.directAll });
const interleaved = { direct: [], listPosts: [], canned: [], getThenCanned: [] };
const rounds = [
  ["direct", directGet],
  ["listPosts", () => oursInterleaved.client.callTool({ name: "list_posts", arguments: LIST_POSTS_ARGS })],
  ["canned", () => cannedInterleaved.client.callTool({ name: "canned", arguments: {} })],
  ["getThenCanned", () => cannedInterleaved.client.callTool({ name: "get_then_canned", arguments: {} })],
];
for (let i = 0; i < CALLS; i += 1) {
  for (let j = 0; j < rounds.length; j += 1) {
    const [name, call] = rounds[(i + j) % rounds.length];
    interleaved[name].push(await time(call));
  }
}
await oursInterleaved.client.close();
await cannedInterleaved.client.close();

await agent.close();
await sandbox.close();

const ownWork = median(listPosts) - median(canned) - median(direct);
const serverWork = median(listPosts) - median(direct);
const serverWorkRatio = serverWork / median(canned);
const interleavedWork = median(interleaved.listPosts) - median(interleaved.direct);
const interleavedRatio = interleavedWork / median(interleaved.canned);
// Calibration: the same measure for a server that makes the GET and returns the result, no more.
const passThroughWork = median(interleaved.getThenCanned) - median(interleaved.direct);
const passThroughRatio = passThroughWork / median(interleaved.canned);
const startRatio = median(startServer) / median(startMinimal);
const rows = [
  ["per call, interleaved (decides):", "", ""],
  ["direct undici GET /posts?limit=50 (median ms)", median(interleaved.direct).toFixed(3), ""],
  ["tools/call list_posts limit 50 detailed (median ms)", median(interleaved.listPosts).toFixed(3), ""],
  ["minimal server returning that same result, no work (median ms)", median(interleaved.canned).toFixed(3), ""],
  ["  server work: list_posts − direct GET (ms)", interleavedWork.toFixed(3), `${interleavedRatio.toFixed(2)} × the minimal server's (≤ 1.3) → ${interleavedRatio <= 1.3 ? "PASS" : "FAIL"}`],
  ["minimal server making that GET, then returning the result (median ms)", median(interleaved.getThenCanned).toFixed(3), ""],
  ["  its server work: that − direct GET (ms), the same measure", passThroughWork.toFixed(3), `${passThroughRatio.toFixed(2)} × (calibration: the GET and the payload, no work)`],
  ["per call, sequential phases (as first written):", "", ""],
  ["direct undici GET /posts?limit=50 (median ms)", median(direct).toFixed(3), ""],
  ["do-nothing tools/call, minimal SDK server (median ms)", median(noop).toFixed(3), ""],
  ["tools/call list_posts limit 50 detailed (median ms)", median(listPosts).toFixed(3), ""],
  ["minimal server returning that same result, no work (median ms)", median(canned).toFixed(3), ""],
  ["  server work: list_posts − direct GET (ms)", serverWork.toFixed(3), `${serverWorkRatio.toFixed(2)} × the minimal server's (sequential)`],
  ["  the server's own work: list_posts − (that + direct GET) (ms)", ownWork.toFixed(3), `${(ownWork / median(noop)).toFixed(1)} × the do-nothing call`],
  ["other figures:", "", ""],
  ["start-up to first tools/list, minimal server (median ms)", median(startMinimal).toFixed(1), ""],
  ["start-up to first tools/list, leadpanther-mcp (median ms)", median(startServer).toFixed(1), `ratio ${startRatio.toFixed(2)} (≤ 1.15) → ${startRatio <= 1.15 ? "PASS" : "FAIL"}`],
  ["RSS after 1,000 calls (MB)", rss.toFixed(1), `< 120 → ${rss < 120 ? "PASS" : "FAIL"}`],
  ["tools/list JSON for the * key (bytes)", String(toolsBytes), `≤ 24576 → ${toolsBytes <= 24_576 ? "PASS" : "FAIL"}`],
];
const width = Math.max(...rows.map((row) => row[0].length));
for (const [label, value, verdict] of rows) process.stdout.write(`${label.padEnd(width)}  ${value.padStart(9)}  ${verdict}\n`);
