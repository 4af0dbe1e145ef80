import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type CallToolResult, type ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config.js";
import { startRuntime } from "../../src/runtime.js";
import { maskEmailsInText } from "../../src/safety/pii.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { startHttpServer } from "../../src/transports/http.js";
import { holdListResultsToTheFullSchema } from "../fixtures/stack.js";

/**
 * Issue 12 over stdio: the shipped CLI spawned as an MCP client runs it, against a sandbox in
 * this process whose faults and request log prove what reached LeadPanther and how often.
 */

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
let sandbox: Sandbox;
const open: Array<() => Promise<void>> = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());
afterEach(async () => {
  while (open.length > 0) await open.pop()?.();
});

interface Spawned {
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  stderr(): string;
  client: Client;
}

async function spawnServer(
  env: Record<string, string> = {},
  options: { key?: string; capabilities?: ClientCapabilities; prepare?: (client: Client) => void; readyWith?: string } = {},
): Promise<Spawned> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: {
      PATH: process.env.PATH ?? "",
      LEADPANTHER_API_KEY: options.key ?? DEMO.keys.directAll,
      LEADPANTHER_BASE_URL: sandbox.baseUrl,
      LEADPANTHER_LOG_LEVEL: "warn",
      ...env,
    },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: "writes-e2e", version: "1.0.0" }, { capabilities: options.capabilities ?? {} });
  options.prepare?.(client);
  holdListResultsToTheFullSchema(client);
  await client.connect(transport);
  open.push(() => client.close());
  // The tool list follows GET /me; wait until the write tools are there.
  const deadline = Date.now() + 10_000;
  const readyWith = options.readyWith ?? "list_posts";
  while (!(await client.listTools()).tools.some((tool) => tool.name === readyWith) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    client,
    stderr: () => stderr,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
  };
}

