import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATALOG } from "../../src/catalog.js";
import { loadConfig } from "../../src/config.js";
import { diagnose, runDoctor, type DoctorReport } from "../../src/doctor/index.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";

let sandbox: Sandbox;
let renamed: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
  renamed = await startSandbox({ renameRoutes: { "/posts/{postId}/engagement": "/posts/{postId}/stats" } });
});

afterAll(async () => {
  await sandbox?.close();
  await renamed?.close();
});

async function doctor(
  key: string,
  options: { sandbox?: Sandbox; argv?: string[]; env?: Record<string, string> } = {},
): Promise<{ code: number; output: string }> {
  const target = options.sandbox ?? sandbox;
  const config = loadConfig(["doctor", ...(options.argv ?? [])], {
    LEADPANTHER_API_KEY: key,
    LEADPANTHER_BASE_URL: target.baseUrl,
    ...options.env,
  });
  const lines: string[] = [];
  const code = await runDoctor(config, { out: (line) => lines.push(line) });
  return { code, output: lines.join("\n") };
}

async function jsonReport(key: string, options: { sandbox?: Sandbox; env?: Record<string, string> } = {}): Promise<{ code: number; report: DoctorReport }> {
  const { code, output } = await doctor(key, { ...options, argv: ["--json"] });
  return { code, report: JSON.parse(output) as DoctorReport };
}

function expectNoWrites(target: Sandbox): void {
  const writes = target.requests().filter((entry) => entry.method === "POST" || entry.method === "PATCH" || entry.method === "DELETE");
  expect(writes).toEqual([]);
}

