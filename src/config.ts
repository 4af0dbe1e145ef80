import { isAbsolute, delimiter } from "node:path";
import { z } from "zod";
import { KEY_PREFIXES, OFFICIAL_BASE_URL, WRONG_API_HOST } from "./contract.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";

/** The groups of tools an operator can switch on with LEADPANTHER_TOOLSETS. */
export const TOOLSETS = [
  "clients",
  "posts",
  "lead_magnets",
  "media",
  "analytics",
  "leads",
  "activity",
] as const;
export type Toolset = (typeof TOOLSETS)[number];

export const ACTIVITY_CONTENT_MODES = ["redact", "sanitized"] as const;
export type ActivityContentMode = (typeof ACTIVITY_CONTENT_MODES)[number];


export type Command = "serve" | "sandbox" | "doctor" | "help" | "version";

export interface Config {
  command: Command;
  /** The raw key as configured; undefined when none is set. Never printed. */
  apiKey: string | undefined;
  baseUrl: string;
  readOnly: boolean;
  toolsets: ReadonlySet<Toolset>;
  clientId: string | undefined;
  timeoutMs: number;
  activityContent: ActivityContentMode;
  confirmDestructive: boolean;
  uploadRoots: readonly string[];
  logLevel: LogLevel;
  sandbox: boolean;
  http: { enabled: boolean; host: string; port: number; token: string | undefined; allowedOrigins: readonly string[] };
  json: boolean;
  /** Arguments after the command word, for sub-commands that parse their own (`sandbox`). */
  rest: readonly string[];
}

/** A setting that cannot be used: start-up stops with this message. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

export interface SettingSpec {
  env: string;
  flag: string;
  /** Flags without a value (`--read-only`) mean "true". */
  boolean?: boolean;
  /** Secrets are read from the environment only, never from argv (visible in process lists). */
  envOnly?: boolean;
  summary: string;
  accepted: string;
  defaultText: string;
}

/**
 * Every operator setting. The README's configuration table is generated from this list, so a
 * setting cannot exist without being documented.
 */