function text(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

function writes(method: string, path: string | RegExp): Array<{ body?: string; status: number | null }> {
  return sandbox.requests().filter((entry) => entry.method === method && (typeof path === "string" ? entry.path === path : path.test(entry.path)));
}

function nonReads(): string[] {
  return sandbox.requests().filter((entry) => entry.method !== "GET").map((entry) => `${entry.method} ${entry.path}`);
}

const DAY = 24 * 60 * 60_000;
/** A future instant on a whole minute, days ahead, as UTC ISO with milliseconds. */
function future(days: number, hourUtc = 8): Date {
  const date = new Date(Date.now() + days * DAY);
  date.setUTCHours(hourUtc, 0, 0, 0);
  return date;
}

async function createDraft(server: Spawned, body: string): Promise<string> {
  const created = await server.call("create_post", { text: body });
  expect(created.isError, text(created)).toBeFalsy();
  return String((created.structuredContent as { created: { id: string } }).created.id);
}

describe("write results say what happened", () => {
  test("create_post: id, status and time in both channels", async () => {
    const server = await spawnServer();
    const at = future(3);
    const result = await server.call("create_post", { text: "Launch notes for the spring release", scheduled_at: at.toISOString() });
    expect(result.isError, text(result)).toBeFalsy();
    const structured = result.structuredContent as { outcome: string; created: { id: string; status: string; scheduled_for: string } };
    expect(structured.outcome).toBe("applied");
    expect(structured.created.status).toBe("scheduled");
    expect(structured.created.scheduled_for).toContain(`${at.toISOString().slice(0, 10)} 08:00 UTC`);
    expect(text(result)).toContain(`create_post: created post ${structured.created.id} (scheduled, scheduled for ${structured.created.scheduled_for})`);
  });

  test("update_post: each changed field old → new, times in UTC and in the caller's zone", async () => {
    const server = await spawnServer();
    const id = await createDraft(server, "Quarterly roadmap thoughts");
    const at = future(5, 9);
    const local = at.toISOString().slice(0, 16).replace(/T/, "T");
    const result = await server.call("update_post", { post_id: id, text: "Quarterly roadmap, revised", scheduled_at: local, time_zone: "UTC" });
    expect(result.isError, text(result)).toBeFalsy();
    const structured = result.structuredContent as { changes: Array<{ field: string; from: unknown; to: unknown }> };
    expect(structured.changes).toEqual([
      { field: "text", from: "Quarterly roadmap thoughts", to: "Quarterly roadmap, revised" },
      { field: "scheduled_at", from: null, to: at.toISOString() },
    ]);
    expect(text(result)).toContain(`- text: "Quarterly roadmap thoughts" → "Quarterly roadmap, revised"`);
    expect(text(result)).toContain(`- scheduled_at: (none) → ${at.toISOString().slice(0, 10)} 09:00 UTC`);
    // Sent once, in UTC with milliseconds.
    const patches = writes("PATCH", `/posts/${id}`);
    expect(patches).toHaveLength(1);
    expect(JSON.parse(patches[0]!.body!)).toEqual({ text: "Quarterly roadmap, revised", scheduled_at: at.toISOString() });
  });

  test("update_lead_magnet: a change inside hosted_page is restated by its own field, however long the page", async () => {
    const server = await spawnServer();
    const content = `A long guide. ${"Every paragraph matters. ".repeat(40)}`;
    const created = await server.call("create_lead_magnet", {
      title: "Pricing checklist",
      delivery_mode: "gated_external",
      hosted_page: { headline: "Get the checklist", content, external_resource_url: "https://example.com/old.pdf" },
    });
    const id = String((created.structuredContent as { created: { id: string } }).created.id);
    const result = await server.call("update_lead_magnet", { lead_magnet_id: id, hosted_page: { external_resource_url: "https://example.com/new.pdf" } });
    expect(result.isError, text(result)).toBeFalsy();
    expect(text(result)).toContain('- hosted_page.external_resource_url: "https://example.com/old.pdf" → "https://example.com/new.pdf"');
    expect(text(result)).not.toContain("hosted_page.content");
    expect(text(result)).not.toContain("hosted_page.headline");
    expect((result.structuredContent as { changes: unknown[] }).changes).toEqual([
      { field: "hosted_page.external_resource_url", from: "https://example.com/old.pdf", to: "https://example.com/new.pdf" },
    ]);
  });

  test("update_post: a typo fixed late in a long text shows where the text changed, not two identical excerpts", async () => {
    const server = await spawnServer();
    const opening = "Three habits that changed how I write to customers every single week. ";
    const id = await createDraft(server, `${opening}First, I cut every sentence that does not help teh reader.`);
    const result = await server.call("update_post", { post_id: id, text: `${opening}First, I cut every sentence that does not help the reader.` });
    expect(result.isError, text(result)).toBeFalsy();
    const line = text(result).split("\n").find((candidate) => candidate.startsWith("- text:")) ?? "";
    const [left, right] = line.split(" → ");
    expect(left, line).not.toBe(`- text: ${right ?? ""}`);
    expect(line).toContain("teh reader");
    expect(line).toContain("the reader");
  });

  test("delete_post says what was removed; agency results name the client", async () => {
    const server = await spawnServer({ LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" });
    const id = await createDraft(server, "A draft about onboarding emails");
    const result = await server.call("delete_post", { post_id: id });
    expect(text(result)).toMatch(new RegExp(`delete_post: done\\. Removed: Post ${id} \\(draft, created \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d(:\\d\\d)? UTC, updated [^)]+\\): "A draft about onboarding emails"\\.`));
    const agency = await spawnServer({}, { key: DEMO.keys.agency });
    const created = await agency.call("create_post", { client_id: DEMO.clients.full, text: "Client post" });
    const client = (created.structuredContent as { client: { id: string; name: string } }).client;
    expect(client.id).toBe(DEMO.clients.full);
    expect(client.name).toMatch(/\S/);
    expect(text(created)).toContain(`client: ${client.name} (${DEMO.clients.full})`);
  });
});

type FaultKind = "reset-before-apply" | "status" | "hang-before-apply" | "reset-after-apply" | "status-after-apply" | "hang-after-apply";
const FAULTS: Array<{ kind: FaultKind; applied: boolean }> = [
  { kind: "reset-before-apply", applied: false },
  { kind: "status", applied: false },
  { kind: "hang-before-apply", applied: false },
  { kind: "reset-after-apply", applied: true },
  { kind: "status-after-apply", applied: true },
  { kind: "hang-after-apply", applied: true },
];

interface WriteCase {
  tool: string;
  method: "POST" | "PATCH" | "DELETE";
  /** Makes what the write needs and returns its arguments and the path it goes to. */
  setup: (server: Spawned) => Promise<{ args: Record<string, unknown>; path: string }>;
  /** Whether the write is visible afterwards (by reading through the tools). */
  took: (server: Spawned, args: Record<string, unknown>) => Promise<boolean>;
}

async function createLeadMagnet(server: Spawned, title: string): Promise<string> {
  const created = await server.call("create_lead_magnet", { title, delivery_mode: "external_link", resource_link: "https://example.com/guide" });
  expect(created.isError, text(created)).toBeFalsy();
  return String((created.structuredContent as { created: { id: string } }).created.id);
}

async function listed(server: Spawned, tool: string, field: string, value: unknown): Promise<number> {
  // Full records: a concise post shows only the first words of its text.
  const list = await server.call(tool, { limit: 100, response_format: "detailed" });
  return (list.structuredContent as { data: Array<Record<string, unknown>> }).data.filter((item) => item[field] === value).length;
}

async function recordOf(server: Spawned, tool: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await server.call(tool, args)).structuredContent?.data as Record<string, unknown>;
}

const WRITE_CASES: WriteCase[] = [
  {
    tool: "create_post",
    method: "POST",
    setup: async () => ({ args: { text: `Fault test ${Math.random()}` }, path: "/posts" }),
    took: async (server, args) => (await listed(server, "list_posts", "text", args.text)) === 1,
  },
  {
    tool: "update_post",
    method: "PATCH",
    setup: async (server) => {
      const id = await createDraft(server, "Before the fault");
      return { args: { post_id: id, text: "After the fault" }, path: `/posts/${id}` };
    },
    took: async (server, args) => (await recordOf(server, "get_post", { post_id: args.post_id })).text === "After the fault",
  },
  {
    tool: "delete_post",
    method: "DELETE",
    setup: async (server) => {
      const id = await createDraft(server, "To be deleted");
      return { args: { post_id: id }, path: `/posts/${id}` };
    },
    took: async (server, args) => (await server.call("get_post", { post_id: args.post_id })).isError === true,
  },
  {
    tool: "create_lead_magnet",
    method: "POST",
    setup: async () => ({ args: { title: `Guide ${Math.random()}`, delivery_mode: "external_link", resource_link: "https://example.com/guide" }, path: "/lead-magnets" }),
    took: async (server, args) => (await listed(server, "list_lead_magnets", "title", args.title)) === 1,
  },
  {
    tool: "update_lead_magnet",
    method: "PATCH",
    setup: async (server) => {
      const id = await createLeadMagnet(server, "Old title");
      return { args: { lead_magnet_id: id, title: "New title" }, path: `/lead-magnets/${id}` };
    },
    took: async (server, args) => (await recordOf(server, "get_lead_magnet", { lead_magnet_id: args.lead_magnet_id })).title === "New title",
  },
  {
    tool: "archive_lead_magnet",
    method: "DELETE",
    setup: async (server) => {
      const id = await createLeadMagnet(server, "To be archived");
      return { args: { lead_magnet_id: id }, path: `/lead-magnets/${id}` };
    },
    took: async (server, args) => (await server.call("get_lead_magnet", { lead_magnet_id: args.lead_magnet_id })).isError === true,
  },
];

describe("a lost answer is settled by reading, never by writing again", () => {
  test.each(WRITE_CASES)("$tool: every fault kind, sent once, settled", async (writeCase) => {
    const server = await spawnServer({ LEADPANTHER_TIMEOUT_MS: "1000", LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" });
    for (const fault of FAULTS) {
      const { args, path } = await writeCase.setup(server);
      sandbox.clearRequests();
      sandbox.faults.inject({ method: writeCase.method, path, kind: fault.kind, ...(fault.kind.startsWith("status") ? { status: 500 } : {}) } as Parameters<Sandbox["faults"]["inject"]>[0]);
      const result = await server.call(writeCase.tool, args);
      const said = text(result);
      expect(writes(writeCase.method, path), `${fault.kind}: sent exactly once`).toHaveLength(1);
      if (fault.applied) {
        expect(result.isError, `${fault.kind}: ${said}`).toBeFalsy();
        expect(said).toContain(`${writeCase.tool}: APPLIED.`);
        expect((result.structuredContent as { outcome: string }).outcome).toBe("applied");
        if (writeCase.method === "POST") expect(said).toMatch(/created (post|lead magnet) [0-9a-f-]{36}/);
      } else {
        expect(result.isError, `${fault.kind}: ${said}`).toBe(true);
        if (fault.kind === "hang-before-apply") {
          // A timed-out request may still be completed by LeadPanther: what the read showed, without an all-clear.
          expect(said).toContain(`${writeCase.tool}: NOT APPLIED SO FAR.`);
          expect(said).toContain("wait a minute and check with");
        } else {
          expect(said).toContain(`${writeCase.tool}: NOT APPLIED.`);
          expect(said).toContain("safe to call");
        }
      }
      expect(await writeCase.took(server, args), `${fault.kind}: the sandbox's state agrees`).toBe(fault.applied);
      // Settling only read: the one write above is the only non-GET request.
      expect(nonReads()).toEqual([`${writeCase.method} ${path}`]);
    }
  }, 60_000);

  test("when the reads fail too, the outcome is still unknown and says what was checked", async () => {
    const server = await spawnServer({ LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" });
    const id = await createDraft(server, "Unreadable afterwards");
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "PATCH", path: `/posts/${id}`, kind: "reset-after-apply" });
    sandbox.faults.inject({ method: "GET", path: `/posts/${id}`, kind: "status", status: 503, times: 10 });
    const result = await server.call("update_post", { post_id: id, notes: "checked" });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("update_post: OUTCOME STILL UNKNOWN.");
    expect(text(result)).toContain(`checked: get_post for ${id} failed too`);
    expect(writes("PATCH", `/posts/${id}`)).toHaveLength(1);
  });
});

describe("times as people say them", () => {
  const at = future(4, 8);
  const day = at.toISOString().slice(0, 10);
  test.each([
    ["RFC 3339 with Z", { scheduled_at: `${day}T08:00:00Z` }],
    ["an offset", { scheduled_at: `${day}T10:30:00+02:30` }],
    ["the basic +0100 form", { scheduled_at: `${day}T09:00:00+0100` }],
    ["a local time with time_zone", { scheduled_at: `${day}T03:00:00`, time_zone: "America/Bogota" }],
  ])("%s → sent as UTC with milliseconds", async (_, args) => {
    const server = await spawnServer();
    const result = await server.call("create_post", { text: "Timed", ...args });
    expect(result.isError, text(result)).toBeFalsy();
    const posts = writes("POST", "/posts");
    expect(JSON.parse(posts[0]!.body!).scheduled_at).toBe(`${day}T08:00:00.000Z`);
    expect(text(result)).toContain(`${day} 08:00 UTC`);
    if ("time_zone" in args) expect(text(result)).toContain(`${day} 03:00 America/Bogota (-05:00)`);
  });

  test("a DST gap is refused with why; an overlap asks which; a bad value is one line with one example; nothing sent", async () => {
    const server = await spawnServer();
    const year = new Date().getUTCFullYear() + 1;
    // The EU changes clocks on the last Sunday of March and of October.
    const lastSunday = (month: number): string => {
      const last = new Date(Date.UTC(year, month, 0));
      last.setUTCDate(last.getUTCDate() - last.getUTCDay());
      return last.toISOString().slice(0, 10);
    };
    const gap = await server.call("create_post", { text: "Gap", scheduled_at: `${lastSunday(3)}T02:30:00`, time_zone: "Europe/Berlin" });
    expect(gap.isError).toBe(true);
    expect(text(gap)).toContain(`- scheduled_at: ${lastSunday(3)}T02:30:00 does not exist in Europe/Berlin: clocks jump from 02:00 to 03:00`);
    const overlap = await server.call("create_post", { text: "Overlap", scheduled_at: `${lastSunday(10)}T02:30:00`, time_zone: "Europe/Berlin" });
    expect(text(overlap)).toContain(`happens twice in Europe/Berlin`);
    expect(text(overlap)).toContain(`${lastSunday(10)}T02:30:00+02:00 (the first time) or ${lastSunday(10)}T02:30:00+01:00 (the second)`);
    const tomorrow = await server.call("create_post", { text: "Vague", scheduled_at: "tomorrow" });
    const lines = text(tomorrow).split("\n").filter((line) => line.startsWith("- "));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^- scheduled_at: "tomorrow" is not a date and time: send RFC 3339 with an offset, e\.g\. \d{4}-\d\d-\d\dT09:00:00\+00:00$/);
    const noZone = await server.call("create_post", { text: "No zone", scheduled_at: `${year}-06-01T09:00:00` });
    expect(text(noZone)).toContain("has no offset: add one");
    expect(nonReads()).toEqual([]);
  });
});

describe("scheduling guardrails warn, never refuse", () => {
  test("another post within 60 minutes and the same text in a draft are named", async () => {
    const server = await spawnServer();
    const at = future(6, 10);
    const first = await server.call("create_post", { text: "Morning update", scheduled_at: at.toISOString() });
    const firstId = (first.structuredContent as { created: { id: string } }).created.id;
    const draftId = await createDraft(server, "Evergreen tip about onboarding");
    const near = await server.call("create_post", { text: "Evergreen tip about onboarding", scheduled_at: new Date(at.getTime() + 30 * 60_000).toISOString() });
    expect(near.isError, text(near)).toBeFalsy();
    const warnings = (near.structuredContent as { warnings: string[] }).warnings;
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`another post is scheduled within 60 minutes of`);
    expect(warnings[0]).toContain(`post ${firstId} (scheduled,`);
    expect(warnings[1]).toContain(`the same text is already in another post: post ${draftId} (draft): "Evergreen tip about onboarding"`);
    expect(text(near)).toContain(`warning: ${warnings[0]}`);
  });

  test("a key that cannot read posts: the write goes ahead unchecked, and the posts are not read", async () => {
    sandbox.keys.setScopes(DEMO.keys.directPostsRead, ["posts:write"]);
    const allScopes = await spawnServer();
    const at = future(6, 11);
    await allScopes.call("create_post", { text: "Same text, same hour", scheduled_at: at.toISOString() });
    const writeOnly = await spawnServer({}, { key: DEMO.keys.directPostsRead, readyWith: "create_post" });
    expect((await writeOnly.client.listTools()).tools.map((tool) => tool.name)).not.toContain("list_posts");
    sandbox.clearRequests();
    const second = await writeOnly.call("create_post", { text: "Same text, same hour", scheduled_at: new Date(at.getTime() + 10 * 60_000).toISOString() });
    expect(second.isError, text(second)).toBeFalsy();
    expect((second.structuredContent as { warnings?: string[] }).warnings ?? []).toEqual([]);
    expect(text(second)).not.toContain("warning:");
    expect(sandbox.requests().filter((entry) => entry.path.startsWith("/posts")).map((entry) => `${entry.method} ${entry.path}`)).toEqual(["POST /posts"]);
    // The same write with a key that may read posts is checked, and warned about.
    const third = await allScopes.call("create_post", { text: "Same text, same hour", scheduled_at: new Date(at.getTime() + 20 * 60_000).toISOString() });
    expect((third.structuredContent as { warnings: string[] }).warnings).toHaveLength(2);
  });

  test("a key that cannot read posts: a null that clears a field is restated as now (none), never as unchanged", async () => {
    sandbox.keys.setScopes(DEMO.keys.directPostsRead, ["posts:write"]);
    const post = sandbox.store.postsOf(DEMO.users.direct).find((candidate) => candidate.status === "scheduled" && candidate.scheduled_at !== null);
    if (!post) throw new Error("no scheduled post seeded");
    const writeOnly = await spawnServer({}, { key: DEMO.keys.directPostsRead, readyWith: "update_post" });
    const result = await writeOnly.call("update_post", { post_id: post.id, scheduled_at: null, notes: "unscheduled for review" });
    expect(result.isError, text(result)).toBeFalsy();
    expect(sandbox.store.postsOf(DEMO.users.direct).find((candidate) => candidate.id === post.id)?.status).toBe("draft");
    expect(text(result)).not.toContain("unchanged");
    expect(text(result)).toContain(`update_post: updated post ${post.id} (old values not shown: this key cannot read them):`);
    expect(text(result)).toContain("- scheduled_at: now (none)");
    expect(text(result)).toContain('- notes: now "unscheduled for review"');
    expect((result.structuredContent as { changes: unknown[] }).changes).toEqual([
      { field: "scheduled_at", from: null, to: null },
      { field: "notes", from: null, to: "unscheduled for review" },
    ]);
  });

  test("agency: the check reads the client's own posts", async () => {
    const server = await spawnServer({}, { key: DEMO.keys.agency });
    await server.call("create_post", { client_id: DEMO.clients.full, text: "Same text" });
    const second = await server.call("create_post", { client_id: DEMO.clients.full, text: "Same text" });
    expect((second.structuredContent as { warnings: string[] }).warnings[0]).toContain("the same text is already in another post");
  });
});

describe("checks before the wire, with the numbers; nothing sent", () => {
  test("local files, long text, client_id missing or pinned, wrong types", async () => {
    const server = await spawnServer();
    const local = await server.call("create_post", { text: "Chart", images: ["/Users/me/chart.png"], });
    expect(text(local)).toContain('- images[0]: is a file on your machine ("/Users/me/chart.png"), which LeadPanther cannot read: upload it first with upload_media');
    const fileUrl = await server.call("create_post", { text: "Doc", document_url: "file:///C:/docs/guide.pdf" });
    expect(text(fileUrl)).toContain("- document_url: is a file on your machine");
    const long = await server.call("create_post", { text: `${"a".repeat(2_998)}\r\n👨‍👩‍👧` });
    expect(text(long)).toContain("- text: text is 3,005 characters, 5 over the 3,000 limit (counted in Unicode code points: a line break CRLF counts 2, an emoji with joiners counts each part)");
    const wrongType = await server.call("create_post", { text: 42 });
    expect(text(wrongType)).toContain("- text: must be a string: the post's text (received a number (42))");
    const agency = await spawnServer({}, { key: DEMO.keys.agency });
    const missing = await agency.call("create_post", { text: "Which client?" });
    expect(text(missing)).toContain("- client_id: is required with an agency key: which client account to work on, a user_id from list_clients");
    const pinned = await spawnServer({ LEADPANTHER_CLIENT_ID: DEMO.clients.full }, { key: DEMO.keys.agency });
    const refused = await pinned.call("create_post", { client_id: DEMO.clients.postsRead, text: "Elsewhere" });
    expect(text(refused)).toContain(`- client_id: this server is pinned to client ${DEMO.clients.full} by the operator (LEADPANTHER_CLIENT_ID)`);
    expect(nonReads()).toEqual([]);
    // The pinned client's own id (in any letter case) names the client the call works on anyway.
    const same = await pinned.call("create_post", { client_id: DEMO.clients.full.toUpperCase(), text: "Here" });
    expect(same.isError, text(same)).toBeFalsy();
    expect(writes("POST", `/clients/${DEMO.clients.full}/posts`)).toHaveLength(1);
  });
});

describe("a confirmation on every client", () => {
  test("without elicitation: a preview and a token, nothing sent; the token does it; replayed with other arguments it is refused", async () => {
    const server = await spawnServer();
    const id = await createDraft(server, "A draft about onboarding emails");
    const twin = await createDraft(server, "A draft about onboarding emails");
    sandbox.clearRequests();
    const first = await server.call("delete_post", { post_id: id });
    expect(first.isError).toBeFalsy();
    const asked = first.structuredContent as { outcome: string; preview: string; confirm: string; expires_at: string };
    expect(asked.outcome).toBe("confirmation_needed");
    expect(asked.preview).toMatch(new RegExp(`^Post ${id} \\(draft, created [^)]+\\): "A draft about onboarding emails"\\. 1 other post has the same text`));
    expect(text(first)).toContain("Show this to the person and wait for their answer.");
    expect(text(first)).toContain(`confirm: "${asked.confirm}"`);
    expect(nonReads()).toEqual([]);
    const replay = await server.call("delete_post", { post_id: twin, confirm: asked.confirm });
    expect(replay.isError).toBe(true);
    expect(text(replay)).toContain("the token was issued for other arguments");
    expect(nonReads()).toEqual([]);
    const done = await server.call("delete_post", { post_id: id, confirm: asked.confirm });
    expect(done.isError, text(done)).toBeFalsy();
    expect(text(done)).toContain(`delete_post: done. Removed: Post ${id}`);
    expect(nonReads()).toEqual([`DELETE /posts/${id}`]);
  });

  test("with form elicitation: the dialog shows the distinguishing details; declining sends nothing", async () => {
    const messages: string[] = [];
    const server = await spawnServer({}, {
      capabilities: { elicitation: { form: {} } },
      prepare: (client) =>
        client.setRequestHandler(ElicitRequestSchema, async (request) => {
          messages.push(request.params.message);
          return { action: "decline" };
        }),
    });
    const id = await createLeadMagnet(server, "Checklist for launches");
    sandbox.clearRequests();
    const declined = await server.call("archive_lead_magnet", { lead_magnet_id: id });
    expect(declined.isError).toBe(true);
    expect(text(declined)).toContain("the person declined the confirmation");
    expect(messages[0]).toContain(`Lead magnet ${id}: "Checklist for launches"`);
    expect(nonReads()).toEqual([]);
  });

  test("LEADPANTHER_CONFIRM_DESTRUCTIVE=false: no preview, no dialog", async () => {
    const server = await spawnServer({ LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" });
    const id = await createDraft(server, "Gone at once");
    const result = await server.call("delete_post", { post_id: id });
    expect(text(result)).toContain(`delete_post: done. Removed: Post ${id}`);
  });

  test("over HTTP, a token from one instance works on another sharing LEADPANTHER_CONFIRM_SECRET", async () => {
    const secret = "shared-confirm-secret-0123456789";
    const instances = await Promise.all([0, 1].map(async () => {
      const runtime = await startRuntime(loadConfig([], { LEADPANTHER_API_KEY: DEMO.keys.directAll, LEADPANTHER_BASE_URL: sandbox.baseUrl, LEADPANTHER_LOG_LEVEL: "error", LEADPANTHER_CONFIRM_SECRET: secret }));
      const http = await startHttpServer(runtime.context, { host: "127.0.0.1", port: 0, allowedOrigins: [] });
      open.push(async () => {
        await http.close(1_000);
        await runtime.close();
      });
      const client = new Client({ name: "http-confirm", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
      open.push(() => client.close());
      return (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
    }));
    const [first, second] = instances as [typeof instances[number], typeof instances[number]];
    const created = await first("create_post", { text: "Behind a load balancer" });
    const id = (created.structuredContent as { created: { id: string } }).created.id;
    sandbox.clearRequests();
    const asked = (await first("delete_post", { post_id: id })).structuredContent as { confirm: string };
    expect(nonReads()).toEqual([]);
    const done = await second("delete_post", { post_id: id, confirm: asked.confirm });
    expect(done.isError, text(done)).toBeFalsy();
    expect(nonReads()).toEqual([`DELETE /posts/${id}`]);
    // An instance with another secret refuses it.
    const runtime = await startRuntime(loadConfig([], { LEADPANTHER_API_KEY: DEMO.keys.directAll, LEADPANTHER_BASE_URL: sandbox.baseUrl, LEADPANTHER_LOG_LEVEL: "error", LEADPANTHER_CONFIRM_SECRET: "another-secret-0123456789-abcdef" }));
    open.push(() => runtime.close());
    const http = await startHttpServer(runtime.context, { host: "127.0.0.1", port: 0, allowedOrigins: [] });
    open.push(() => http.close(1_000));
    const other = new Client({ name: "http-confirm", version: "1.0.0" });
    await other.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    open.push(() => other.close());
    const refused = (await other.callTool({ name: "delete_post", arguments: { post_id: id, confirm: asked.confirm } })) as CallToolResult;
    expect(text(refused)).toContain("the token was issued for other arguments");
  });
});

describe("the pinned client, visible", () => {
  test("get_me names the pinned client and its grant", async () => {
    const server = await spawnServer({ LEADPANTHER_CLIENT_ID: DEMO.clients.full }, { key: DEMO.keys.agency });
    const me = await server.call("get_me");
    const pinned = (me.structuredContent as { pinned_client: { id: string; name: string; grant_status: string; problem?: string } }).pinned_client;
    expect(pinned.id).toBe(DEMO.clients.full);
    expect(pinned.grant_status).toBe("active");
    expect(pinned.problem).toBeUndefined();
    expect(text(me)).toContain(`Pinned client (LEADPANTHER_CLIENT_ID): ${pinned.name} (${DEMO.clients.full}), grant active`);
  });

  test.each([
    ["revoked", DEMO.clients.revoked, "not active"],
    ["lacking scopes", DEMO.clients.postsRead, "its grant lacks"],
    ["unknown", "00000000-0000-4000-8000-00000000ffff", "is not a client of this key"],
  ])("a %s pin is reported at start (stderr, one line) and in get_me; the server runs on", async (_, clientId, problem) => {
    const server = await spawnServer({ LEADPANTHER_CLIENT_ID: clientId }, { key: DEMO.keys.agency });
    const me = await server.call("get_me");
    expect(me.isError).toBeFalsy();
    expect((me.structuredContent as { pinned_client: { problem: string } }).pinned_client.problem).toContain(problem);
    expect(text(me)).toContain(`PROBLEM: LEADPANTHER_CLIENT_ID ${clientId}`);
    const deadline = Date.now() + 5_000;
    while (!server.stderr().includes(problem) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.stderr().split("\n").filter((line) => line.includes(problem))).toHaveLength(1);
  });
});

describe("LEADPANTHER_LEAD_PII=masked", () => {
  test("emails masked, names kept, in both channels of every tool that returns leads", async () => {
    const full = await spawnServer();
    const plain = (await full.call("list_leads", { limit: 100, response_format: "detailed" })).structuredContent as { data: Array<{ name: string; emails: Record<string, string | null> }> };
    const emails = plain.data.flatMap((lead) => Object.values(lead.emails).filter((email): email is string => typeof email === "string"));
    expect(emails.length).toBeGreaterThan(0);
    const masked = await spawnServer({ LEADPANTHER_LEAD_PII: "masked" });
    for (const tool of ["list_leads", "list_activity"]) {
      for (const format of ["concise", "detailed"]) {
        const result = await masked.call(tool, { limit: 100, response_format: format });
        const both = `${text(result)}\n${JSON.stringify(result.structuredContent)}`;
        for (const email of emails) expect(both, `${tool} ${format}`).not.toContain(email);
      }
    }
    const leads = (await masked.call("list_leads", { limit: 100, response_format: "detailed" })).structuredContent as typeof plain;
    expect(plain.data[0]!.name).toMatch(/\S/);
    // Names stay; only an address written inside one (a hostile seed lead has one) is masked.
    expect(leads.data.map((lead) => lead.name)).toEqual(plain.data.map((lead) => maskEmailsInText(lead.name)));
    expect(leads.data.some((lead) => lead.name.includes("•••@"))).toBe(true);
    const first = Object.values(plain.data[0]!.emails).find((email): email is string => typeof email === "string")!;
    expect(JSON.stringify(leads.data[0]!.emails)).toContain(`${first[0]}•••@${first.split("@")[1]}`);
  });
});
