#!/usr/bin/env node
/**
 * Load on the Streamable HTTP transport: the built CLI (`node dist/cli.js --http --port 0`)
 * against the in-process sandbox, N concurrent MCP clients × M tool calls each (alternating
 * list_posts and get_api_info). Prints throughput, errors and the server process's peak RSS.
 *
 *   npm run build && node bench/http-load.mjs [clients=50] [calls=20]
 *
 * The server runs in its own process, so its RSS does not include the clients or the sandbox.
 * Peak RSS is the kernel's VmHWM on Linux; elsewhere it is sampled every 20 ms with `ps`.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { startSandbox, DEMO } = await import(join(root, "dist", "sandbox", "index.js"));

const clients = Number(process.argv[2] ?? 50);
const callsEach = Number(process.argv[3] ?? 20);

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { current: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return { current: Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }).trim()) * 1024, peak: 0 };
  }
}

function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const sandbox = await startSandbox();
const server = spawn(process.execPath, [join(root, "dist", "cli.js"), "--http", "--port", "0"], {
  env: { PATH: process.env.PATH ?? "", LEADPANTHER_API_KEY: DEMO.keys.directAll, LEADPANTHER_BASE_URL: sandbox.baseUrl },
  stdio: ["ignore", "ignore", "pipe"],
});
let stderr = "";
const url = await new Promise((resolve, reject) => {
  server.stderr.on("data", (chunk) => {
    stderr += chunk;
    const match = /"url":"(http:[^"]+)"/.exec(stderr);
    if (match) resolve(match[1]);
  });
  server.once("exit", () => reject(new Error(`server exited:\n${stderr}`)));
});

const idle = rssOf(server.pid);
let sampledPeak = idle.current;
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, rssOf(server.pid).current);
}, 20);
const cpuBefore = cpuMsOf(server.pid);
const latencies = [];
let errors = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: clients }, async (_, index) => {
    const client = new Client({ name: "http-load", version: "1.0.0" });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      for (let call = 0; call < callsEach; call += 1) {
        const t0 = performance.now();
        const result = await client.callTool(
          call % 2 === 0 ? { name: "list_posts", arguments: { limit: 1, offset: (index + call) % 10 } } : { name: "get_api_info", arguments: {} },
        );
        latencies.push(performance.now() - t0);
        if (result.isError) errors += 1;
      }
    } catch {
      errors += 1;
    } finally {
      await client.close().catch(() => undefined);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const end = rssOf(server.pid);
const cpuAfter = cpuMsOf(server.pid);
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]?.toFixed(1);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);

process.stdout.write(
  [
    `clients × calls      ${clients} × ${callsEach} = ${clients * callsEach} tool calls (+ ${clients} initialize)`,
    `wall time            ${seconds.toFixed(2)} s, ${Math.round((clients * callsEach) / seconds)} calls/s`,
    `latency p50/p95/p99  ${pct(50)} / ${pct(95)} / ${pct(99)} ms`,
    `errors               ${errors}`,
    `server RSS           idle ${mb(idle.current)} MB, peak ${mb(Math.max(sampledPeak, end.current, end.peak))} MB`,
    cpuBefore === undefined ? "" : `server CPU           ${cpuAfter - cpuBefore} ms (${((cpuAfter - cpuBefore) / (clients * callsEach)).toFixed(2)} ms per tool call, connects included)`,
    "",
  ]
    .filter((line, index, lines) => line !== "" || index === lines.length - 1)
    .join("\n"),
);

server.kill("SIGTERM");
const code = await new Promise((resolve) => server.once("exit", resolve));
await sandbox.close();
process.exit(errors === 0 && code === 0 ? 0 : 1);
