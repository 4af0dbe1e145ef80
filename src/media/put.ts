/**
 * Step two of a media upload (contract §13): the PUT of the raw bytes to the signed URL.
 *
 * The bytes are streamed, never buffered whole. The URL carries a short-lived secret, so no
 * message made here contains the URL, any part of it, or an undici/Node error text (which may
 * name the host or the request); storage's own words are passed on only after sanitising.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { errorCodeOf, httpRequest, neverConnected } from "../api/http.js";
import { loopbackHost } from "../config.js";
import { stripControlCharacters } from "../safety/sanitize.js";
import { MediaInputError, UploadError } from "./errors.js";
import { UPLOAD_CHUNK_BYTES, UploadStream } from "./stream.js";

export interface PutOptions {
  uploadUrl: string;
  contentType: string;
  size: number;
  /** A fresh stream of exactly `size` bytes per call; called again for the one retry. */
  open(): Readable;
  dispatcher: Dispatcher;
  /** For the whole upload, both attempts included. */
  timeoutMs: number;
  /** Throttled: at most once per 64 KiB and 100 ms, plus the final call at totalBytes. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  /** Cancels the upload; the promise then rejects with the signal's reason, as fetch does. */
  signal?: AbortSignal;
}

const PROGRESS_MIN_BYTES = 64 * 1024;
const PROGRESS_MIN_MS = 100;
/**
 * Buffers in the ring an UploadStream is read into. undici asks for the next chunk only after
 * writing the previous one to the socket, and after 'drain' (every write completed) whenever
 * the write reported a full socket — so the chunks a socket may still hold, not yet written,
 * add up to less than its high-water mark: none for undici's sockets (64 KiB plain, 16 KiB TLS)
 * with 64 KiB chunks. Four buffers stay safe up to a 256 KiB high-water mark.
 */
const RING_BUFFERS = 4;
/** Pause before the one retry after a connection that was never made. */
const RETRY_DELAY_MS = 250;
/** Storage error bodies are read up to this much; the rest is discarded. */
const ERROR_BODY_MAX_BYTES = 8 * 1024;
/** A storage message longer than this (after sanitising) is not passed on. */
const STORAGE_MESSAGE_MAX_CHARS = 160;

const EXPIRED_OR_USED_MESSAGE =
  "The signed upload URL expired or was already used; call upload_media again to get a fresh one.";

/** Words in a storage refusal that mean "this signed URL is no longer good". */
const EXPIRED_OR_USED_WORDS = /expired|\bexp\b|\bused\b|signature|token|jwt|already exists|duplicate/i;
/**
 * On a 400 only the unambiguous ones count ("token" alone would catch "unexpected token").
 * Supabase-style storage answers an expired or reused signed URL with HTTP 400 and the real
 * status inside its JSON body, so a 400 is not always a plain rejection.
 */
const EXPIRED_OR_USED_WORDS_ON_400 = /expired|\bexp\b|jwt|signature|already exists|duplicate/i;

/** undici/Node codes of a timeout once the connection was made (connect timeouts retry). */
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);

class Throttle {
  private lastBytes = 0;
  private lastAt = 0;
  constructor(
    private readonly total: number,
    private readonly report: ((sent: number, total: number) => void) | undefined,
  ) {}

  update(sent: number): void {
    if (this.report === undefined) return;
    const now = Date.now();
    const final = sent === this.total;
    if (!final && (sent - this.lastBytes < PROGRESS_MIN_BYTES || now - this.lastAt < PROGRESS_MIN_MS)) {
      return;
    }
    this.lastBytes = sent;
    this.lastAt = now;
    try {
      this.report(sent, this.total);
    } catch {
      // Progress is advisory: a failing listener must not break the upload.
    }
  }
}

/** Hands out `count` buffers in turn, forever. */
function ring(count: number, size: number): () => Buffer {
  const buffers = Array.from({ length: count }, () => Buffer.allocUnsafe(size));
  let turn = 0;
  return () => {
    const buffer = buffers[turn % count] as Buffer;
    turn += 1;
    return buffer;
  };
}

/**
 * The request body. undici takes an async iterable and asks it for the next chunk only after
 * writing the previous one to the socket (waiting for drain when the socket is full), so the
 * count taken after each `yield` is the bytes actually handed to the socket.
 */
async function* countingBody(
  chunks: AsyncIterable<Uint8Array | string>,
  onSent: (sentBytes: number) => void,
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    yield bytes;
    sent += bytes.length;
    onSent(sent);
  }
}

