/** Raw settings → a checked Config. Each value is checked by a zod schema whose message names what is accepted. */
import { delimiter, isAbsolute } from "node:path";
import { z } from "zod";
import { OFFICIAL_BASE_URL, WRONG_API_HOST } from "../contract.js";
import { SCAN_LIMITS } from "../find/scan.js";
import { LOG_LEVELS } from "../log.js";
import { ACTIVITY_CONTENT_MODES } from "../safety/redact.js";
import { TOOLSETS, type Toolset } from "../tools/toolsets.js";
import { collectRaw, type RawSetting } from "./args.js";
import { BOOLEAN_WORDS, ConfigError, FIND_TIME_BUDGET_RANGE, LEAD_PII_MODES, SANDBOX_SCALES, SETTINGS, type Config, type SettingSpec } from "./settings.js";

function booleanSchema() {
  return z
    .string()
    .transform((text) => BOOLEAN_WORDS[text.trim().toLowerCase()])
    .pipe(z.boolean({ error: "is not a yes/no value. Use true or false." }));
}

function integerSchema(min: number, max: number) {
  return z
    .string()
    .refine((text) => /^-?\d+$/.test(text.trim()), { error: `is not a whole number. Use an integer from ${min} to ${max}.` })
    .transform(Number)
    .refine((value) => value >= min && value <= max, { error: (issue) => `${String(issue.input)} is out of range. Use an integer from ${min} to ${max}.` });
}

function choiceSchema<T extends string>(choices: readonly [T, ...T[]]) {
  return z
    .string()
    .transform((text) => text.trim().toLowerCase())
    .pipe(z.enum(choices, { error: `is not accepted. Use one of: ${choices.join(", ")}.` }));
}

const uuidSchema = z.guid();

/**
 * The value checked by `schema`, or `fallback` when the setting is not given. A refusal names the
 * setting; messages that do not start with the value itself are prefixed with it, quoted. Schemas
 * are built only for the settings given (start-up builds none for an unset one).
 */
function parsed<T>(entry: RawSetting | undefined, schema: () => z.ZodType<T, string>, fallback: T): T {
  if (!entry) return fallback;
  const result = schema().safeParse(entry.value);
  if (result.success) return result.data;
  const message = result.error.issues[0]?.message ?? "is not accepted.";
  throw new ConfigError(entry.source, /^\d|^-\d/.test(message) ? message : `"${entry.value}" ${message}`);
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

  const sandbox = parsed(raw.sandbox, booleanSchema, false);
  const baseUrl = raw.baseUrl ? validateBaseUrl(raw.baseUrl.value, raw.baseUrl.source) : OFFICIAL_BASE_URL;

  let toolsets: ReadonlySet<Toolset> = new Set(TOOLSETS);
  if (raw.toolsets) {
    const written = raw.toolsets.value
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "");
    const names = written.map((part) => part.toLowerCase());
    if (names.length === 0) {
      throw new ConfigError(raw.toolsets.source, `is empty. Use "all" or some of: ${TOOLSETS.join(", ")}.`);
    }
    if (!names.includes("all")) {
      // Quoted as written: the refusal goes through the secret scrubber, which matches exact values.
      const unknown = written.filter((part) => !(TOOLSETS as readonly string[]).includes(part.toLowerCase()));
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

  const httpHost = raw.httpHost ? raw.httpHost.value.trim() : "127.0.0.1";
  if (raw.httpHost && httpHost === "") {
    throw new ConfigError(raw.httpHost.source, "is empty. Give an IP address or host name such as 127.0.0.1, or leave the setting out.");
  }
  const confirmSecret = raw.confirmSecret?.value;
  if (confirmSecret !== undefined && confirmSecret.trim().length < 24) {
    throw new ConfigError(SETTINGS.confirmSecret.env, "is too short. Use a random value of at least 24 characters, the same on every instance.");
  }
  const mcpToken = raw.mcpToken?.value;
  if (mcpToken !== undefined && /\s/.test(mcpToken)) {
    throw new ConfigError(SETTINGS.mcpToken.env, "contains white space (a line break from a secret file?). Remove it: clients would have to send it too.");
  }
  if (mcpToken !== undefined && mcpToken.length < 24) {
    throw new ConfigError(SETTINGS.mcpToken.env, "is too short. Use a random value of at least 24 characters.");
  }
  const httpEnabled = parsed(raw.http, booleanSchema, false);
  if (httpEnabled && !loopbackHost(httpHost) && mcpToken === undefined) {
    throw new ConfigError(
      raw.httpHost?.source ?? SETTINGS.httpHost.flag,
      `binding ${httpHost} exposes the server beyond this machine; set ${SETTINGS.mcpToken.env} so every request must carry it, or bind 127.0.0.1.`,
    );
  }
  const allowedOrigins = (raw.allowedOrigins?.value ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "")
    .map((origin) => {
      const normalised = originOf(origin);
      if (normalised === undefined) {
        throw new ConfigError(
          raw.allowedOrigins?.source ?? SETTINGS.allowedOrigins.env,
          `"${origin}" is not an origin. Write scheme, host and port only, e.g. https://example.com.`,
        );
      }
      return normalised;
    });

  return {
    command,
    apiKey: raw.apiKey?.value,
    baseUrl,
    readOnly: parsed(raw.readOnly, booleanSchema, false),
    toolsets,
    clientId,
    timeoutMs: parsed(raw.timeoutMs, () => integerSchema(1_000, 300_000), 30_000),
    findTimeBudgetMs: parsed(raw.findTimeBudgetMs, () => integerSchema(FIND_TIME_BUDGET_RANGE.min, FIND_TIME_BUDGET_RANGE.max), SCAN_LIMITS.defaultTimeBudgetMs),
    activityContent: parsed(raw.activityContent, () => choiceSchema(ACTIVITY_CONTENT_MODES), "redact"),
    confirmDestructive: parsed(raw.confirmDestructive, booleanSchema, true),
    confirmSecret,
    leadPii: parsed(raw.leadPii, () => choiceSchema(LEAD_PII_MODES), "full"),
    uploadRoots,
    logLevel: parsed(raw.logLevel, () => choiceSchema(LOG_LEVELS), "info"),
    sandbox,
    sandboxScale: parsed(raw.sandboxScale, () => choiceSchema(SANDBOX_SCALES), "small"),
    http: {
      enabled: httpEnabled,
      host: httpHost,
      port: parsed(raw.httpPort, () => integerSchema(0, 65_535), 3333),
      token: mcpToken,
      allowedOrigins,
      maxConnections: parsed(raw.httpMaxConnections, () => integerSchema(8, 65_535), 512),
    },
    json: parsed(raw.json, booleanSchema, false),
    rest,
  };
}

/**
 * The origin as a browser's Origin header spells it (lower-case host, punycode, no default
 * port), or undefined when the value holds more than scheme, host and port. Only http and
 * https: any other scheme's origin is the opaque "null", which would match sandboxed frames.
 */
function originOf(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username !== "" || url.password !== "" || value.endsWith("/") || url.href !== `${url.origin}/`) return undefined;
  return url.origin;
}

/** Environment variables that look like ours but are not: most often a typo worth a warning. */
export function unknownEnvSettings(env: NodeJS.ProcessEnv): string[] {
  const known = new Set<string>(Object.values(SETTINGS).map((spec: SettingSpec) => spec.env).filter(Boolean));
  return Object.keys(env).filter((name) => name.startsWith("LEADPANTHER_") && !known.has(name));
}

