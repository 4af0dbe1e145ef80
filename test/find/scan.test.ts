import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ApiClient, type Pagination } from "../../src/api/client.js";
import { ApiError } from "../../src/api/errors.js";
import { createAgent, timeoutsFrom } from "../../src/api/http.js";
import { FIND_FILTERS } from "../../src/find/filters.js";
import { apiPages, isRateLimitError, scan, type ScanOptions, type ScanPage, type ScanProgress } from "../../src/find/scan.js";
import { createLogger } from "../../src/log.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";

/** A collection of the numbers 0…size-1, served by offset like the API, with a log of requests. */
interface FakeCollection {
  fetchPage: ScanOptions<number>["fetchPage"];
  requests: { offset: number; limit: number }[];
  /** Most page requests in flight at once. */
  peakInFlight: () => number;
  aborted: number[];
}

interface FakeOptions {
  /** A page's answer may be shorter than asked (a server with a lower cap): its length. */
  pageCap?: number;
  delayMs?: (offset: number) => number;
  /** Offsets whose page fails with this error. */
  failures?: Map<number, unknown>;
  /** Pages that never answer and ignore their signal. */
  hangAt?: Set<number>;
  /** Items answered regardless of the limit asked (a server ignoring limit). */
  ignoreLimit?: number;
}

function fakeCollection(size: number, options: FakeOptions = {}): FakeCollection {
  const requests: { offset: number; limit: number }[] = [];
  const aborted: number[] = [];
  let inFlight = 0;
  let peak = 0;
  const fetchPage = async (offset: number, limit: number, signal: AbortSignal): Promise<ScanPage<number>> => {
    requests.push({ offset, limit });
    signal.addEventListener("abort", () => aborted.push(offset), { once: true });
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      if (options.hangAt?.has(offset)) await new Promise(() => undefined);
      const delay = options.delayMs?.(offset) ?? 0;
      if (delay > 0) await sleep(delay, undefined, { signal });
      const failure = options.failures?.get(offset);
      if (failure !== undefined) throw failure;
      const count = options.ignoreLimit ?? Math.min(limit, options.pageCap ?? limit);
      const items: number[] = [];
      for (let position = offset; position < Math.min(size, offset + count); position++) items.push(position);
      return { items, hasMore: offset + items.length < size };
    } finally {
      inFlight -= 1;
    }
  };
  return { fetchPage, requests, peakInFlight: () => peak, aborted };
}

const never = new AbortController().signal;

function rateLimited(retryAfterSeconds?: number): ApiError {
  return new ApiError({ kind: "http", status: 429, message: "LeadPanther answered HTTP 429: too many requests.", requestId: "req_x", attempts: 3, outcome: "not_applied", retryAfterSeconds });
}