export const SETTINGS = {
  apiKey: {
    env: "LEADPANTHER_API_KEY",
    flag: "",
    envOnly: true,
    summary: "Your LeadPanther API key. Without it (and without --sandbox) the server starts and explains how to set one.",
    accepted: "`lp_live_…` or `lp_test_…`, nothing around it",
    defaultText: "none",
  },
  baseUrl: {
    env: "LEADPANTHER_BASE_URL",
    flag: "--base-url",
    summary: "API base URL.",
    accepted: "an `https` URL (plain `http` only for loopback); never `api.leadpanther.ai`",
    defaultText: `\`${OFFICIAL_BASE_URL}\``,
  },
  readOnly: {
    env: "LEADPANTHER_READ_ONLY",
    flag: "--read-only",
    boolean: true,
    summary: "Expose no tool that can write; a write tool called by name is refused without a request.",
    accepted: "`true` / `false` (also `1`/`0`, `yes`/`no`)",
    defaultText: "`false`",
  },
  toolsets: {
    env: "LEADPANTHER_TOOLSETS",
    flag: "--toolsets",
    summary: "Which groups of tools to expose (intersected with the key's scopes and read-only mode).",
    accepted: `comma-separated: ${TOOLSETS.map((t) => `\`${t}\``).join(", ")}, or \`all\``,
    defaultText: "`all`",
  },
  clientId: {
    env: "LEADPANTHER_CLIENT_ID",
    flag: "--client-id",
    summary: "Agency keys: pin one client account; `client_id` disappears from the tools and is filled in.",
    accepted: "a client `user_id` (UUID) from `list_clients`",
    defaultText: "none",
  },
  timeoutMs: {
    env: "LEADPANTHER_TIMEOUT_MS",
    flag: "--timeout-ms",
    summary: "Deadline for one API call, retries included.",
    accepted: "an integer from 1000 to 300000",
    defaultText: "`30000`",
  },
  activityContent: {
    env: "LEADPANTHER_ACTIVITY_CONTENT",
    flag: "--activity-content",
    summary: "How inbound comment and message text reaches the model: replaced by a length marker, or sanitized inside untrusted-data markers.",
    accepted: "`redact` or `sanitized`",
    defaultText: "`redact`",
  },
  confirmDestructive: {
    env: "LEADPANTHER_CONFIRM_DESTRUCTIVE",
    flag: "--confirm-destructive",
    boolean: true,
    summary: "Ask the person to confirm deletes and archives when the client supports elicitation.",
    accepted: "`true` / `false`",
    defaultText: "`true`",
  },
  uploadRoots: {
    env: "LEADPANTHER_UPLOAD_ROOTS",
    flag: "--upload-roots",
    summary: "Folders `upload_media` may read files from when the client declares no MCP roots.",
    accepted: `absolute folders separated by \`${delimiter}\``,
    defaultText: "none",
  },
  logLevel: {
    env: "LEADPANTHER_LOG_LEVEL",
    flag: "--log-level",
    summary: "How much goes to stderr.",
    accepted: LOG_LEVELS.map((l) => `\`${l}\``).join(", "),
    defaultText: "`info`",
  },
  sandbox: {
    env: "LEADPANTHER_SANDBOX",
    flag: "--sandbox",
    boolean: true,
    summary: "Start the bundled LeadPanther sandbox in-process on a loopback port and use its `*` demo key.",
    accepted: "`true` / `false`",
    defaultText: "`false`",
  },
  http: {
    env: "LEADPANTHER_HTTP",
    flag: "--http",
    boolean: true,
    summary: "Serve MCP over Streamable HTTP instead of stdio.",
    accepted: "`true` / `false`",
    defaultText: "`false`",
  },
  httpHost: {
    env: "LEADPANTHER_HTTP_HOST",
    flag: "--host",
    summary: "Address the HTTP transport binds; anything but loopback requires `LEADPANTHER_MCP_TOKEN`.",
    accepted: "an IP address or host name",
    defaultText: "`127.0.0.1`",
  },
  httpPort: {
    env: "LEADPANTHER_HTTP_PORT",
    flag: "--port",
    summary: "Port of the HTTP transport (0 picks a free one).",
    accepted: "an integer from 0 to 65535",
    defaultText: "`3333`",
  },
  mcpToken: {
    env: "LEADPANTHER_MCP_TOKEN",
    flag: "",
    envOnly: true,
    summary: "Bearer token every HTTP request must carry.",
    accepted: "at least 24 characters",
    defaultText: "none",
  },
  allowedOrigins: {
    env: "LEADPANTHER_ALLOWED_ORIGINS",
    flag: "--allowed-origins",
    summary: "Extra `Origin` values the HTTP transport accepts. A loopback origin on the server's own port always is; with `LEADPANTHER_MCP_TOKEN` set, a loopback origin on any port is (without a token, another local web page could call the server). Their host names are also accepted in `Host` (behind a load balancer, list the public origin).",
    accepted: "comma-separated origins such as `https://example.com`",
    defaultText: "none",
  },
  json: {
    env: "",
    flag: "--json",
    boolean: true,
    summary: "`doctor`: print the report as JSON.",
    accepted: "flag",
    defaultText: "off",
  },
} as const satisfies Record<string, SettingSpec>;

type SettingName = keyof typeof SETTINGS;

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  "1": true,
  yes: true,
  on: true,
  false: false,
  "0": false,
  no: false,
  off: false,
};

const uuidSchema = z.guid();