/** Strings that must never appear in a message: the URL, its path and every query value. */
function secretsOf(url: URL, raw: string): string[] {
  const secrets = [raw, url.href, url.pathname + url.search, url.search];
  for (const value of url.searchParams.values()) secrets.push(value, encodeURIComponent(value));
  return secrets.filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Storage's own words, made safe for a model: the URL and anything that looks like a URL,
 * a credential assignment or a token removed, control and bidi characters dropped. Returns
 * undefined when nothing short and readable is left.
 */
export function sanitizeStorageMessage(text: string, secrets: readonly string[]): string | undefined {
  if (text.length > STORAGE_MESSAGE_MAX_CHARS * 4) return undefined;
  let clean = text;
  for (const secret of secrets) clean = clean.split(secret).join("[redacted]");
  clean = clean
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, "[url]")
    .replace(/\b(token|signature|sig|key|secret|apikey|api_key|jwt|x-amz-[a-z-]+)\s*[=:]\s*[^\s&"',;()[\]{}<>]+/gi, "$1=[redacted]")
    .replace(/\beyJ[\w-]*(?:\.[\w-]*){0,2}/g, "[token]")
    .replace(/\b(?:lp_live_|lp_test_)\S*/g, "[token]")
    .replace(/[A-Za-z0-9+/_=.~-]{24,}/g, "[token]");
  // Control, bidi-override and zero-width characters could hide or reorder text for a reader.
  clean = stripControlCharacters(clean, " ").replace(/\s+/g, " ").trim();
  const words = clean.replace(/\[(?:url|token|redacted)\]/g, "");
  if (clean.length > STORAGE_MESSAGE_MAX_CHARS || !/[a-z]{3}/i.test(words)) return undefined;
  return clean;
}

interface StorageAnswer {
  /** The whole body text as far as read, for keyword tests only — never shown. */
  text: string;
  /** The sanitised `message` field, if any. */
  said: string | undefined;
}

async function readStorageAnswer(
  body: Dispatcher.ResponseData["body"],
  secrets: readonly string[],
): Promise<StorageAnswer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= ERROR_BODY_MAX_BYTES) break;
    }
  } catch {
    // The status decides; a body that breaks off only loses the explanation.
  }
  const text = Buffer.concat(chunks).toString("utf8", 0, Math.min(length, ERROR_BODY_MAX_BYTES));
  let message: unknown;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      const nested = record["error"];
      message =
        typeof record["message"] === "string"
          ? record["message"]
          : typeof nested === "object" && nested !== null
            ? (nested as Record<string, unknown>)["message"]
            : undefined;
    }
  } catch {
    message = undefined;
  }
  return { text, said: typeof message === "string" ? sanitizeStorageMessage(message, secrets) : undefined };
}

function refusalFor(status: number, answer: StorageAnswer, size: number): UploadError {
  const said = answer.said === undefined ? "" : ` Storage said: "${answer.said}".`;
  if (status === 413) {
    return new UploadError(
      "too_large",
      `Storage refused the file as too large (HTTP 413) at ${size.toLocaleString("en-US")} bytes.${said} ` +
        "Compress or shrink it and call upload_media again.",
      status,
    );
  }
  if (
    status === 410 ||
    ([401, 403, 409].includes(status) && EXPIRED_OR_USED_WORDS.test(answer.text)) ||
    (status === 400 && EXPIRED_OR_USED_WORDS_ON_400.test(answer.text))
  ) {
    return new UploadError("expired_or_used", EXPIRED_OR_USED_MESSAGE, status);
  }
  if (status === 429) {
    return new UploadError(
      "storage_rejected",
      `Storage is limiting uploads (HTTP 429).${said} Wait a little, then call upload_media again.`,
      status,
    );
  }
  if (status >= 500) {
    // A failing server or a proxy may answer 5xx after storage kept the bytes.
    return new UploadError(
      "storage_rejected",
      `The storage server failed (HTTP ${status}); the file may or may not be stored.${said} ` +
        "Call upload_media again later.",
      status,
      true,
    );
  }
  return new UploadError(
    "storage_rejected",
    `Storage rejected the upload (HTTP ${status}).${said} Check the file, then call upload_media again.`,
    status,
  );
}

function describeCode(error: unknown): string {
  const code = errorCodeOf(error);
  return code === undefined ? "" : ` (${code})`;
}