describe("nextOffset is the first record not examined", () => {
  test("a whole collection: complete, every match, no nextOffset", async () => {
    const data = fakeCollection(250);
    const result = await scan({ fetchPage: data.fetchPage, match: (n) => n % 2 === 0, limit: 1000, startOffset: 0, signal: never });
    expect(result).toMatchObject({ scanned: 250, matched: 125, complete: true });
    expect(result.nextOffset).toBeUndefined();
    expect(result.stoppedBy).toBeUndefined();
    expect(result.matches).toEqual(Array.from({ length: 125 }, (_, k) => 2 * k));
    expect(result.matchOffsets).toEqual(result.matches);
    expect(data.requests).toEqual([{ offset: 0, limit: 100 }, { offset: 100, limit: 100 }, { offset: 200, limit: 100 }]);
  });

  test("the limit reached on a page's last record: resume at the next page", async () => {
    const data = fakeCollection(300);
    const result = await scan({ fetchPage: data.fetchPage, match: (n) => n === 99 || n === 100, limit: 1, startOffset: 0, signal: never });
    expect(result).toMatchObject({ matches: [99], scanned: 100, complete: false, nextOffset: 100, stoppedBy: "limit" });
    expect(data.requests).toEqual([{ offset: 0, limit: 100 }]);
    const rest = await scan({ fetchPage: data.fetchPage, match: (n) => n === 99 || n === 100, limit: 1, startOffset: 100, signal: never });
    expect(rest).toMatchObject({ matches: [100], scanned: 1, nextOffset: 101, stoppedBy: "limit" });
  });

  test("the limit reached mid-page: resume right after the last match, missing and repeating nothing", async () => {
    const data = fakeCollection(300);
    const match = (n: number): boolean => n % 7 === 0;
    const first = await scan({ fetchPage: data.fetchPage, match, limit: 3, startOffset: 0, signal: never });
    expect(first).toMatchObject({ matches: [0, 7, 14], scanned: 15, nextOffset: 15, complete: false, stoppedBy: "limit" });
    const second = await scan({ fetchPage: data.fetchPage, match, limit: 3, startOffset: first.nextOffset ?? -1, signal: never });
    expect(second).toMatchObject({ matches: [21, 28, 35], scanned: 21, nextOffset: 36 });
  });

  test("the limit reached on the collection's last record is complete", async () => {
    const data = fakeCollection(150);
    const result = await scan({ fetchPage: data.fetchPage, match: (n) => n === 149, limit: 1, startOffset: 0, signal: never });
    expect(result).toMatchObject({ matches: [149], scanned: 150, complete: true });
    expect(result.nextOffset).toBeUndefined();
  });

  test("starting past the end is complete at once", async () => {
    const data = fakeCollection(50);
    const result = await scan({ fetchPage: data.fetchPage, match: () => true, limit: 5, startOffset: 80, signal: never });
    expect(result).toMatchObject({ matches: [], scanned: 0, complete: true });
  });

  test("property: resuming until complete yields exactly the matches of the whole collection, in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          size: fc.integer({ min: 0, max: 260 }),
          pageSize: fc.integer({ min: 1, max: 100 }),
          limit: fc.integer({ min: 1, max: 40 }),
          modulus: fc.integer({ min: 1, max: 30 }),
          concurrency: fc.integer({ min: 1, max: 4 }),
          pageCap: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
          maxScan: fc.integer({ min: 1, max: 300 }),
        }),
        async ({ size, pageSize, limit, modulus, concurrency, pageCap, maxScan }) => {
          const data = fakeCollection(size, pageCap === undefined ? {} : { pageCap });
          const match = (n: number): boolean => n % modulus === 0;
          const found: number[] = [];
          let offset = 0;
          for (let calls = 0; calls < 1000; calls++) {
            const result = await scan({ fetchPage: data.fetchPage, match, limit, startOffset: offset, pageSize, concurrency, maxScan, signal: never });
            found.push(...result.matches);
            expect(result.matchOffsets).toEqual(result.matches);
            expect(result.matched).toBe(result.matches.length);
            expect(result.scanned).toBeLessThanOrEqual(maxScan);
            if (result.complete) {
              expect(result.nextOffset).toBeUndefined();
              break;
            }
            expect(result.nextOffset).toBe(offset + result.scanned);
            expect(result.nextOffset).toBeGreaterThan(offset);
            offset = result.nextOffset ?? -1;
          }
          expect(found).toEqual(Array.from({ length: size }, (_, n) => n).filter(match));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("the scan cap", () => {
  test("stops after maxScan records, asking for no more than it will examine", async () => {
    const data = fakeCollection(1000);
    const result = await scan({ fetchPage: data.fetchPage, match: () => false, limit: 10, startOffset: 40, maxScan: 250, signal: never });
    expect(result).toMatchObject({ scanned: 250, matched: 0, complete: false, nextOffset: 290, stoppedBy: "max_scan" });
    expect(data.requests).toEqual([{ offset: 40, limit: 100 }, { offset: 140, limit: 100 }, { offset: 240, limit: 50 }]);
  });

  test("a collection that ends exactly at the cap is complete, not capped", async () => {
    const data = fakeCollection(200);
    const result = await scan({ fetchPage: data.fetchPage, match: () => false, limit: 10, startOffset: 0, maxScan: 200, signal: never });
    expect(result).toMatchObject({ scanned: 200, complete: true });
  });

  test("a server that sends more than asked: nothing past the cap is examined", async () => {
    const data = fakeCollection(1000, { ignoreLimit: 500 });
    const result = await scan({ fetchPage: data.fetchPage, match: (n) => n % 10 === 0, limit: 1000, startOffset: 0, maxScan: 120, signal: never });
    expect(result).toMatchObject({ scanned: 120, nextOffset: 120, stoppedBy: "max_scan" });
    expect(result.matches).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]);
  });

  test("defaults to 5,000 and refuses more than 20,000", async () => {
    const data = fakeCollection(6000);
    const result = await scan({ fetchPage: data.fetchPage, match: () => false, limit: 1, startOffset: 0, signal: never });
    expect(result).toMatchObject({ scanned: 5000, nextOffset: 5000, stoppedBy: "max_scan" });
    await expect(scan({ fetchPage: data.fetchPage, match: () => false, limit: 1, startOffset: 0, maxScan: 20_001, signal: never })).rejects.toThrow(
      /maxScan must be a whole number from 1 to 20000/,
    );
    await expect(scan({ fetchPage: data.fetchPage, match: () => false, limit: 0, startOffset: 0, signal: never })).rejects.toThrow(RangeError);
    await expect(scan({ fetchPage: data.fetchPage, match: () => false, limit: 1, startOffset: 0, pageSize: 101, signal: never })).rejects.toThrow(RangeError);
  });

  test("an empty page that claims more is passed over, and the scan still ends", async () => {
    const fetchPage = async (offset: number, limit: number): Promise<ScanPage<number>> => ({ items: [], hasMore: offset + limit < 10_000 });
    const result = await scan({ fetchPage, match: () => true, limit: 1, startOffset: 0, maxScan: 300, signal: never });
    expect(result).toMatchObject({ matches: [], scanned: 300, nextOffset: 300, stoppedBy: "max_scan" });
  });
});

