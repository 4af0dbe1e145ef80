import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, log, parseLogLevel, setLogLevel, type LogLevel } from "../../src/log.js";
import { SecretScrubber, secrets } from "../../src/safety/secrets.js";

const LINE = /^leadpanther-mcp (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (DEBUG|INFO|WARN|ERROR) (.*?)(?: (\{.*\}))?$/;

function capture(level: LogLevel = "info", scrubber?: SecretScrubber): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger({ level, write: (line) => lines.push(line), ...(scrubber === undefined ? {} : { scrubber }) });
  return { lines, logger };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  setLogLevel("info");
});

describe("createLogger", () => {
  it("writes one line: name, ISO time, level, message, JSON of fields", () => {
    const { lines, logger } = capture();
    logger.info("tool called", { tool: "list_posts", ms: 12 });
    logger.warn("no fields");
    expect(lines).toHaveLength(2);
    const first = LINE.exec(lines[0] ?? "");
    expect(first?.[2]).toBe("INFO");
    expect(first?.[3]).toBe("tool called");
    expect(JSON.parse(first?.[4] ?? "null")).toEqual({ tool: "list_posts", ms: 12 });
    expect(new Date(first?.[1] ?? "").toISOString()).toBe(first?.[1]);
    expect(lines[1]).toMatch(/ WARN no fields$/);
  });

  it("filters by level", () => {
    const { lines, logger } = capture("warn");
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(lines.map((line) => LINE.exec(line)?.[2])).toEqual(["WARN", "ERROR"]);
  });

  it("merges child fields, entry fields winning", () => {
    const { lines, logger } = capture();
    logger.child({ request_id: "r1", tool: "a" }).child({ tool: "b" }).info("x", { extra: true });
    expect(JSON.parse(LINE.exec(lines[0] ?? "")?.[4] ?? "null")).toEqual({ request_id: "r1", tool: "b", extra: true });
  });

  it("keeps an entry on one line whatever the message holds", () => {
    const { lines, logger } = capture();
    logger.info("a\nb\r\u2028c\u001b[31m", { text: "x\ny\u2029" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\n\r\u2028\u2029\u001b]/);
  });

  it("renders errors as name: message, with the stack only at debug", () => {
    const { lines, logger } = capture();
    logger.error("failed", { error: new TypeError("bad thing"), nested: { cause: new RangeError("deep") } });
    expect(JSON.parse(LINE.exec(lines[0] ?? "")?.[4] ?? "null")).toEqual({
      error: "TypeError: bad thing",
      nested: { cause: "RangeError: deep" },
    });
    const debug = capture("debug");
    debug.logger.error("failed", { error: new TypeError("bad thing") });
    const rendered = JSON.parse(LINE.exec(debug.lines[0] ?? "")?.[4] ?? "null") as { error: string };
    expect(rendered.error).toMatch(/^TypeError: bad thing\n\s+at /);
  });

  it("never throws: cycles, bigints, throwing getters and toJSON, throwing writers", () => {
    const { lines, logger } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    const getter = Object.defineProperty({}, "boom", {
      enumerable: true,
      get() {
        throw new Error("getter");
      },
    });
    const toJson = { toJSON: () => { throw new Error("toJSON"); } };
    logger.info("odd", { cyclic, big: 10n, getter, toJson, fn: () => 1, ok: 1 });
    expect(JSON.parse(LINE.exec(lines[0] ?? "")?.[4] ?? "null")).toEqual({
      cyclic: "[unserialisable]",
      big: "10",
      getter: "[unserialisable]",
      toJson: "[unserialisable]",
      ok: 1,
    });
    const throwing = createLogger({ write: () => { throw new Error("EPIPE"); } });
    expect(() => throwing.error("x", { a: 1 })).not.toThrow();
    expect(() => logger.info(undefined as unknown as string, null as unknown as Record<string, unknown>)).not.toThrow();
  });
});

describe("logger scrubbing", () => {
  const KEY = "lp_live_Q8w7e6r5t4y3u2i1_o0p";
  const UPLOAD_URL = "https://abc.supabase.co/storage/v1/object/upload/sign/media/a.png?token=eyJzZWNyZXQ";

  it("scrubs the whole line: message, fields, errors", () => {
    const scrubber = new SecretScrubber();
    scrubber.addSecret(KEY);
    scrubber.addSecret(UPLOAD_URL);
    const { lines, logger } = capture("debug", scrubber);
    logger.child({ key: KEY }).error(`request with ${KEY} failed`, {
      headers: { Authorization: `Bearer ${KEY}` },
      url: UPLOAD_URL,
      upload: { upload_url: "https://other/x", token: "eyJvdGhlcg" },
      error: new Error(`PUT ${UPLOAD_URL} rejected key ${KEY}`),
      other_key: "lp_test_unregistered123",
    });
    const line = lines[0] ?? "";
    for (const leak of [KEY, UPLOAD_URL, encodeURIComponent(UPLOAD_URL), "eyJzZWNyZXQ", "eyJvdGhlcg", "lp_test_unregistered123", "https://other/x"]) {
      expect(line).not.toContain(leak);
    }
    expect(line).toContain("[REDACTED]");
  });

  it("uses the process-wide scrubber by default", () => {
    const registered = "upload-token-for-the-default-scrubber";
    secrets.addSecret(registered);
    const lines: string[] = [];
    createLogger({ write: (line) => lines.push(line) }).info(`token ${registered}`);
    expect(lines[0]).not.toContain(registered);
  });
});

describe("the default logger", () => {
  it("writes to stderr (never stdout) and follows setLogLevel", () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    setLogLevel("error");
    log.info("hidden");
    log.child({ a: 1 }).error("shown lp_live_abcdefgh123");
    setLogLevel("debug");
    log.debug("now shown");
    expect(stdout).not.toHaveBeenCalled();
    const written = stderr.mock.calls.map((call) => String(call[0]));
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/ ERROR shown lp_live_\[REDACTED\] \{"a":1\}\n$/);
    expect(written[1]).toMatch(/ DEBUG now shown\n$/);
  });

  it("parses a level as an operator writes it, and takes its level from the settings, not the environment", async () => {
    expect(parseLogLevel(undefined)).toEqual({ level: "info", valid: true });
    expect(parseLogLevel(" DEBUG ")).toEqual({ level: "debug", valid: true });
    expect(parseLogLevel("verbose")).toEqual({ level: "info", valid: false });

    // The settings (src/config) check LEADPANTHER_LOG_LEVEL and refuse a bad value at start-up;
    // the logger itself starts at info whatever the environment says, until setLogLevel.
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    vi.stubEnv("LEADPANTHER_LOG_LEVEL", "debug");
    vi.resetModules();
    const fresh = await import("../../src/log.js");
    fresh.log.debug("not at info");
    fresh.log.info("at info");
    fresh.setLogLevel("debug");
    fresh.log.debug("now at debug");
    const written = stderr.mock.calls.map((call) => String(call[0]));
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/ INFO at info\n$/);
    expect(written[1]).toMatch(/ DEBUG now at debug\n$/);
  });
});
