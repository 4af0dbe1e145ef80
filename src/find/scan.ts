/**
 * The cross-page scan behind the find filters: LeadPanther v1 lists only by limit and offset
 * (contract §9), so this server reads pages and keeps what matches.
 *
 * The one promise that matters is `nextOffset`: the offset of the first record NOT examined.
 * Pages are examined strictly in order, one record at a time, so a call resumed from it misses
 * nothing and repeats nothing — whether the scan stopped at `limit` in the middle of a page, at
 * the scan cap, at the time budget, at a rate limit or on cancellation, and whatever pages were
 * in flight (records fetched but not examined do not count).
 *
 * A stop is an answer, not an error: cancellation resolves with `stoppedBy: "cancelled"` (the
 * tool answers "cancelled"; the MCP SDK drops the answer to a cancelled request anyway), and a
 * rate limit that outlasted the API client's own retries resolves with `"rate_limited"`. Any
 * other failure of a page is thrown as it came.
 */
import type { ApiClient, ApiRequest } from "../api/client.js";
import { ApiError } from "../api/errors.js";
import { PAGINATION } from "../contract.js";

/** Scan defaults and bounds (issue 11): the cap keeps one call's cost known beforehand. */
export const SCAN_LIMITS = {
  defaultMaxScan: 5_000,
  maxScan: 20_000,
  pageSize: PAGINATION.maxLimit,
  /** Below the 60 s a typical MCP client waits for one request. */
  defaultTimeBudgetMs: 25_000,
  /** Pages in flight at most: more would be impolite to an API without published rate limits. */
  maxConcurrency: 4,
} as const;

export interface ScanPage<T> {
  items: T[];
  hasMore: boolean;
}

export interface ScanProgress {
  scanned: number;
  matched: number;
}

export type ScanStop = "limit" | "max_scan" | "time" | "cancelled" | "rate_limited";

export interface ScanOptions<T> {
  /** One page of the collection; must honour `signal` (pages no longer needed are aborted). */
  fetchPage: (offset: number, limit: number, signal: AbortSignal) => Promise<ScanPage<T>>;
  match: (item: T) => boolean;
  /** Matches wanted: the scan stops right after the `limit`-th. */
  limit: number;
  startOffset: number;
  /** Records examined at most; default 5,000, at most 20,000. */
  maxScan?: number;
  /** After the first page, no page is awaited past this budget. */
  timeBudgetMs?: number;
  /** Records per page, at most the API's cap of 100. */
  pageSize?: number;
  signal: AbortSignal;
  /** Called (and awaited) after each page; its failures are ignored: progress is advisory. */
  onProgress?: (progress: ScanProgress) => void | Promise<void>;
  /** Pages fetched ahead, 1–4 (default 1). The first page is always fetched alone. */
  concurrency?: number;
  /** Whether a page's failure is a rate limit to stop at; default: an ApiError with HTTP 429. */
  isRateLimited?: (error: unknown) => boolean;
  /** The clock, for tests. */
  now?: () => number;
}

export interface ScanResult<T> {
  matches: T[];
  /** Offset of each match in the collection, parallel to `matches`. */
  matchOffsets: number[];
  /** Records examined (positions passed): always `nextOffset - startOffset` when incomplete. */
  scanned: number;
  matched: number;
  /** True when every record from `startOffset` to the end of the collection was examined. */
  complete: boolean;
  /** The first record not examined; present exactly when `complete` is false. */
  nextOffset?: number;
  stoppedBy?: ScanStop;
  /** With `rate_limited`: the wait LeadPanther asked for, when it said. */
  retryAfterSeconds?: number;
}

/** The default rate-limit test: what ApiClient throws once its own 429 retries are spent. */
export function isRateLimitError(error: unknown): boolean {
  return error instanceof ApiError && error.status === 429;
}

type PageOutcome<T> = { ok: true; page: ScanPage<T> } | { ok: false; error: unknown };

interface PendingPage<T> {
  offset: number;
  size: number;
  controller: AbortController;
  outcome: Promise<PageOutcome<T>>;
}

type Wait<T> = PageOutcome<T> | { ok: false; stop: "cancelled" | "time" };