/**
 * Sends the bytes to the signed URL. Resolves on 2xx. Otherwise throws an UploadError; or the
 * MediaInputError of a file that changed after prepareUpload checked it; or, when `signal`
 * aborts, its reason.
 */
export async function putToSignedUrl(options: PutOptions): Promise<void> {
  const { size, signal: callerSignal } = options;
  let url: URL;
  try {
    url = new URL(options.uploadUrl);
  } catch {
    throw new UploadError("storage_rejected", "The upload URL LeadPanther returned is not a valid URL; call upload_media again.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UploadError("storage_rejected", "The upload URL LeadPanther returned is not an http(s) URL; call upload_media again.");
  }
  // The file and the token in the URL must not cross a network unencrypted: plain http is for
  // a storage on this machine (the sandbox) only, as for LEADPANTHER_BASE_URL.
  if (url.protocol === "http:" && !loopbackHost(url.hostname)) {
    throw new UploadError("storage_rejected", "The upload URL LeadPanther returned is plain http to another machine; the file was not sent. Report it to LeadPanther.");
  }
  const secrets = secretsOf(url, options.uploadUrl);

  callerSignal?.throwIfAborted();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const signal = callerSignal ? AbortSignal.any([deadline.signal, callerSignal]) : deadline.signal;
  const seconds = Math.round(options.timeoutMs / 100) / 10;

  try {
    for (let attempt = 1; ; attempt += 1) {
      let sent = 0;
      const throttle = new Throttle(size, options.onProgress);
      const source = options.open();
      const body = countingBody(
        source instanceof UploadStream
          ? source.chunksInto(ring(RING_BUFFERS, UPLOAD_CHUNK_BYTES))
          : (source as AsyncIterable<Uint8Array | string>),
        (bytes) => {
          sent = bytes;
          throttle.update(bytes);
        },
      );
      try {
        const response = await httpRequest(url, {
          method: "PUT",
          dispatcher: options.dispatcher,
          headers: { "content-type": options.contentType, "content-length": String(size) },
          // undici documents AsyncIterable bodies (docs/api/Dispatcher.md); its typings lag.
          body: body as unknown as Readable,
          signal,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        });
        if (response.statusCode >= 200 && response.statusCode < 300) {
          await response.body.dump().catch(() => undefined);
          return;
        }
        throw refusalFor(response.statusCode, await readStorageAnswer(response.body, secrets), size);
      } catch (error) {
        if (error instanceof UploadError) throw error;
        // The file changed under us: the caller's problem, already worded for the model.
        if (error instanceof MediaInputError) throw error;
        if (callerSignal?.aborted) throw callerSignal.reason;
        if (deadline.signal.aborted || TIMEOUT_CODES.has(errorCodeOf(error) ?? "")) {
          throw new UploadError(
            "timeout",
            `The upload did not finish within ${seconds} s (${sent.toLocaleString("en-US")} of ${size.toLocaleString("en-US")} bytes sent)` +
              (sent > 0 ? "; the file may or may not be stored." : "; nothing was stored.") +
              " Call upload_media again, perhaps with a smaller file or on a faster connection.",
            undefined,
            sent > 0,
          );
        }
        if (neverConnected(error)) {
          if (attempt === 1) {
            await sleep(RETRY_DELAY_MS, undefined, { signal }).catch(() => undefined);
            if (!signal.aborted) continue;
            if (callerSignal?.aborted) throw callerSignal.reason;
          }
          throw new UploadError(
            "network",
            `Could not connect to the storage server${describeCode(error)}${attempt > 1 ? " after two attempts" : ""}; ` +
              "nothing was sent. Check the network, then call upload_media again.",
          );
        }
        if (sent === 0) {
          throw new UploadError(
            "network",
            `The connection to the storage server failed before any of the file was sent${describeCode(error)}; ` +
              "nothing was stored. Call upload_media again.",
          );
        }
        throw new UploadError(
          "outcome_unknown",
          `The connection to the storage server broke after ${sent.toLocaleString("en-US")} of ${size.toLocaleString("en-US")} bytes were sent${describeCode(error)}; ` +
            "the file may or may not be stored. Call upload_media again for a fresh upload.",
        );
      } finally {
        // A body undici stopped reading (error, early answer) would otherwise hold its file open.
        body.return(undefined).catch(() => undefined);
        source.destroy();
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