/** Reads argv and the environment into raw strings, one per setting, with where each came from. */
function collectRaw(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { command: Command; raw: Partial<Record<SettingName, { value: string; source: string }>>; rest: string[] } {
  const raw: Partial<Record<SettingName, { value: string; source: string }>> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    const value = spec.env ? env[spec.env] : undefined;
    if (value !== undefined && value !== "") raw[name] = { value, source: spec.env };
  }

  let command: Command = "serve";
  const rest: string[] = [];
  let index = 0;
  const first = argv[0];
  if (first === "sandbox" || first === "doctor" || first === "help" || first === "serve") {
    command = first;
    index = 1;
  } else if (first === "--help" || first === "-h") {
    return { command: "help", raw, rest };
  } else if (first === "--version" || first === "-v") {
    return { command: "version", raw, rest };
  }
  if (command === "sandbox") {
    // The sandbox has its own small parser (--port); hand it everything.
    return { command, raw, rest: argv.slice(1) };
  }

  const byFlag = new Map<string, SettingName>();
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    if (spec.flag) byFlag.set(spec.flag, name);
  }
  for (; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === "--help" || arg === "-h") return { command: "help", raw, rest };
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const name = byFlag.get(flag);
    if (name === undefined) {
      if (flag === "--api-key" || flag === "--mcp-token") {
        throw new ConfigError(
          flag,
          `secrets are not accepted on the command line (other users of this machine can read process arguments). Set ${flag === "--api-key" ? SETTINGS.apiKey.env : SETTINGS.mcpToken.env} in the environment instead.`,
        );
      }
      throw new ConfigError(
        arg,
        `unknown option. Accepted options: ${[...byFlag.keys()].join(", ")}. Run \`leadpanther-mcp --help\` for details.`,
      );
    }
    const spec: SettingSpec = SETTINGS[name];
    if (eq > 0) {
      raw[name] = { value: arg.slice(eq + 1), source: flag };
    } else if (spec.boolean) {
      raw[name] = { value: "true", source: flag };
    } else {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new ConfigError(flag, `needs a value: ${spec.accepted}.`);
      }
      raw[name] = { value: next, source: flag };
      index += 1;
    }
  }
  return { command, raw, rest };
}

function parseBoolean(entry: { value: string; source: string } | undefined, fallback: boolean): boolean {
  if (!entry) return fallback;
  const parsed = BOOLEAN_WORDS[entry.value.trim().toLowerCase()];
  if (parsed === undefined) {
    throw new ConfigError(entry.source, `"${entry.value}" is not a yes/no value. Use true or false.`);
  }
  return parsed;
}

function parseInteger(
  entry: { value: string; source: string } | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (!entry) return fallback;
  const text = entry.value.trim();
  if (!/^-?\d+$/.test(text)) {
    throw new ConfigError(entry.source, `"${entry.value}" is not a whole number. Use an integer from ${min} to ${max}.`);
  }
  const value = Number(text);
  if (value < min || value > max) {
    throw new ConfigError(entry.source, `${value} is out of range. Use an integer from ${min} to ${max}.`);
  }
  return value;
}

function parseChoice<T extends string>(
  entry: { value: string; source: string } | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (!entry) return fallback;
  const value = entry.value.trim().toLowerCase();
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(entry.source, `"${entry.value}" is not accepted. Use one of: ${choices.join(", ")}.`);
}

export function loopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

