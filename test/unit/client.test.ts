import { describe, expect, test } from "vitest";
import { ApiClient, parseRetryAfter } from "../../src/api/client.js";
import { ApiError, describeTransportProblem } from "../../src/api/errors.js";
import { createAgent, timeoutsFrom } from "../../src/api/http.js";
import { createLogger } from "../../src/log.js";
import { startSandbox } from "../../src/sandbox/index.js";

const silent = createLogger({ level: "error", write: () => undefined });

describe("writes are resent only when the connection was never made", () => {
  test("a POST to a port where nothing listens is tried 3 times and reported as not applied", async () => {
    const sandbox = await startSandbox();
    const baseUrl = sandbox.baseUrl;
    await sandbox.close();
    const api = new ApiClient({ baseUrl, apiKey: "lp_test_x", dispatcher: createAgent(timeoutsFrom(5_000)), timeoutMs: 5_000, logger: silent, backoffBaseMs: 10 });
    const error = await api.call({ method: "POST", path: "/posts", route: "/posts", body: { text: "x" }, authenticated: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: "network", outcome: "not_applied", attempts: 3 });
    expect((error as ApiError).message).toContain("connection was refused");
  });
});

describe("a call without an answer is reported as facts; the layer above names its settings", () => {
  test("a refused connection: kind, host and code; the client's own wording names no setting", async () => {
    const sandbox = await startSandbox();
    const baseUrl = sandbox.baseUrl;
    await sandbox.close();
    const host = new URL(baseUrl).host;
    const plain = new ApiClient({ baseUrl, apiKey: "lp_test_x", dispatcher: createAgent(timeoutsFrom(5_000)), timeoutMs: 5_000, logger: silent, backoffBaseMs: 10 });
    const error = (await plain.call({ method: "GET", path: "/me", route: "/me", authenticated: true }).catch((e: unknown) => e)) as ApiError;
    expect(error.problem).toEqual({ kind: "network", host, code: "ECONNREFUSED" });
    expect(error.message).toBe(`Could not connect to ${host}: the connection was refused. Check the API base URL and that the service is up.`);
    expect(error.message).not.toMatch(/LEADPANTHER_/);

    const worded = new ApiClient({
      baseUrl,
      apiKey: "lp_test_x",
      dispatcher: createAgent(timeoutsFrom(5_000)),
      timeoutMs: 5_000,
      logger: silent,
      backoffBaseMs: 10,
      describeProblem: (problem) => describeTransportProblem(problem, { timeoutSetting: "LEADPANTHER_TIMEOUT_MS", baseUrlSetting: "LEADPANTHER_BASE_URL" }),
    });
    const again = (await worded.call({ method: "GET", path: "/me", route: "/me", authenticated: true }).catch((e: unknown) => e)) as ApiError;
    expect(again.message).toBe(`Could not connect to ${host}: the connection was refused. Check LEADPANTHER_BASE_URL and that the service is up.`);
  });

  test("timeouts carry the deadline; the setting appears only when the caller names it", () => {
    expect(describeTransportProblem({ kind: "no_answer_in_time", timeoutMs: 1000 })).toBe("LeadPanther did not answer within 1000 ms.");
    expect(describeTransportProblem({ kind: "answer_unfinished_in_time", timeoutMs: 1000, status: 200 }, { timeoutSetting: "LEADPANTHER_TIMEOUT_MS" })).toBe(
      "LeadPanther's answer (HTTP 200) did not finish within 1000 ms (LEADPANTHER_TIMEOUT_MS).",
    );
  });
});

describe("Retry-After (RFC 9110)", () => {
  test("seconds, an HTTP date, garbage, and the 10-minute cap", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(5000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("86400")).toBe(600_000);
  });
});

describe("reads honour Retry-After", () => {
  test("a GET answered 429 with Retry-After: 1 waits at least a second, then succeeds", async () => {
    const sandbox = await startSandbox();
    const { DEMO } = await import("../../src/sandbox/index.js");
    const api = new ApiClient({ baseUrl: sandbox.baseUrl, apiKey: DEMO.keys.directAll, dispatcher: createAgent(timeoutsFrom(10_000)), timeoutMs: 10_000, logger: silent });
    sandbox.faults.inject({ method: "GET", path: "/posts", kind: "status", status: 429, retryAfter: "1" });
    const started = Date.now();
    const result = await api.call({ method: "GET", path: "/posts", route: "/posts", query: { limit: 1 }, authenticated: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(result.status).toBe(200);
    expect(sandbox.requests().map((entry) => entry.status)).toEqual([429, 200]);
    await sandbox.close();
  });

  test("a Retry-After beyond the deadline is not waited for: the 429 is reported at once", async () => {
    const sandbox = await startSandbox();
    const { DEMO } = await import("../../src/sandbox/index.js");
    const api = new ApiClient({ baseUrl: sandbox.baseUrl, apiKey: DEMO.keys.directAll, dispatcher: createAgent(timeoutsFrom(2_000)), timeoutMs: 2_000, logger: silent });
    sandbox.faults.inject({ method: "GET", path: "/posts", kind: "status", status: 429, retryAfter: "120" });
    const started = Date.now();
    const error = await api.call({ method: "GET", path: "/posts", route: "/posts", authenticated: true }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 120, attempts: 1 });
    await sandbox.close();
  });
});

describe("the query string", () => {
  test("every value arrives as given: spaces, plus signs, slashes, ampersands and non-ASCII; undefined ones are left out", async () => {
    const sandbox = await startSandbox();
    const { DEMO } = await import("../../src/sandbox/index.js");
    const api = new ApiClient({ baseUrl: sandbox.baseUrl, apiKey: DEMO.keys.directAll, dispatcher: createAgent(timeoutsFrom(10_000)), timeoutMs: 10_000, logger: silent });
    const awkward = "media/u 1/a+b&c=d?é#x%20.png";
    // The sandbox refuses a parameter /posts does not take (400), after logging what arrived.
    await api.call({ method: "GET", path: "/posts", route: "/posts", query: { limit: 2, offset: undefined, note: awkward }, authenticated: true }).catch(() => undefined);
    const [entry] = sandbox.requests();
    expect(entry?.path).toBe("/posts");
    expect(entry?.query).toEqual({ limit: "2", note: awkward });
    await sandbox.close();
  });

  test("half a surrogate pair goes as U+FFFD rather than failing the call before it is sent", async () => {
    const sandbox = await startSandbox();
    const { DEMO } = await import("../../src/sandbox/index.js");
    const api = new ApiClient({ baseUrl: sandbox.baseUrl, apiKey: DEMO.keys.directAll, dispatcher: createAgent(timeoutsFrom(10_000)), timeoutMs: 10_000, logger: silent });
    const failure = await api.call({ method: "GET", path: "/posts", route: "/posts", query: { note: "a\ud800b\udc00" }, authenticated: true }).catch((error: unknown) => error);
    // The sandbox answered (a 400 for the parameter it does not take), so the request was sent.
    expect(failure).toMatchObject({ kind: "http", status: 400 });
    expect(sandbox.requests()[0]?.query).toEqual({ note: "a\ufffdb\ufffd" });
    await sandbox.close();
  });
});
