// Find bench (issue 11), against the large sandbox (5,000 leads, 10,000 activity items, 500
// posts) running in a process of its own, as the real API does:
//
//   lead by name:  1 tool call, ≤ 2 KB per channel, wall time ≤ 1.3× the raw GETs it needs
//   concise page:  a concise 50-post page ≤ 20% of the detailed page's bytes (both channels),
//                  on the default sandbox (in this process) and on the large one
//   task table:    everyday requests, calls and bytes before (paging whole detailed pages, as
//                  the list tools offered before filters) and after (one filtered call)
//
// Run with `npm run bench` (builds dist/ first).
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Agent, request } from "undici";
import { DEMO, LARGE_SCALE, startSandbox } from "../dist/sandbox/index.js";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const RUNS = Number(process.env.BENCH_FIND_RUNS ?? 11);
const WARM_UP_RUNS = 3;

if (process.argv[2] === "--sandbox-child") {
  const sandbox = await startSandbox({ scale: "large" });
  process.on("message", () => void sandbox.close().then(() => process.exit(0)));
  process.send({ baseUrl: sandbox.baseUrl });
  await new Promise(() => {});
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
async function time(fn) {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

const sandboxProcess = fork(fileURLToPath(import.meta.url), ["--sandbox-child"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
const { baseUrl } = await new Promise((resolve, reject) => {
  sandboxProcess.once("message", resolve);
  sandboxProcess.once("exit", (code) => reject(new Error(`the sandbox process exited (${code})`)));
});

async function connect(key, apiBaseUrl = baseUrl, settings = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: { PATH: process.env.PATH ?? "", LEADPANTHER_API_KEY: key, LEADPANTHER_BASE_URL: apiBaseUrl, LEADPANTHER_LOG_LEVEL: "error", ...settings },
    stderr: "ignore",
  });
  const client = new Client({ name: "find-bench", version: "1.0.0" });
  await client.connect(transport);
  return client;
}
const direct = await connect(DEMO.keys.directAll);
const agency = await connect(DEMO.keys.agency);

/** Bytes of each channel of a result. */
function sizes(result) {
  const text = result.content.filter((part) => part.type === "text").map((part) => part.text).join("\n");
  return { text: Buffer.byteLength(text), structured: Buffer.byteLength(JSON.stringify(result.structuredContent ?? null)) };
}

/** A session of tool calls, counting calls and bytes (both channels). */
function session(client) {
  const tally = { calls: 0, bytes: 0 };
  return {
    tally,
    async call(name, args) {
      const result = await client.callTool({ name, arguments: args });
      if (result.isError) throw new Error(`${name}: ${result.content[0]?.text}`);
      tally.calls += 1;
      const { text, structured } = sizes(result);
      tally.bytes += text + structured;
      return result.structuredContent;
    },
    /** Every detailed page from offset 0 until `done` says stop or the collection ends. */
    async pages(name, args, done = () => false) {
      const records = [];
      for (let offset = 0; offset !== undefined; ) {
        const page = await this.call(name, { ...args, limit: 100, offset, response_format: "detailed" });
        records.push(...page.data);
        if (done(page.data)) break;
        offset = page.next_offset;
      }
      return records;
    },
  };
}

// ------------------------------------------------------------------ lead by name
const name = LARGE_SCALE.findableLead.name;
const agent = new Agent({ connections: 4 });
async function rawGetsUntilFound() {
  for (let offset = 0; ; offset += 100) {
    const response = await request(`${baseUrl}/leads?limit=100&offset=${offset}`, { dispatcher: agent, headers: { authorization: `Bearer ${DEMO.keys.directAll}` } });
    const body = await response.body.json();
    if (body.data.some((lead) => lead.name === name) || !body.pagination.has_more) return;
  }
}
async function rawGetsAll() {
  for (let offset = 0; ; offset += 100) {
    const response = await request(`${baseUrl}/leads?limit=100&offset=${offset}`, { dispatcher: agent, headers: { authorization: `Bearer ${DEMO.keys.directAll}` } });
    const body = await response.body.json();
    if (!body.pagination.has_more) return;
  }
}
// The same search where the filters compare what the model may see (emails masked).
const masked = await connect(DEMO.keys.directAll, baseUrl, { LEADPANTHER_LEAD_PII: "masked" });
const findByName = (client = direct) => client.callTool({ name: "list_leads", arguments: { query: name } });
// Both sides warmed first (connections open, code compiled in the server and here): the first
// calls of a fresh process measure start-up, not the search.
for (let run = 0; run < WARM_UP_RUNS; run += 1) {
  await rawGetsAll();
  await findByName();
  await findByName(masked);
}
const raw = [];
const rawAll = [];
const found = [];
const foundMasked = [];
let lastFind;
for (let run = 0; run < RUNS; run += 1) {
  raw.push((await time(rawGetsUntilFound)).ms);
  rawAll.push((await time(rawGetsAll)).ms);
  const timed = await time(() => findByName());
  found.push(timed.ms);
  lastFind = timed.value;
  foundMasked.push((await time(() => findByName(masked))).ms);
}
await masked.close();
const findSizes = sizes(lastFind);
const spread = (values) => `${median(values).toFixed(1)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
const ratios = found.map((ms, run) => ms / rawAll[run]);
console.log(`lead by name ("${name}", offset ${LARGE_SCALE.findableLead.offset} of ${LARGE_SCALE.direct.leads}), median (range) of ${RUNS} after ${WARM_UP_RUNS} warm-up runs:`);
console.log(`  1 tool call: ${spread(found)}; result ${findSizes.text} B text, ${findSizes.structured} B structured (target ≤ 2,048 each)`);
console.log(`  raw GETs up to her page (33): ${spread(raw)} → ${(median(found) / median(raw)).toFixed(2)}×`);
console.log(
  `  raw GETs of every page (50, what a complete search reads): ${spread(rawAll)} → ${(median(found) / median(rawAll)).toFixed(2)}× ` +
    `(per run ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×; target ≤ 1.3×)`,
);
console.log(`  with LEADPANTHER_LEAD_PII=masked: ${spread(foundMasked)} → ${(median(foundMasked) / median(rawAll)).toFixed(2)}× the raw GETs of every page`);

// ------------------------------------------------------------------ concise vs detailed
/** The same 50-post page concise and detailed: each channel's bytes and the concise share. */
async function conciseShare(client) {
  const concise = sizes(await client.callTool({ name: "list_posts", arguments: { limit: 50 } }));
  const detailed = sizes(await client.callTool({ name: "list_posts", arguments: { limit: 50, response_format: "detailed" } }));
  const percent = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;
  const conciseBytes = concise.text + concise.structured;
  const detailedBytes = detailed.text + detailed.structured;
  return (
    `concise ${concise.structured} B structured + ${concise.text} B text = ${conciseBytes} B; ` +
    `detailed ${detailed.structured} + ${detailed.text} = ${detailedBytes} B → ${percent(conciseBytes, detailedBytes)} ` +
    `(structured ${percent(concise.structured, detailed.structured)}, text ${percent(concise.text, detailed.text)}; target ≤ 20%)`
  );
}
const defaultSandbox = await startSandbox();
const defaultClient = await connect(DEMO.keys.directAll, defaultSandbox.baseUrl);
console.log("\nlist_posts limit 50, concise vs detailed (both channels):");
console.log(`  default sandbox: ${await conciseShare(defaultClient)}`);
console.log(`  large sandbox:   ${await conciseShare(direct)}`);
await defaultClient.close();
await defaultSandbox.close();

// ------------------------------------------------------------------ task table
const now = Date.now();
const iso = (days) => new Date(now + days * 86_400_000).toISOString();
const nextWeek = { scheduled_after: iso(0), scheduled_before: iso(7) };
const TASKS = [
  {
    task: `Find the lead named ${name} and give me her email`,
    before: (s) => s.pages("list_leads", {}, (page) => page.some((lead) => lead.name === name)),
    after: (s) => s.call("list_leads", { query: name }),
  },
  {
    task: "What is scheduled next week?",
    before: (s) => s.pages("list_posts", {}),
    after: (s) => s.call("list_posts", { status: "scheduled", ...nextWeek, limit: 100 }),
  },
  {
    task: "Who commented GUIDE on my latest post?",
    before: async (s) => {
      await s.call("list_posts", { limit: 100, response_format: "detailed" });
      return s.pages("list_activity", {});
    },
    after: async (s) => {
      const latest = await s.call("list_posts", { status: "published", limit: 1 });
      return s.call("list_activity", { post_id: latest.data[0].id, source: "comment", keyword: "GUIDE", limit: 100, max_scan: 20_000 });
    },
  },
  {
    task: "Which leads have intent and are qualified?",
    before: (s) => s.pages("list_leads", {}),
    after: (s) => s.call("list_leads", { has_intent: true, qualification_status: "qualified", limit: 100 }),
  },
  {
    task: "Find Lucia (typed without the accent)",
    before: (s) => s.pages("list_leads", {}),
    after: (s) => s.call("list_leads", { query: "Lucia", limit: 20 }),
  },
  {
    task: "Which drafts mention onboarding?",
    before: (s) => s.pages("list_posts", {}),
    after: (s) => s.call("list_posts", { status: "draft", query: "onboarding", limit: 100 }),
  },
  {
    task: "Messages received in the last 7 days",
    before: (s) => s.pages("list_activity", {}),
    after: (s) => s.call("list_activity", { source: "message", created_after: iso(-7), limit: 100, max_scan: 20_000 }),
  },
  {
    task: "My published lead magnets",
    before: (s) => s.pages("list_lead_magnets", {}),
    after: (s) => s.call("list_lead_magnets", { status: "published", limit: 100 }),
  },
];
const AGENCY_TASK = {
  task: "Agency: my clients and each one's scheduled posts",
  before: async (s) => {
    const clients = await s.pages("list_clients", {});
    for (const client of clients.filter((entry) => entry.grant?.status === "active")) await s.pages("list_posts", { client_id: client.user_id }).catch(() => undefined);
  },
  after: async (s) => {
    const clients = await s.call("list_clients", { limit: 100 });
    for (const client of clients.data.filter((entry) => entry.grant_status === "active")) await s.call("list_posts", { client_id: client.user_id, status: "scheduled", limit: 100 }).catch(() => undefined);
  },
};

console.log("\n| request | before: calls | before: bytes | after: calls | after: bytes |");
console.log("|---|---|---|---|---|");
for (const [task, client] of [...TASKS.map((entry) => [entry, direct]), [AGENCY_TASK, agency]]) {
  const before = session(client);
  await task.before(before);
  const after = session(client);
  await task.after(after);
  const kb = (bytes) => (bytes >= 10_240 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024).toFixed(1)} KB`);
  console.log(`| ${task.task} | ${before.tally.calls} | ${kb(before.tally.bytes)} | ${after.tally.calls} | ${kb(after.tally.bytes)} |`);
}

await direct.close();
await agency.close();
await agent.close();
await new Promise((resolve) => { sandboxProcess.once("exit", resolve); sandboxProcess.send("close"); });
