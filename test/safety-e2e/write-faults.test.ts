import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DEMO, type FaultSpec, type Sandbox } from "../../src/sandbox/index.js";
import { startStack, structured, useSandbox, type Stack } from "../fixtures/stack.js";
import { malformedResult, resultText } from "./helpers.js";

/**
 * Write safety, proven with the sandbox's faults: whatever goes wrong on the wire after a write
 * was sent, it is sent exactly once, applied at most once, and the result says what is known
 * (OUTCOME UNKNOWN, or applied with an unreadable answer) and which tool to check first.
 */

const direct = DEMO.users.direct;
/** The shortest deadline the settings allow; the delay fault outlasts it. */
const TIMEOUT_MS = 1_000;
const TINY_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

let sandbox: Sandbox;
let s: Stack;

useSandbox((started) => {
  sandbox = started;
});
beforeEach(async () => {
  // The confirmation (dialog or token) is tested in confirm.test.ts; here the write itself.
  s = await startStack({ sandbox, key: DEMO.keys.directAll, env: { LEADPANTHER_TIMEOUT_MS: String(TIMEOUT_MS), LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" } });
});
afterEach(async () => {
  await s.close();
});

interface Prepared {
  args: Record<string, unknown>;
  /** Path of the write, relative to /api/v1, without query (as the fault and the log see it). */
  path: string;
  /** How many times the write took effect in the sandbox's store. */
  applications: () => number;
}

interface WriteCase {
  tool: string;
  method: "POST" | "PATCH" | "DELETE";
  /** The tool the result must name to check the outcome. */
  verifyWith: string;
  prepare: () => Promise<Prepared>;
}

function unique(label: string): string {
  return `${label} ${Math.random().toString(36).slice(2)}`;
}

function postWithStatus(status: string): string {
  const post = sandbox.store.postsOf(direct).find((candidate) => candidate.status === status);
  if (!post) throw new Error(`no ${status} post seeded`);
  return post.id;
}

function leadMagnetId(): string {
  const magnet = sandbox.store.leadMagnetsOf(direct)[0];
  if (!magnet) throw new Error("no lead magnet seeded");
  return magnet.id;
}

const CASES: WriteCase[] = [
  {
    tool: "create_post",
    method: "POST",
    verifyWith: "list_posts",
    prepare: async () => {
      const text = unique("Fault test post");
      return { args: { text }, path: "/posts", applications: () => sandbox.store.postsOf(direct).filter((post) => post.text === text).length };
    },
  },
  {
    tool: "update_post",
    method: "PATCH",
    verifyWith: "get_post",
    prepare: async () => {
      const id = postWithStatus("draft");
      const text = unique("Changed under a fault");
      return {
        args: { post_id: id, text },
        path: `/posts/${id}`,
        applications: () => sandbox.store.postsOf(direct).filter((post) => post.id === id && post.text === text).length,
      };
    },
  },
  {
    tool: "delete_post",
    method: "DELETE",
    verifyWith: "get_post",
    prepare: async () => {
      const id = postWithStatus("draft");
      return { args: { post_id: id }, path: `/posts/${id}`, applications: () => (sandbox.store.postsOf(direct).some((post) => post.id === id) ? 0 : 1) };
    },
  },
  {
    tool: "create_lead_magnet",
    method: "POST",
    verifyWith: "list_lead_magnets",
    prepare: async () => {
      const title = unique("Fault guide");
      return {
        args: { title, delivery_mode: "external_link", resource_link: "https://example.com/guide.pdf" },
        path: "/lead-magnets",
        applications: () => sandbox.store.leadMagnetsOf(direct).filter((magnet) => magnet.title === title).length,
      };
    },
  },
  {
    tool: "update_lead_magnet",
    method: "PATCH",
    verifyWith: "get_lead_magnet",
    prepare: async () => {
      const id = leadMagnetId();
      const title = unique("Renamed under a fault");
      return {
        args: { lead_magnet_id: id, title },
        path: `/lead-magnets/${id}`,
        applications: () => sandbox.store.leadMagnetsOf(direct).filter((magnet) => magnet.id === id && magnet.title === title).length,
      };
    },
  },
  {
    tool: "archive_lead_magnet",
    method: "DELETE",
    verifyWith: "get_lead_magnet",
    prepare: async () => {
      const id = leadMagnetId();
      return {
        args: { lead_magnet_id: id },
        path: `/lead-magnets/${id}`,
        applications: () => sandbox.store.archivedLeadMagnetsOf(direct).filter((magnet) => magnet.id === id).length,
      };
    },
  },
  {
    tool: "delete_media",
    method: "DELETE",
    verifyWith: "delete_media",
    prepare: async () => {
      const upload = structured(await s.call("upload_media", { content_base64: TINY_PNG.toString("base64"), file_name: "dot.png" })).data as {
        path: string;
        bucket: string;
      };
      expect(sandbox.media.get(upload.bucket, upload.path)).toBeDefined();
      return { args: { path: upload.path }, path: "/media", applications: () => (sandbox.media.get(upload.bucket, upload.path) === undefined ? 1 : 0) };
    },
  },
];

type Fault = { label: string; spec: (method: string, path: string) => FaultSpec; applied: "once" | "never" | "at most once"; says: "unknown" | "applied" };

const FAULTS: Fault[] = [
  { label: "reset after apply", spec: (method, path) => ({ method, path, kind: "reset-after-apply" }), applied: "once", says: "unknown" },
  { label: "reset before apply", spec: (method, path) => ({ method, path, kind: "reset-before-apply" }), applied: "never", says: "unknown" },
  { label: "503 from a proxy", spec: (method, path) => ({ method, path, kind: "status", status: 503 }), applied: "never", says: "unknown" },
  { label: "an HTML 502 page", spec: (method, path) => ({ method, path, kind: "html", status: 502 }), applied: "never", says: "unknown" },
  { label: "no answer within the deadline", spec: (method, path) => ({ method, path, kind: "delay", ms: TIMEOUT_MS + 400 }), applied: "at most once", says: "unknown" },
  { label: "a truncated 2xx answer", spec: (method, path) => ({ method, path, kind: "truncated-json" }), applied: "once", says: "applied" },
];

function writesTo(method: string, path: string): number {
  return sandbox.requests().filter((entry) => entry.method === method && entry.path === path).length;
}

describe("a write is sent once and applied at most once, whatever breaks after it left", () => {
  for (const writeCase of CASES) {
    for (const fault of FAULTS) {
      test(`${writeCase.tool}: ${fault.label}`, async () => {
        const prepared = await writeCase.prepare();
        expect(prepared.applications(), "nothing applied before the call").toBe(0);
        sandbox.clearRequests();
        sandbox.faults.inject(fault.spec(writeCase.method, prepared.path));

        const result = await s.call(writeCase.tool, prepared.args);
        expect(malformedResult(result)).toBeUndefined();
        const text = resultText(result);

        if (fault.applied === "at most once") await sleep(600); // let the delayed request finish on the sandbox's side
        expect(writesTo(writeCase.method, prepared.path), "exactly one write request on the wire").toBe(1);
        expect(sandbox.requests().filter((entry) => entry.method !== "GET"), "no other write").toHaveLength(1);
        const applications = prepared.applications();
        if (fault.applied === "once") expect(applications).toBe(1);
        else if (fault.applied === "never") expect(applications).toBe(0);
        else expect(applications).toBeLessThanOrEqual(1);

        // delete_media has no read route: its lost answers stay unknown. The others are settled by reading.
        const settles = writeCase.tool !== "delete_media";
        if (fault.says === "applied") {
          expect(result.isError).toBe(true);
          expect(text).toContain("outcome: applied (answer unreadable)");
          expect(text).toContain("Do not repeat the call");
          expect(text).toContain(writeCase.verifyWith);
        } else if (!settles) {
          expect(result.isError).toBe(true);
          expect(text).toContain("outcome: UNKNOWN");
          expect(text).toContain("OUTCOME UNKNOWN");
          expect(text).toContain(`Do not simply call ${writeCase.tool} again`);
          expect(text).toContain(writeCase.verifyWith);
        } else if (fault.applied === "once") {
          expect(result.isError, text).toBeFalsy();
          expect(text).toContain(`${writeCase.tool}: APPLIED.`);
          expect(text).toContain(`checked: ${writeCase.verifyWith}`);
        } else if (fault.applied === "never") {
          expect(result.isError).toBe(true);
          expect(text).toContain(`${writeCase.tool}: NOT APPLIED.`);
          expect(text).toContain(`checked: ${writeCase.verifyWith}`);
          expect(text).toContain(`it is safe to call ${writeCase.tool} again`);
        } else {
          // Timed out while LeadPanther may still be working: what the read showed, and no all-clear.
          expect(result.isError === true).toBe(text.includes("NOT APPLIED SO FAR"));
          expect(text).toMatch(new RegExp(`${writeCase.tool}: (NOT APPLIED SO FAR|APPLIED)\\.`));
          expect(text).not.toContain("safe to call");
          expect(text).toContain(`checked: ${writeCase.verifyWith}`);
        }
        expect(text).toMatch(/request_id: \S+/);
      });
    }
  }
});

describe("upload_media under faults: one upload-URL request, one PUT at most", () => {
  test("reset after the upload-URL request was applied: outcome unknown, no PUT", async () => {
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "POST", path: "/media/upload-url", kind: "reset-after-apply" });
    const result = await s.call("upload_media", { content_base64: TINY_PNG.toString("base64"), file_name: "dot.png" });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain("OUTCOME UNKNOWN");
    expect(writesTo("POST", "/media/upload-url")).toBe(1);
    expect(sandbox.requests().filter((entry) => entry.method === "PUT")).toHaveLength(0);
  });

  test("reset after the signed-URL PUT was stored: one PUT, the file stored once, the result names the uncertain path", async () => {
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "PUT", path: /^\/storage\//, kind: "reset-after-apply" });
    const result = await s.call("upload_media", { content_base64: TINY_PNG.toString("base64"), file_name: "dot.png" });
    expect(result.isError).toBe(true);
    const text = resultText(result);
    const puts = sandbox.requests().filter((entry) => entry.method === "PUT");
    expect(puts).toHaveLength(1);
    expect(writesTo("POST", "/media/upload-url")).toBe(1);
    const path = /may or may not be stored at (\S+?)\. Call/.exec(text)?.[1];
    expect(path, text).toBeDefined();
    expect(puts[0]?.path).toBe(`/storage/content-images/${path ?? ""}`);
    expect(sandbox.media.get("content-images", path ?? "")?.equals(TINY_PNG)).toBe(true);
    expect(text).toContain("delete_media");
  });
});

describe("update_lead_magnet: a lost answer to a change of one hosted_page field", () => {
  test("settled as applied when the page holds the field sent, its other fields untouched", async () => {
    const magnet = sandbox.store.leadMagnetsOf(direct).find((candidate) => candidate.hosted_page !== null && candidate.hosted_page.content !== null);
    if (!magnet) throw new Error("no lead magnet with a hosted page seeded");
    const headline = unique("Headline under a fault");
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "PATCH", path: `/lead-magnets/${magnet.id}`, kind: "reset-after-apply" });

    const result = await s.call("update_lead_magnet", { lead_magnet_id: magnet.id, hosted_page: { headline } });
    const text = resultText(result);
    expect(writesTo("PATCH", `/lead-magnets/${magnet.id}`)).toBe(1);
    expect(sandbox.store.leadMagnetsOf(direct).find((candidate) => candidate.id === magnet.id)?.hosted_page?.headline).toBe(headline);
    expect(result.isError, text).toBeFalsy();
    expect(text).toContain("update_lead_magnet: APPLIED.");
    expect(text).toContain(`- hosted_page.headline:`);
    expect(text).not.toContain("NOT APPLIED");
  });
});

