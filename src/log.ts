/**
 * The one logger. stdout is the MCP protocol on stdio, so every line goes to stderr, and every
 * line passes whole through the secret scrubber just before it is written: a key that slipped
 * into a message, a field or an error never reaches a log file a desktop client keeps.
 *
 * Format, one line per entry: `leadpanther-mcp <ISO time> <LEVEL> <message> <JSON of fields>`.
 * Logging never throws: a field that cannot be serialised becomes "[unserialisable]", and a
 * failing writer is ignored.
 */
import { secrets, type SecretScrubber } from "./safety/secrets.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  scrubber?: SecretScrubber;
}

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };
const UNSERIALISABLE = "[unserialisable]";

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** A level as an operator may write it (case and surrounding spaces ignored); unset means info. */
export function parseLogLevel(value: string | undefined): { level: LogLevel; valid: boolean } {
  if (value === undefined || value.trim() === "") return { level: "info", valid: true };
  const normalised = value.trim().toLowerCase();
  return isLogLevel(normalised) ? { level: normalised, valid: true } : { level: "info", valid: false };
}

/** Shared by a logger and all its children, so changing the level reaches every child. */
interface LoggerState {
  level: LogLevel;
  readonly write: (line: string) => void;
  readonly scrubber: SecretScrubber;
}

/** stderr failed (the client closed it with the other pipes): later lines are dropped. */
let stderrDead = false;

function writeToStderr(line: string): void {
  if (stderrDead) return;
  if (process.stderr.listenerCount("error") === 0) {
    // A write to a closed pipe fails asynchronously, as an 'error' event: without a listener
    // it would take the process down in the middle of a shutdown's drain.
    process.stderr.on("error", () => {
      stderrDead = true;
    });
  }
  process.stderr.write(`${line}\n`);
}

function createState(options: LoggerOptions | undefined): LoggerState {
  return {
    level: isLogLevel(options?.level) ? options.level : "info",
    write: options?.write ?? writeToStderr,
    scrubber: options?.scrubber ?? secrets,
  };
}

export function createLogger(options?: LoggerOptions): Logger {
  return makeLogger(createState(options), {});
}

function makeLogger(state: LoggerState, bound: Record<string, unknown>): Logger {
  const emit = (level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void => {
    try {
      if (LEVEL_RANK[level] < LEVEL_RANK[state.level]) return;
      const line = formatLine(level, message, { ...bound, ...safeFields(fields) }, state.level === "debug");
      state.write(state.scrubber.scrub(line));
    } catch {
      // Logging must never take the server down (a closed stderr, a throwing writer).
    }
  };
  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    child: (fields) => makeLogger(state, { ...bound, ...safeFields(fields) }),
  };
}

function safeFields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (fields === undefined || fields === null || typeof fields !== "object") return {};
  const copy: Record<string, unknown> = {};
  try {
    for (const key of Object.keys(fields)) {
      let value: unknown;
      try {
        value = fields[key];
      } catch {
        value = UNSERIALISABLE;
      }
      Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    }
  } catch {
    return { fields: UNSERIALISABLE };
  }
  return copy;
}

/** Control characters (and the Unicode line separators) would split or garble one log line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (character) => {
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

function renderError(error: Error, withStack: boolean): string {
  let rendered: string;
  try {
    // A stack already starts with "name: message".
    rendered =
      withStack && typeof error.stack === "string" ? error.stack : `${String(error.name)}: ${String(error.message)}`;
  } catch {
    rendered = UNSERIALISABLE;
  }
  return rendered;
}

function serialiseValue(value: unknown, withStack: boolean): string | undefined {
  try {
    return JSON.stringify(value, (_key, item: unknown) => {
      if (item instanceof Error) return renderError(item, withStack);
      if (typeof item === "bigint") return item.toString();
      return item;
    });
  } catch {
    return JSON.stringify(UNSERIALISABLE);
  }
}

function formatLine(level: LogLevel, message: string, fields: Record<string, unknown>, withStack: boolean): string {
  const parts = ["leadpanther-mcp", new Date().toISOString(), level.toUpperCase(), oneLine(String(message))];
  const entries: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const serialised = serialiseValue(value, withStack);
    if (serialised !== undefined) entries.push(`${JSON.stringify(key)}:${serialised}`);
  }
  if (entries.length > 0) parts.push(oneLine(`{${entries.join(",")}}`));
  return parts.join(" ");
}

const defaultState = createState({ level: "info" });

/** The process-wide logger (stderr, scrubbed by `secrets`). Its level comes from the settings (setLogLevel). */
export const log: Logger = makeLogger(defaultState, {});

/** Changes the level of `log` and of every child made from it. */
export function setLogLevel(level: LogLevel): void {
  if (isLogLevel(level)) defaultState.level = level;
}