export function validateBaseUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(source, `"${value}" is not a URL. Use ${OFFICIAL_BASE_URL}.`);
  }
  if (url.hostname.toLowerCase() === WRONG_API_HOST) {
    throw new ConfigError(
      source,
      `${WRONG_API_HOST} is not the LeadPanther API v1 base URL (LeadPanther's troubleshooting guide says so). Use ${OFFICIAL_BASE_URL}.`,
    );
  }
  if (url.protocol === "http:" && !loopbackHost(url.hostname)) {
    throw new ConfigError(
      source,
      `plain http is only allowed for loopback addresses (127.0.0.1, localhost, ::1): the API key would travel unencrypted. Use https.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(source, `${url.protocol} is not supported. Use an https URL such as ${OFFICIAL_BASE_URL}.`);
  }
  if (url.username || url.password) {
    throw new ConfigError(source, "credentials in the URL are not allowed. Put the key in LEADPANTHER_API_KEY.");
  }
  if (url.search || url.hash) {
    throw new ConfigError(source, "the base URL must not have a query string or fragment.");
  }
  return url.toString().replace(/\/+$/, "");
}


/** Reads every setting from flags (which win) and the environment; throws ConfigError on the first bad one. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Config {
  const { command, raw, rest } = collectRaw(argv, env);

  const sandbox = parseBoolean(raw.sandbox, false);
  const baseUrl = raw.baseUrl ? validateBaseUrl(raw.baseUrl.value, raw.baseUrl.source) : OFFICIAL_BASE_URL;

  let toolsets: ReadonlySet<Toolset> = new Set(TOOLSETS);
  if (raw.toolsets) {
    const names = raw.toolsets.value
      .split(",")
      .map((part) => part.trim().toLowerCase())
      .filter((part) => part !== "");
    if (names.length === 0) {
      throw new ConfigError(raw.toolsets.source, `is empty. Use "all" or some of: ${TOOLSETS.join(", ")}.`);
    }
    if (!names.includes("all")) {
      const unknown = names.filter((name) => !(TOOLSETS as readonly string[]).includes(name));
      if (unknown.length > 0) {
        throw new ConfigError(
          raw.toolsets.source,
          `unknown toolset ${unknown.map((u) => `"${u}"`).join(", ")}. Use "all" or some of: ${TOOLSETS.join(", ")}.`,
        );
      }
      toolsets = new Set(names as Toolset[]);
    }
  }

  let clientId: string | undefined;
  if (raw.clientId) {
    const value = raw.clientId.value.trim();
    if (!uuidSchema.safeParse(value).success) {
      throw new ConfigError(
        raw.clientId.source,
        `"${raw.clientId.value}" is not a UUID. Use a client's user_id as list_clients returns it.`,
      );
    }
    // Sent exactly as given: ids are compared as LeadPanther returns them (list_clients).
    clientId = value;
  }

  let uploadRoots: string[] = [];
  if (raw.uploadRoots) {
    uploadRoots = raw.uploadRoots.value
      .split(delimiter)
      .map((part) => part.trim())
      .filter((part) => part !== "");
    const relative = uploadRoots.filter((root) => !isAbsolute(root));
    if (relative.length > 0) {
      throw new ConfigError(
        raw.uploadRoots.source,
        `${relative.map((r) => `"${r}"`).join(", ")} is not an absolute path. List absolute folders separated by "${delimiter}".`,
      );
    }
  }

  const httpHost = raw.httpHost?.value.trim() || "127.0.0.1";
  const mcpToken = raw.mcpToken?.value;
  if (mcpToken !== undefined && /\s/.test(mcpToken)) {
    throw new ConfigError(SETTINGS.mcpToken.env, "contains white space (a line break from a secret file?). Remove it: clients would have to send it too.");
  }
  if (mcpToken !== undefined && mcpToken.length < 24) {
    throw new ConfigError(SETTINGS.mcpToken.env, "is too short. Use a random value of at least 24 characters.");
  }
  const httpEnabled = parseBoolean(raw.http, false);
  if (httpEnabled && !loopbackHost(httpHost) && mcpToken === undefined) {
    throw new ConfigError(
      raw.httpHost?.source ?? SETTINGS.httpHost.flag,
      `binding ${httpHost} exposes the server beyond this machine; set ${SETTINGS.mcpToken.env} so every request must carry it, or bind 127.0.0.1.`,
    );
  }
  const allowedOrigins = (raw.allowedOrigins?.value ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of allowedOrigins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      throw new ConfigError(
        raw.allowedOrigins?.source ?? SETTINGS.allowedOrigins.env,
        `"${origin}" is not an origin. Write scheme, host and port only, e.g. https://example.com.`,
      );
    }
  }

  return {
    command,
    apiKey: raw.apiKey?.value,
    baseUrl,
    readOnly: parseBoolean(raw.readOnly, false),
    toolsets,
    clientId,
    timeoutMs: parseInteger(raw.timeoutMs, 30_000, 1_000, 300_000),
    activityContent: parseChoice(raw.activityContent, ACTIVITY_CONTENT_MODES, "redact"),
    confirmDestructive: parseBoolean(raw.confirmDestructive, true),
    uploadRoots,
    logLevel: parseChoice(raw.logLevel, LOG_LEVELS, "info"),
    sandbox,
    http: {
      enabled: httpEnabled,
      host: httpHost,
      port: parseInteger(raw.httpPort, 3333, 0, 65_535),
      token: mcpToken,
      allowedOrigins,
    },
    json: parseBoolean(raw.json, false),
    rest,
  };
}