describe("the time budget", () => {
  test("with a clock: no page is started once the budget is spent", async () => {
    let clock = 0;
    const data = fakeCollection(1000);
    const fetchPage: ScanOptions<number>["fetchPage"] = (offset, limit, signal) => {
      clock += 1000;
      return data.fetchPage(offset, limit, signal);
    };
    const result = await scan({ fetchPage, match: () => false, limit: 5, startOffset: 0, timeBudgetMs: 2500, now: () => clock, signal: never });
    expect(result).toMatchObject({ scanned: 300, nextOffset: 300, complete: false, stoppedBy: "time" });
    expect(data.requests.map((request) => request.offset)).toEqual([0, 100, 200]);
  });

  test("a page still pending when the budget ends is abandoned and aborted; its records are not counted", async () => {
    const data = fakeCollection(1000, { delayMs: (offset) => (offset === 200 ? 5_000 : 5) });
    const started = Date.now();
    const result = await scan({ fetchPage: data.fetchPage, match: (n) => n === 150, limit: 5, startOffset: 0, timeBudgetMs: 150, signal: never });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ matches: [150], scanned: 200, nextOffset: 200, stoppedBy: "time" });
    expect(data.aborted).toContain(200);
  });

  test("a page that ignores its signal cannot hold the scan past the budget", async () => {
    const data = fakeCollection(1000, { hangAt: new Set([100]) });
    const result = await scan({ fetchPage: data.fetchPage, match: () => false, limit: 5, startOffset: 0, timeBudgetMs: 100, signal: never });
    expect(result).toMatchObject({ scanned: 100, nextOffset: 100, stoppedBy: "time" });
  });

  test("the first page is always awaited, so every call makes progress", async () => {
    const data = fakeCollection(1000, { delayMs: () => 40 });
    const result = await scan({ fetchPage: data.fetchPage, match: () => false, limit: 5, startOffset: 0, timeBudgetMs: 0, signal: never });
    expect(result).toMatchObject({ scanned: 100, nextOffset: 100, stoppedBy: "time" });
  });
});

