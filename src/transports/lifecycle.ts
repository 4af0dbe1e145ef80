/**
 * What both transports share about their lifetime: the largest message they read, counting
 * calls in progress, waiting for them with a deadline, and the second signal that means "now".
 * Each transport owns its own `serve…()` and decides what "stop accepting" means for it.
 */
import { MEDIA_PDF_MAX_BYTES } from "../contract.js";
import { log } from "../log.js";

/**
 * The largest MCP message either transport reads: upload_media's content_base64 may carry a
 * 15 MiB PDF, about 20 MiB as base64, plus the JSON-RPC frame. Anything larger cannot be a
 * valid call. (The SDK's stdio transport would otherwise stop at 10 MiB, closing the session.)
 */
export const MAX_MCP_MESSAGE_BYTES = Math.ceil((MEDIA_PDF_MAX_BYTES * 4) / 3) + 1024 * 1024;

/** How long a shutdown waits for calls (or requests) in progress before abandoning them. */
export const SHUTDOWN_DEADLINE_MS = 10_000;

/** Counts calls in progress, so a shutdown can let them finish before closing. */
export class CallTracker {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  get inProgress(): number {
    return this.active;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.enter();
    try {
      return await work();
    } finally {
      this.leave();
    }
  }

  /** For work that is not one promise (an HTTP request ends when its response closes). */
  enter(): void {
    this.active += 1;
  }

  leave(): void {
    this.active -= 1;
    if (this.active === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves true once no call is in progress, false if `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/**
 * Calls `stop` on the first SIGTERM or SIGINT; a second one exits at once (128 + the signal's
 * number, as a shell reports it) without waiting for what is in progress.
 */
export function stopOnSignals(stop: (signal: NodeJS.Signals) => void, inProgress: () => number): void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log.warn(`${signal} again: exiting without waiting for calls in progress`, { calls_in_progress: inProgress() });
      process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    }
    stop(signal);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