export async function scan<T>(options: ScanOptions<T>): Promise<ScanResult<T>> {
  const limit = wholeNumberIn("limit", options.limit, 1, Number.MAX_SAFE_INTEGER);
  const startOffset = wholeNumberIn("startOffset", options.startOffset, 0, Number.MAX_SAFE_INTEGER);
  const maxScan = wholeNumberIn("maxScan", options.maxScan ?? SCAN_LIMITS.defaultMaxScan, 1, SCAN_LIMITS.maxScan);
  const pageSize = wholeNumberIn("pageSize", options.pageSize ?? SCAN_LIMITS.pageSize, 1, SCAN_LIMITS.pageSize);
  const concurrency = wholeNumberIn("concurrency", options.concurrency ?? 1, 1, SCAN_LIMITS.maxConcurrency);
  const timeBudgetMs = Math.max(0, options.timeBudgetMs ?? SCAN_LIMITS.defaultTimeBudgetMs);
  const isRateLimited = options.isRateLimited ?? isRateLimitError;
  const now = options.now ?? Date.now;
  const { signal } = options;

  const deadline = now() + timeBudgetMs;
  const scanEnd = startOffset + maxScan;
  const matches: T[] = [];
  const matchOffsets: number[] = [];
  /** The first position not examined. */
  let position = startOffset;
  let nextFetch = startOffset;
  let pagesDone = 0;
  let inFlight: PendingPage<T>[] = [];

  const abortAll = (): void => {
    for (const pending of inFlight) pending.controller.abort();
    inFlight = [];
  };
  const stop = (stoppedBy: ScanStop, extra: Partial<ScanResult<T>> = {}): ScanResult<T> => {
    abortAll();
    return { matches, matchOffsets, scanned: position - startOffset, matched: matches.length, complete: false, nextOffset: position, stoppedBy, ...extra };
  };
  const finished = (): ScanResult<T> => {
    abortAll();
    return { matches, matchOffsets, scanned: position - startOffset, matched: matches.length, complete: true };
  };

  for (;;) {
    if (signal.aborted) return stop("cancelled");
    if (position >= scanEnd) return stop("max_scan");
    if (pagesDone > 0 && now() >= deadline) return stop("time");

    const window = pagesDone === 0 ? 1 : concurrency;
    while (inFlight.length < window && nextFetch < scanEnd) {
      const size = Math.min(pageSize, scanEnd - nextFetch);
      inFlight.push(startPage(options.fetchPage, nextFetch, size));
      nextFetch += size;
    }
    const head = inFlight.shift();
    if (head === undefined) return stop("max_scan");

    // The first page is always awaited to its end, so that every call makes progress.
    const waited = await waitFor(head, signal, pagesDone === 0 ? undefined : deadline - now());
    if (!waited.ok) {
      head.controller.abort();
      if ("stop" in waited) return stop(waited.stop);
      if (signal.aborted) return stop("cancelled");
      if (isRateLimited(waited.error)) return stop("rate_limited", retryAfterOf(waited.error));
      abortAll();
      throw waited.error;
    }

    const { items, hasMore } = waited.page;
    // Examine no record past the scan cap, even if the API sent more than was asked for.
    const examinable = Math.min(items.length, scanEnd - head.offset);
    for (let index = 0; index < examinable; index++) {
      const item = items[index] as T;
      if (!options.match(item)) continue;
      matches.push(item);
      matchOffsets.push(head.offset + index);
      if (matches.length >= limit) {
        position = head.offset + index + 1;
        pagesDone += 1;
        await report(options.onProgress, position - startOffset, matches.length);
        return !hasMore && index === items.length - 1 ? finished() : stop("limit");
      }
    }
    // An empty page that claims more would hold the scan in place forever; its positions are
    // passed over as the results shaper does for a plain page.
    position = head.offset + (items.length === 0 && hasMore ? head.size : examinable);
    pagesDone += 1;
    await report(options.onProgress, position - startOffset, matches.length);

    // The last page; if the cap cut it short, the next turn stops at max_scan.
    if (!hasMore && examinable === items.length) return finished();
    // A page shorter or longer than asked moves every later page: fetch them again from here.
    if (items.length !== head.size && items.length > 0) {
      abortAll();
      nextFetch = position;
    }
  }
}

function startPage<T>(fetchPage: ScanOptions<T>["fetchPage"], offset: number, size: number): PendingPage<T> {
  const controller = new AbortController();
  // Settled into a value at once: a page abandoned in flight must not become an unhandled rejection.
  const outcome = Promise.resolve()
    .then(() => fetchPage(offset, size, controller.signal))
    .then(
      (page): PageOutcome<T> => ({ ok: true, page }),
      (error: unknown): PageOutcome<T> => ({ ok: false, error }),
    );
  return { offset, size, controller, outcome };
}

/** The page's outcome, unless the caller cancels or the time budget ends first. */
function waitFor<T>(pending: PendingPage<T>, signal: AbortSignal, remainingMs: number | undefined): Promise<Wait<T>> {
  if (remainingMs !== undefined && remainingMs <= 0) return Promise.resolve({ ok: false, stop: "time" });
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => settle({ ok: false, stop: "cancelled" });
    const settle = (wait: Wait<T>): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(wait);
    };
    if (remainingMs !== undefined) timer = setTimeout(() => settle({ ok: false, stop: "time" }), remainingMs);
    signal.addEventListener("abort", onAbort, { once: true });
    void pending.outcome.then(settle);
  });
}

async function report(onProgress: ScanOptions<unknown>["onProgress"], scanned: number, matched: number): Promise<void> {
  if (onProgress === undefined) return;
  try {
    await onProgress({ scanned, matched });
  } catch {
    // A progress notification that cannot be sent (the client went away) changes nothing here:
    // cancellation arrives through the signal.
  }
}

function retryAfterOf(error: unknown): { retryAfterSeconds?: number } {
  const seconds = error instanceof ApiError ? error.retryAfterSeconds : undefined;
  return seconds === undefined ? {} : { retryAfterSeconds: seconds };
}

function wholeNumberIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`scan: ${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * The pages of one list route through the API client (auth, request ids, its 429/Retry-After
 * retries on GET). An answer without a list is an invalid response, as for a plain list call; an
 * answer without pagination is taken to go on while its pages come back full.
 */
export function apiPages(
  api: Pick<ApiClient, "call">,
  route: Pick<ApiRequest, "path" | "route">,
): ScanOptions<unknown>["fetchPage"] {
  return async (offset, limit, signal) => {
    const success = await api.call({ method: "GET", path: route.path, route: route.route, query: { limit, offset }, authenticated: true, signal });
    if (!Array.isArray(success.data)) {
      throw new ApiError({
        kind: "invalid_response",
        message: `LeadPanther answered HTTP ${success.status} without a list in data.`,
        status: success.status,
        requestId: success.requestId,
        attempts: 1,
        outcome: "not_applied",
      });
    }
    const items: unknown[] = success.data;
    return { items, hasMore: success.pagination?.has_more ?? items.length >= limit };
  };
}