describe("cancellation", () => {
  test("resolves with stoppedBy cancelled at the first page not examined, and aborts the page in flight", async () => {
    const controller = new AbortController();
    const data = fakeCollection(1000, { delayMs: (offset) => (offset === 0 ? 0 : 10_000) });
    const progress: ScanProgress[] = [];
    const started = Date.now();
    const result = await scan({
      fetchPage: data.fetchPage,
      match: (n) => n < 3,
      limit: 50,
      startOffset: 0,
      signal: controller.signal,
      onProgress: (step) => {
        progress.push(step);
        setTimeout(() => controller.abort(), 20);
      },
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ matches: [0, 1, 2], scanned: 100, nextOffset: 100, complete: false, stoppedBy: "cancelled" });
    expect(progress).toEqual([{ scanned: 100, matched: 3 }]);
    expect(data.aborted).toContain(100);
  });

  test("stops promptly even when the page in flight ignores its signal", async () => {
    const controller = new AbortController();
    const data = fakeCollection(1000, { hangAt: new Set([300]) });
    setTimeout(() => controller.abort(), 20);
    const result = await scan({ fetchPage: data.fetchPage, match: () => true, limit: 5, startOffset: 300, signal: controller.signal });
    expect(result).toMatchObject({ matches: [], scanned: 0, nextOffset: 300, stoppedBy: "cancelled" });
  });

  test("an already cancelled call fetches nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    const data = fakeCollection(1000);
    const result = await scan({ fetchPage: data.fetchPage, match: () => true, limit: 5, startOffset: 7, signal: controller.signal });
    expect(result).toMatchObject({ scanned: 0, nextOffset: 7, stoppedBy: "cancelled" });
    expect(data.requests).toEqual([]);
  });

  test("a page failing because of the cancellation is reported as cancelled, not thrown", async () => {
    const controller = new AbortController();
    const fetchPage = async (offset: number, _limit: number, signal: AbortSignal): Promise<ScanPage<number>> => {
      if (offset > 0) {
        controller.abort();
        signal.throwIfAborted();
      }
      return { items: Array.from({ length: 100 }, (_, k) => offset + k), hasMore: true };
    };
    const result = await scan({ fetchPage, match: () => false, limit: 5, startOffset: 0, signal: controller.signal });
    expect(result).toMatchObject({ scanned: 100, nextOffset: 100, stoppedBy: "cancelled" });
  });
});

describe("rate limits", () => {
  test("a 429 the client could not retry away stops the scan with a partial result and the exact offset", async () => {
    const data = fakeCollection(1000, { failures: new Map([[200, rateLimited(30)]]) });
    const result = await scan({ fetchPage: data.fetchPage, match: (n) => n % 50 === 0, limit: 100, startOffset: 0, signal: never });
    expect(result).toMatchObject({ matches: [0, 50, 100, 150], scanned: 200, nextOffset: 200, complete: false, stoppedBy: "rate_limited", retryAfterSeconds: 30 });
  });

  test("the rate-limit test is injectable", async () => {
    const throttled = new Error("slow down");
    const data = fakeCollection(1000, { failures: new Map([[100, throttled]]) });
    const result = await scan({ fetchPage: data.fetchPage, match: () => false, limit: 1, startOffset: 0, signal: never, isRateLimited: (error) => error === throttled });
    expect(result).toMatchObject({ scanned: 100, nextOffset: 100, stoppedBy: "rate_limited" });
    expect(result.retryAfterSeconds).toBeUndefined();
  });

  test("any other failure is thrown as it came", async () => {
    const broken = new ApiError({ kind: "http", status: 500, code: "internal_error", message: "boom", requestId: "req_y", attempts: 3, outcome: "not_applied" });
    const data = fakeCollection(1000, { failures: new Map([[100, broken]]) });
    await expect(scan({ fetchPage: data.fetchPage, match: () => false, limit: 1, startOffset: 0, signal: never })).rejects.toBe(broken);
    expect(isRateLimitError(broken)).toBe(false);
    expect(isRateLimitError(rateLimited())).toBe(true);
    expect(isRateLimitError(new Error("429"))).toBe(false);
  });

  test("a failure of a page fetched ahead is not reported when the scan stopped before it", async () => {
    const data = fakeCollection(1000, { failures: new Map([[200, new Error("never seen")]]) });
    const result = await scan({ fetchPage: data.fetchPage, match: (n) => n === 120, limit: 1, startOffset: 0, concurrency: 3, signal: never });
    expect(result).toMatchObject({ matches: [120], nextOffset: 121, stoppedBy: "limit" });
  });
});