/** Environment variables that look like ours but are not: most often a typo worth a warning. */
export function unknownEnvSettings(env: NodeJS.ProcessEnv): string[] {
  const known = new Set<string>(Object.values(SETTINGS).map((spec: SettingSpec) => spec.env).filter(Boolean));
  return Object.keys(env).filter((name) => name.startsWith("LEADPANTHER_") && !known.has(name));
}

export type KeyProblem =
  | { kind: "missing" }
  | { kind: "quoted" }
  | { kind: "whitespace"; where: "start" | "end" | "inside" }
  | { kind: "line_break" }
  | { kind: "bearer_prefix" }
  | { kind: "prefix" }
  | { kind: "characters" };

/**
 * Checks a key for the copy-and-paste mistakes LeadPanther lists as causes of `unauthorized`,
 * before it is ever sent. Never returns or prints the key itself.
 */
export function checkKeyHygiene(key: string | undefined): KeyProblem | undefined {
  if (key === undefined || key === "") return { kind: "missing" };
  if (/[\r\n]/.test(key)) return { kind: "line_break" };
  const trimmed = key.trim();
  if (/^["'`].*["'`]$/s.test(trimmed) || /^["'`]/.test(trimmed)) return { kind: "quoted" };
  if (/^\s/.test(key)) return { kind: "whitespace", where: "start" };
  if (/\s$/.test(key)) return { kind: "whitespace", where: "end" };
  if (/^bearer\s/i.test(trimmed)) return { kind: "bearer_prefix" };
  if (/\s/.test(key)) return { kind: "whitespace", where: "inside" };
  if (!KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) return { kind: "prefix" };
  if (!/^[A-Za-z0-9_\-.]+$/.test(key)) return { kind: "characters" };
  return undefined;
}

/** What to check when LeadPanther answers `unauthorized` (its troubleshooting guide's list). */
export const KEY_CHECKS =
  "Check that LEADPANTHER_API_KEY holds the whole key (lp_live_… or lp_test_…) without extra spaces, quotes or line breaks, and that the key is still active: revoked and inactive keys are refused. The person who configured this server has to fix it; retrying will not help.";

/** Problems that make a request certain to fail: the key is not sent at all. */
export function isBlockingKeyProblem(problem: KeyProblem): boolean {
  return problem.kind !== "prefix" && problem.kind !== "characters";
}

/** What a person should read about a key problem. Mentions at most the key's prefix and length. */
export function describeKeyProblem(problem: KeyProblem, key: string | undefined): string {
  const shape = key ? ` (the configured value is ${[...key].length} characters long${describePrefix(key)})` : "";
  switch (problem.kind) {
    case "missing":
      return `No API key is set. Put your LeadPanther key in the ${SETTINGS.apiKey.env} environment variable of this server's configuration, or start with --sandbox to try the bundled sandbox without a key.`;
    case "quoted":
      return `${SETTINGS.apiKey.env} is wrapped in quote characters${shape}. Remove the quotes: the value must be the bare key starting with lp_live_ or lp_test_.`;
    case "whitespace":
      return `${SETTINGS.apiKey.env} has a space ${problem.where === "inside" ? "inside it" : `at the ${problem.where}`}${shape}. Copy the key again without spaces.`;
    case "line_break":
      return `${SETTINGS.apiKey.env} contains a line break${shape}. Copy the key again as one line.`;
    case "bearer_prefix":
      return `${SETTINGS.apiKey.env} starts with "Bearer"${shape}. Set only the key; the server adds "Bearer" itself.`;
    case "prefix":
      return `${SETTINGS.apiKey.env} does not start with lp_live_ or lp_test_${shape}, the prefixes LeadPanther documents. Check that you copied a LeadPanther API key; it is tried anyway.`;
    case "characters":
      return `${SETTINGS.apiKey.env} contains characters other than letters, digits, "_", "-" and "."${shape}. If LeadPanther refuses it, copy the key again; it is tried anyway.`;
  }
}

function describePrefix(key: string): string {
  const prefix = KEY_PREFIXES.find((candidate) => key.trim().replace(/^["'`]/, "").startsWith(candidate));
  return prefix ? `, starting with ${prefix}` : "";
}
