import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { runDoctor, type DoctorReport } from "../../src/doctor/index.js";

/**
 * doctor against a stand-in that is faithful to the contract but not to this project's sandbox:
 * an unknown method on an existing path reads as not_found, and a 405 carries no Allow header.
 * Neither may be reported as a missing route.
 */

const ID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
let server: Server;
let baseUrl: string;
const methods: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? "").replace(/^\/api\/v1/, "").split("?")[0] ?? "";
    methods.push(req.method ?? "");
    if (req.method === "PUT") return send(404, { error: { code: "not_found", message: "Not found." }, request_id: "req_a" });
    if (path.startsWith("/media")) return send(405, { error: { code: "method_not_allowed", message: "Method not allowed." }, request_id: "req_b" });
    if (path === "/") return send(200, { data: { name: "LeadPanther API", version: "v1" }, request_id: "req_c" });
    if (path === "/me") return send(200, { data: { actor_type: "direct_user", scopes: ["*"], owner: { user_id: ID } }, request_id: "req_d" });
    if (/^\/(clients|posts|lead-magnets|leads|activity)$/.test(path)) {
      return send(200, { data: [{ id: ID, user_id: ID }], pagination: { limit: 1, offset: 0, has_more: false }, request_id: "req_e" });
    }
    return send(200, { data: { id: ID }, request_id: "req_f" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it("a PUT answered not_found on a path that answers GET, and a 405 without Allow, are unverified, not missing", async () => {
  const lines: string[] = [];
  const config = loadConfig(["doctor", "--json"], { LEADPANTHER_API_KEY: "lp_test_standin0000000000000001", LEADPANTHER_BASE_URL: baseUrl });
  const code = await runDoctor(config, { out: (line) => lines.push(line) });
  const report = JSON.parse(lines.join("\n")) as DoctorReport;
  const byTool = new Map(report.routes.map((route) => [route.tool, route.result]));
  expect(report.routes.filter((route) => route.result === "missing")).toEqual([]);
  expect(byTool.get("update_post")).toBe("unverified");
  expect(byTool.get("delete_post")).toBe("unverified");
  expect(byTool.get("upload_media")).toBe("unverified");
  expect(byTool.get("list_posts")).toBe("ok");
  expect(code).toBe(0);
  expect(methods.filter((method) => method === "POST" || method === "PATCH" || method === "DELETE")).toEqual([]);
});