describe("progress", () => {
  test("after each page, awaited, with the running counts; its failures are ignored", async () => {
    const data = fakeCollection(250);
    const progress: ScanProgress[] = [];
    let pending = 0;
    const result = await scan({
      fetchPage: async (offset, limit, signal) => {
        expect(pending).toBe(0);
        return data.fetchPage(offset, limit, signal);
      },
      match: (n) => n % 3 === 0,
      limit: 1000,
      startOffset: 0,
      signal: never,
      onProgress: async (step) => {
        pending += 1;
        await sleep(5);
        pending -= 1;
        progress.push(step);
        if (step.scanned === 100) throw new Error("client went away");
      },
    });
    expect(progress).toEqual([
      { scanned: 100, matched: 34 },
      { scanned: 200, matched: 67 },
      { scanned: 250, matched: 84 },
    ]);
    expect(result).toMatchObject({ scanned: 250, matched: 84, complete: true });
  });

  test("the page where the limit is reached reports up to the last match", async () => {
    const data = fakeCollection(250);
    const progress: ScanProgress[] = [];
    await scan({ fetchPage: data.fetchPage, match: (n) => n === 5 || n === 130, limit: 2, startOffset: 0, signal: never, onProgress: (step) => void progress.push(step) });
    expect(progress).toEqual([
      { scanned: 100, matched: 1 },
      { scanned: 131, matched: 2 },
    ]);
  });
});

describe("pages in flight", () => {
  test("the first page alone, then at most `concurrency` at once", async () => {
    const data = fakeCollection(2000, { delayMs: () => 5 });
    const result = await scan({ fetchPage: data.fetchPage, match: () => false, limit: 1, startOffset: 0, concurrency: 3, maxScan: 2000, signal: never });
    expect(result.complete).toBe(true);
    expect(data.peakInFlight()).toBe(3);
    expect(data.requests[0]).toEqual({ offset: 0, limit: 100 });
    expect(new Set(data.requests.map((request) => request.offset)).size).toBe(data.requests.length);
  });

  test("concurrency is capped at 4", async () => {
    const data = fakeCollection(100);
    await expect(scan({ fetchPage: data.fetchPage, match: () => false, limit: 1, startOffset: 0, concurrency: 5, signal: never })).rejects.toThrow(/concurrency/);
  });

  test("pages fetched ahead are aborted when the limit is reached, and nextOffset stays exact", async () => {
    const data = fakeCollection(2000, { delayMs: (offset) => (offset === 100 ? 5 : 50) });
    const result = await scan({ fetchPage: data.fetchPage, match: (n) => n === 142, limit: 1, startOffset: 0, concurrency: 4, signal: never });
    expect(result).toMatchObject({ matches: [142], scanned: 143, nextOffset: 143, stoppedBy: "limit" });
    expect(data.aborted.sort((a, b) => a - b)).toEqual([200, 300, 400]);
  });

  test("a short page moves the pages fetched ahead: they are fetched again from the right offset", async () => {
    const data = fakeCollection(500, { pageCap: 60 });
    const result = await scan({ fetchPage: data.fetchPage, match: () => true, limit: 10_000, startOffset: 0, concurrency: 3, signal: never });
    expect(result.matches).toEqual(Array.from({ length: 500 }, (_, n) => n));
    expect(result.complete).toBe(true);
  });
});

