/** What an operator can set: the one table that feeds --help, the README and the parser. */
import { delimiter } from "node:path";
import { OFFICIAL_BASE_URL } from "../contract.js";
import { SCAN_LIMITS } from "../find/scan.js";
import { LOG_LEVELS, type LogLevel } from "../log.js";
import type { ActivityContentMode } from "../safety/redact.js";
import { TOOLSETS, type Toolset } from "../tools/toolsets.js";

export const LEAD_PII_MODES = ["full", "masked"] as const;
export type LeadPiiMode = (typeof LEAD_PII_MODES)[number];

/** LEADPANTHER_FIND_TIME_BUDGET_MS: at least a second (the first page is read whatever the budget), at most five minutes. */
export const FIND_TIME_BUDGET_RANGE = { min: 1_000, max: 300_000 } as const;

/** What a yes/no setting accepts (compared lower-cased and trimmed). */
export const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  "1": true,
  yes: true,
  on: true,
  false: false,
  "0": false,
  no: false,
  off: false,
};

export const SANDBOX_SCALES = ["small", "large"] as const;
export type SandboxScale = (typeof SANDBOX_SCALES)[number];

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
  /** How long one filtered list call reads pages before it answers with what it found. */
  findTimeBudgetMs: number;
  activityContent: ActivityContentMode;
  confirmDestructive: boolean;
  /** Keys the confirm tokens of deletes and archives; undefined: a random one per process. Never printed. */
  confirmSecret: string | undefined;
  leadPii: LeadPiiMode;
  uploadRoots: readonly string[];
  logLevel: LogLevel;
  sandbox: boolean;
  /** How much invented data the bundled sandbox holds (carried here; the sandbox start reads it). */
  sandboxScale: SandboxScale;
  http: {
    enabled: boolean;
    host: string;
    port: number;
    token: string | undefined;
    allowedOrigins: readonly string[];
    /** Open connections the HTTP transport keeps at most; beyond, the oldest idle unauthenticated one goes. */
    maxConnections: number;
  };
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
  findTimeBudgetMs: {
    env: "LEADPANTHER_FIND_TIME_BUDGET_MS",
    flag: "--find-time-budget-ms",
    summary: "How long a filtered list call reads pages; then it answers with what it found and the offset to go on from. Keep it below your client's request timeout.",
    accepted: `an integer from ${FIND_TIME_BUDGET_RANGE.min} to ${FIND_TIME_BUDGET_RANGE.max}`,
    defaultText: `\`${SCAN_LIMITS.defaultTimeBudgetMs}\``,
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
    summary: "Ask the person to confirm deletes and archives: a dialog where the client supports elicitation, otherwise a preview and a `confirm` token to call again with.",
    accepted: "`true` / `false`",
    defaultText: "`true`",
  },
  confirmSecret: {
    env: "LEADPANTHER_CONFIRM_SECRET",
    flag: "",
    envOnly: true,
    summary: "Secret the confirm tokens are signed with. Several HTTP instances behind a load balancer must share one; unset, each process makes its own, so a token works only on the instance that issued it.",
    accepted: "at least 24 characters",
    defaultText: "random per process",
  },
  leadPii: {
    env: "LEADPANTHER_LEAD_PII",
    flag: "--lead-pii",
    summary: "Lead emails in every result: shown in full, or masked as `k•••@example.com` (names stay).",
    accepted: "`full` or `masked`",
    defaultText: "`full`",
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
  sandboxScale: {
    env: "LEADPANTHER_SANDBOX_SCALE",
    flag: "--sandbox-scale",
    summary: "How much invented data the bundled sandbox starts with.",
    accepted: SANDBOX_SCALES.map((scale) => `\`${scale}\``).join(" or "),
    defaultText: "`small`",
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
  httpMaxConnections: {
    env: "LEADPANTHER_HTTP_MAX_CONNECTIONS",
    flag: "--max-connections",
    summary: "Open connections the HTTP transport keeps at most. At the bound, the oldest connection that is idle and has not shown the token is closed to make room (one warning per minute in the log).",
    accepted: "an integer from 8 to 65535",
    defaultText: "`512`",
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

export type SettingName = keyof typeof SETTINGS;