describe("doctor", () => {
  it("finds every route of a direct * key present and exits 0", async () => {
    sandbox.clearRequests();
    const { code, output } = await doctor(DEMO.keys.directAll);
    expect(code).toBe(0);
    expect(output).toContain("direct_user");
    expect(output).toContain("tools exposed   20:");
    for (const op of CATALOG) expect(output).toContain(op.name);
    expect(output).toMatch(/0 missing/);
    expect(output).not.toContain(DEMO.keys.directAll);
    expect(output).not.toContain(DEMO.keys.directAll.slice(8));
    expectNoWrites(sandbox);

    const { report } = await jsonReport(DEMO.keys.directAll);
    expect(report.routes.map((route) => route.tool)).toEqual(CATALOG.map((op) => op.name));
    const notOk = report.routes.filter((route) => route.result !== "ok");
    // A direct key lists no clients: get_client has no id to probe with.
    expect(notOk.map((route) => [route.tool, route.result])).toEqual([["get_client", "unverified"]]);
    expect(report.settings.key).toEqual({ prefix: "lp_test_", length: DEMO.keys.directAll.length });
    expect(report.exposedTools).toHaveLength(20);
    expectNoWrites(sandbox);
  });

  it("probes the nested routes of an agency key on a client with an active grant", async () => {
    sandbox.clearRequests();
    const { code, report } = await jsonReport(DEMO.keys.agency);
    expect(code).toBe(0);
    expect(report.me?.actorType).toBe("agency");
    expect(report.probeClient?.userId).toBe(DEMO.clients.full);
    expect(report.probeClient?.grantStatus).toBe("active");
    expect(report.routes.filter((route) => route.result !== "ok")).toEqual([]);
    const posts = report.routes.find((route) => route.tool === "list_posts");
    expect(posts?.route).toBe("/clients/{clientId}/posts");
    const paths = sandbox.requests().map((entry) => entry.path);
    expect(paths).toContain(`/clients/${DEMO.clients.full}/posts`);
    expect(paths.some((path) => path.startsWith("/clients/") && path.includes(DEMO.clients.revoked + "/"))).toBe(false);
    expectNoWrites(sandbox);
  });

  it("names a renamed route as missing and exits 1", async () => {
    renamed.clearRequests();
    const { code, output } = await doctor(DEMO.keys.directAll, { sandbox: renamed });
    expect(code).toBe(1);
    expect(output).toMatch(/get_post_engagement\s+GET\s+\/posts\/\{postId\}\/engagement\s+inferred\s+missing/);
    expect(output).toContain("Missing: get_post_engagement.");
    expectNoWrites(renamed);

    const agency = await jsonReport(DEMO.keys.agency, { sandbox: renamed });
    expect(agency.code).toBe(1);
    expect(agency.report.routes.filter((route) => route.result === "missing").map((route) => route.tool)).toEqual(["get_post_engagement"]);
    expectNoWrites(renamed);
  });

  it("probes writes only with methods the API refuses: PUT where a GET shares the path, else GET", async () => {
    sandbox.clearRequests();
    await doctor(DEMO.keys.directAll);
    const methods = new Set(sandbox.requests().map((entry) => entry.method));
    expect([...methods].sort()).toEqual(["GET", "PUT"]);
    const refused = sandbox.requests().filter((entry) => entry.method === "PUT" || entry.path.startsWith("/media"));
    expect(refused.length).toBe(CATALOG.filter((op) => op.effect !== "read").length);
    for (const entry of refused) expect(entry.status).toBe(405);
    // Lists are read with limit=1.
    const lists = sandbox.requests().filter((entry) => entry.method === "GET" && ["/posts", "/lead-magnets", "/leads", "/activity"].includes(entry.path));
    for (const entry of lists) expect(entry.query).toEqual({ limit: "1" });
  });

  it("does not send reads the key's scopes do not allow", async () => {
    sandbox.clearRequests();
    const { code, report } = await jsonReport(DEMO.keys.directPostsRead);
    expect(code).toBe(0);
    const leads = report.routes.find((route) => route.tool === "list_leads");
    expect(leads).toMatchObject({ result: "forbidden", probe: null });
    expect(leads?.detail).toContain("leads:read");
    expect(sandbox.requests().some((entry) => entry.path === "/leads")).toBe(false);
    expect(report.exposedTools).toEqual(["get_api_info", "get_me", "list_posts", "get_post"]);
    expectNoWrites(sandbox);
  });

  it("exits 2 for a key with a copy-and-paste problem, before any request, without printing it", async () => {
    sandbox.clearRequests();
    const quoted = `"${DEMO.keys.directAll}"`;
    const { code, output } = await doctor(quoted);
    expect(code).toBe(2);
    expect(output).toContain("quote");
    expect(output).not.toContain(DEMO.keys.directAll.slice(8));
    expect(sandbox.requests()).toEqual([]);

    const missing = loadConfig(["doctor"], { LEADPANTHER_BASE_URL: sandbox.baseUrl });
    const lines: string[] = [];
    expect(await runDoctor(missing, { out: (line) => lines.push(line) })).toBe(2);
    expect(lines.join("\n")).toContain("LEADPANTHER_API_KEY");
  });

  it("exits 2 when a pinned client contradicts a direct key", async () => {
    const { code, report } = await jsonReport(DEMO.keys.directAll, { env: { LEADPANTHER_CLIENT_ID: DEMO.clients.full } });
    expect(code).toBe(2);
    expect(report.problems.join(" ")).toContain("LEADPANTHER_CLIENT_ID");
    expect(report.exposedTools).toEqual(["get_api_info", "get_me"]);
  });

  it("exits 1 when GET /me refuses the key", async () => {
    const { code, report } = await jsonReport(DEMO.keys.revoked);
    expect(code).toBe(1);
    expect(report.me?.ok).toBe(false);
    expect(report.me?.detail).toContain("unauthorized");
    expect(JSON.stringify(report)).not.toContain(DEMO.keys.revoked.slice(8));
  });

  it("exits 1 with a clear line when the API cannot be reached", async () => {
    const closed = await startSandbox();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const config = loadConfig(["doctor"], { LEADPANTHER_API_KEY: DEMO.keys.directAll, LEADPANTHER_BASE_URL: baseUrl, LEADPANTHER_TIMEOUT_MS: "2000" });
    const report = await diagnose(config);
    expect(report.exitCode).toBe(1);
    expect(report.api?.ok).toBe(false);
    expect(report.api?.detail).toContain("GET / failed");
  });

  it("runs against the bundled sandbox with --sandbox", async () => {
    const config = loadConfig(["doctor", "--sandbox", "--json"], {});
    const lines: string[] = [];
    const code = await runDoctor(config, { out: (line) => lines.push(line) });
    expect(code).toBe(0);
    const report = JSON.parse(lines.join("\n")) as DoctorReport;
    expect(report.settings.sandbox).toBe(true);
    expect(report.summary.missing).toBe(0);
    expect(lines.join("\n")).not.toContain(DEMO.keys.directAll.slice(8));
  });
});