describe("upload_media: a 5xx from storage after the file was stored", () => {
  test("the result says the file may be stored, names its path and how to remove it; one PUT", async () => {
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "PUT", path: /^\/storage\//, kind: "status-after-apply", status: 500 });
    const result = await s.call("upload_media", { content_base64: TINY_PNG.toString("base64"), file_name: "dot.png" });
    expect(result.isError).toBe(true);
    const text = resultText(result);
    const puts = sandbox.requests().filter((entry) => entry.method === "PUT");
    expect(puts).toHaveLength(1);
    const path = /may or may not be stored at (\S+?)\. Call/.exec(text)?.[1];
    expect(path, text).toBeDefined();
    expect(sandbox.media.get("content-images", path ?? "")?.equals(TINY_PNG)).toBe(true);
    expect(text).not.toContain("not stored");
    expect(text).toContain(`delete_media with ${path ?? ""}`);
  });
});

describe("a lost create is never taken for an identical record made moments before", () => {
  test("create_post: the same text created seconds earlier is not this call's post; the lost write is reported not applied", async () => {
    const text = unique("Posted twice");
    const first = await s.call("create_post", { text });
    const firstId = structured<{ created: { id: string } }>(first).created.id;
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "POST", path: "/posts", kind: "status", status: 503 });

    const second = await s.call("create_post", { text });
    const secondText = resultText(second);
    expect(sandbox.store.postsOf(direct).filter((post) => post.text === text)).toHaveLength(1);
    expect(writesTo("POST", "/posts")).toBe(1);
    expect(second.isError, secondText).toBe(true);
    expect(secondText).toContain("create_post: NOT APPLIED.");
    expect(secondText).not.toContain(`created post ${firstId}`);
  });

  test("create_lead_magnet: an identical title created seconds earlier leaves the outcome unknown, naming that record", async () => {
    const args = { title: unique("Guide made twice"), delivery_mode: "external_link", resource_link: "https://example.com/guide.pdf" };
    const first = await s.call("create_lead_magnet", args);
    const firstId = structured<{ created: { id: string } }>(first).created.id;
    sandbox.clearRequests();
    sandbox.faults.inject({ method: "POST", path: "/lead-magnets", kind: "status", status: 503 });

    const second = await s.call("create_lead_magnet", args);
    const secondText = resultText(second);
    expect(sandbox.store.leadMagnetsOf(direct).filter((magnet) => magnet.title === args.title)).toHaveLength(1);
    expect(writesTo("POST", "/lead-magnets")).toBe(1);
    expect(second.isError, secondText).toBe(true);
    expect(secondText).toContain("create_lead_magnet: OUTCOME STILL UNKNOWN.");
    expect(secondText).toContain(firstId);
    expect(secondText).not.toContain(`created lead magnet ${firstId}`);
  });
});