describe("over HTTP against the sandbox, through the API client", () => {
  let sandbox: Sandbox;
  let api: ApiClient;
  let allLeads: unknown[];
  const silent = createLogger({ level: "error", write: () => undefined });
  const leadsRoute = { path: "/leads", route: "/leads" };

  beforeAll(async () => {
    sandbox = await startSandbox();
    api = new ApiClient({ baseUrl: sandbox.baseUrl, apiKey: DEMO.keys.directAll, dispatcher: createAgent(timeoutsFrom(10_000)), timeoutMs: 10_000, logger: silent, backoffBaseMs: 1 });
    const whole = await api.call({ method: "GET", path: "/leads", route: "/leads", query: { limit: 100 }, authenticated: true });
    allLeads = whole.data as unknown[];
    expect(whole.pagination?.has_more).toBe(false);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  test("a lead found across small pages is exactly what filtering the whole list finds (accents included)", async () => {
    const filter = FIND_FILTERS.leads;
    const match = filter.predicate({ query: "Lucia" });
    const expected = allLeads.filter(match);
    expect(expected.length).toBeGreaterThan(1);
    for (const concurrency of [1, 3]) {
      const result = await scan({ fetchPage: apiPages(api, leadsRoute), match, limit: 100, startOffset: 0, pageSize: 10, concurrency, signal: never });
      expect(result.matches).toEqual(expected);
      expect(result).toMatchObject({ complete: true, scanned: allLeads.length });
    }
  });

  test("a 429 mid-scan that outlasts the client's retries: partial result, exact offset, and resuming finds the rest", async () => {
    const match = FIND_FILTERS.leads.predicate({ has_intent: true });
    const expected = allLeads.filter(match);
    let pages = 0;
    const first = await scan({
      fetchPage: apiPages(api, leadsRoute),
      match,
      limit: 100,
      startOffset: 0,
      pageSize: 10,
      signal: never,
      onProgress: () => {
        pages += 1;
        // The client tries a read 3 times: all three attempts of the third page are refused.
        if (pages === 2) sandbox.faults.inject({ method: "GET", path: "/leads", kind: "status", status: 429, retryAfter: "0", times: 3 });
      },
    });
    expect(first).toMatchObject({ scanned: 20, nextOffset: 20, complete: false, stoppedBy: "rate_limited", retryAfterSeconds: 0 });
    const rest = await scan({ fetchPage: apiPages(api, leadsRoute), match, limit: 100, startOffset: 20, pageSize: 10, signal: never });
    expect(rest.complete).toBe(true);
    expect([...first.matches, ...rest.matches]).toEqual(expected);
  });

});

describe("apiPages on answers the contract does not describe", () => {
  const answering = (data: unknown, pagination?: Pagination): Pick<ApiClient, "call"> => ({
    call: async () => ({ status: 200, data, pagination, requestId: "req_stand_in", bodyText: JSON.stringify({ data }) }),
  });

  test("an answer without a list is an invalid response, thrown", async () => {
    const fetchPage = apiPages(answering({ id: "x" }), { path: "/leads", route: "/leads" });
    await expect(scan({ fetchPage, match: () => true, limit: 1, startOffset: 0, signal: never })).rejects.toMatchObject({ kind: "invalid_response", requestId: "req_stand_in" });
  });

  test("without pagination, a full page is taken to have more and a short one to be the last", async () => {
    const fetchPage = apiPages(answering([1, 2, 3]), { path: "/leads", route: "/leads" });
    await expect(fetchPage(0, 3, never)).resolves.toEqual({ items: [1, 2, 3], hasMore: true });
    await expect(fetchPage(0, 4, never)).resolves.toEqual({ items: [1, 2, 3], hasMore: false });
    const stated = apiPages(answering([1, 2, 3], { limit: 3, offset: 0, has_more: false }), { path: "/leads", route: "/leads" });
    await expect(stated(0, 3, never)).resolves.toEqual({ items: [1, 2, 3], hasMore: false });
  });
});
