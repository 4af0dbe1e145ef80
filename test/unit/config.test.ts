import { describe, expect, test } from "vitest";
import { checkKeyHygiene, ConfigError, describeKeyProblem, loadConfig, unknownEnvSettings } from "../../src/config.js";
import { OFFICIAL_BASE_URL } from "../../src/contract.js";

/** Every operator setting: accepted values, and a refusal that names the setting and what to use. */

function refusal(argv: string[], env: Record<string, string> = {}): ConfigError {
  try {
    loadConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("defaults", () => {
  test("no settings: official base URL, all toolsets, redact, confirmations on, stdio", () => {
    const config = loadConfig([], {});
    expect(config.baseUrl).toBe(OFFICIAL_BASE_URL);
    expect([...config.toolsets]).toHaveLength(7);
    expect(config).toMatchObject({
      command: "serve",
      apiKey: undefined,
      readOnly: false,
      clientId: undefined,
      timeoutMs: 30_000,
      activityContent: "redact",
      confirmDestructive: true,
      logLevel: "info",
      sandbox: false,
    });
    expect(config.http).toMatchObject({ enabled: false, host: "127.0.0.1", port: 3333 });
  });

  test("flags win over the environment", () => {
    const config = loadConfig(["--timeout-ms", "5000", "--read-only=false"], { LEADPANTHER_TIMEOUT_MS: "9000", LEADPANTHER_READ_ONLY: "true" });
    expect(config.timeoutMs).toBe(5000);
    expect(config.readOnly).toBe(false);
  });
});

describe("LEADPANTHER_BASE_URL (§1)", () => {
  test("api.leadpanther.ai is refused with the contract's explanation", () => {
    const error = refusal([], { LEADPANTHER_BASE_URL: "https://api.leadpanther.ai/v1" });
    expect(error.setting).toBe("LEADPANTHER_BASE_URL");
    expect(error.message).toContain("is not the LeadPanther API v1 base URL");
    expect(error.message).toContain(OFFICIAL_BASE_URL);
  });
  test("plain http only for loopback", () => {
    expect(loadConfig([], { LEADPANTHER_BASE_URL: "http://127.0.0.1:4000/api/v1/" }).baseUrl).toBe("http://127.0.0.1:4000/api/v1");
    expect(loadConfig([], { LEADPANTHER_BASE_URL: "http://localhost:4000/api/v1" }).baseUrl).toBe("http://localhost:4000/api/v1");
    expect(refusal([], { LEADPANTHER_BASE_URL: "http://example.com/api/v1" }).message).toContain("only allowed for loopback");
  });
  test("not a URL, another scheme, credentials or a query string are refused", () => {
    expect(refusal(["--base-url", "app.leadpanther.ai"]).setting).toBe("--base-url");
    expect(refusal([], { LEADPANTHER_BASE_URL: "ftp://app.leadpanther.ai/api/v1" }).message).toContain("not supported");
    expect(refusal([], { LEADPANTHER_BASE_URL: "https://u:p@app.leadpanther.ai/api/v1" }).message).toContain("credentials");
    expect(refusal([], { LEADPANTHER_BASE_URL: "https://app.leadpanther.ai/api/v1?x=1" }).message).toContain("query string");
  });
});

describe("the other settings", () => {
  test("LEADPANTHER_READ_ONLY accepts yes/no words and refuses others", () => {
    expect(loadConfig([], { LEADPANTHER_READ_ONLY: "YES" }).readOnly).toBe(true);
    expect(loadConfig(["--read-only"], {}).readOnly).toBe(true);
    const error = refusal([], { LEADPANTHER_READ_ONLY: "maybe" });
    expect(error.message).toBe('LEADPANTHER_READ_ONLY: "maybe" is not a yes/no value. Use true or false.');
  });
  test("LEADPANTHER_TOOLSETS: a list, all, unknown names refused by name", () => {
    expect([...loadConfig([], { LEADPANTHER_TOOLSETS: "posts, leads" }).toolsets]).toEqual(["posts", "leads"]);
    expect([...loadConfig([], { LEADPANTHER_TOOLSETS: "all" }).toolsets]).toHaveLength(7);
    const error = refusal([], { LEADPANTHER_TOOLSETS: "posts,webhooks" });
    expect(error.message).toContain('unknown toolset "webhooks"');
    expect(error.message).toContain("clients, posts, lead_magnets, media, analytics, leads, activity");
    expect(refusal([], { LEADPANTHER_TOOLSETS: " , " }).message).toContain("is empty");
  });
  test("LEADPANTHER_CLIENT_ID must be a UUID", () => {
    // Kept exactly as given (trimmed): a stand-in may compare ids as list_clients spelled them.
    expect(loadConfig([], { LEADPANTHER_CLIENT_ID: " 00000000-0000-4000-8000-0000000000C1 " }).clientId).toBe("00000000-0000-4000-8000-0000000000C1");
    expect(refusal([], { LEADPANTHER_CLIENT_ID: "acme" }).message).toContain("is not a UUID");
  });
  test("LEADPANTHER_TIMEOUT_MS: whole number in range", () => {
    expect(refusal([], { LEADPANTHER_TIMEOUT_MS: "fast" }).message).toContain("is not a whole number");
    expect(refusal([], { LEADPANTHER_TIMEOUT_MS: "10" }).message).toContain("from 1000 to 300000");
    expect(refusal([], { LEADPANTHER_TIMEOUT_MS: "1.5" }).setting).toBe("LEADPANTHER_TIMEOUT_MS");
  });
  test("LEADPANTHER_ACTIVITY_CONTENT, LEADPANTHER_LOG_LEVEL, LEADPANTHER_CONFIRM_DESTRUCTIVE", () => {
    expect(loadConfig([], { LEADPANTHER_ACTIVITY_CONTENT: "sanitized" }).activityContent).toBe("sanitized");
    expect(refusal([], { LEADPANTHER_ACTIVITY_CONTENT: "raw" }).message).toContain("Use one of: redact, sanitized");
    expect(refusal([], { LEADPANTHER_LOG_LEVEL: "verbose" }).message).toContain("debug, info, warn, error");
    expect(loadConfig([], { LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" }).confirmDestructive).toBe(false);
    expect(refusal([], { LEADPANTHER_CONFIRM_DESTRUCTIVE: "sometimes" }).setting).toBe("LEADPANTHER_CONFIRM_DESTRUCTIVE");
  });
  test("LEADPANTHER_UPLOAD_ROOTS must be absolute folders", () => {
    expect(loadConfig([], { LEADPANTHER_UPLOAD_ROOTS: "/tmp:/var/tmp" }).uploadRoots).toEqual(["/tmp", "/var/tmp"]);
    expect(refusal([], { LEADPANTHER_UPLOAD_ROOTS: "/tmp:pictures" }).message).toContain('"pictures" is not an absolute path');
  });
  test("HTTP: a non-loopback host needs LEADPANTHER_MCP_TOKEN, which must be long enough", () => {
    expect(refusal(["--http", "--host", "0.0.0.0"]).message).toContain("LEADPANTHER_MCP_TOKEN");
    expect(refusal(["--http"], { LEADPANTHER_MCP_TOKEN: "short" }).message).toContain("at least 24 characters");
    expect(refusal(["--http"], { LEADPANTHER_MCP_TOKEN: `${"x".repeat(32)}\n` }).message).toContain("white space");
    const config = loadConfig(["--http", "--host", "0.0.0.0", "--port", "8080"], { LEADPANTHER_MCP_TOKEN: "x".repeat(32) });
    expect(config.http).toMatchObject({ enabled: true, host: "0.0.0.0", port: 8080 });
    expect(refusal(["--http", "--port", "70000"]).message).toContain("from 0 to 65535");
    expect(refusal([], { LEADPANTHER_ALLOWED_ORIGINS: "https://a.example/path" }).message).toContain("is not an origin");
  });
  test("an empty or blank --host / LEADPANTHER_HTTP_HOST is refused, not taken as the default", () => {
    // An unset shell variable in `--host=$HOST` must not quietly bind some other address.
    expect(refusal(["--http", "--host="]).message).toBe("--host: is empty. Give an IP address or host name such as 127.0.0.1, or leave the setting out.");
    expect(refusal(["--http", "--host", "  "]).setting).toBe("--host");
    expect(refusal(["--http"], { LEADPANTHER_HTTP_HOST: " \t" }).setting).toBe("LEADPANTHER_HTTP_HOST");
    // An empty variable stays "not set", as for every setting.
    expect(loadConfig(["--http"], { LEADPANTHER_HTTP_HOST: "" }).http.host).toBe("127.0.0.1");
  });
  test("a flag given twice with different values is refused; the same value twice, or a flag over a variable, is not", () => {
    expect(refusal(["--port", "3000", "--http", "--port=4000"]).message).toBe('--port: given twice, "3000" and "4000". Give it once.');
    expect(refusal(["--read-only", "--read-only=false"]).setting).toBe("--read-only");
    expect(loadConfig(["--port", "3000", "--port", "3000"], {}).http.port).toBe(3000);
    expect(loadConfig(["--port", "3000"], { LEADPANTHER_HTTP_PORT: "4000" }).http.port).toBe(3000);
  });
  test("LEADPANTHER_ALLOWED_ORIGINS takes an origin in any spelling a browser's Origin matches, and nothing more", () => {
    const config = loadConfig([], { LEADPANTHER_ALLOWED_ORIGINS: "https://EXAMPLE.com, https://app.example:443, http://localhost:80, https://bücher.example" });
    expect(config.http.allowedOrigins).toEqual(["https://example.com", "https://app.example", "http://localhost", "https://xn--bcher-kva.example"]);
    for (const notAnOrigin of ["https://a.example/path", "https://a.example/", "https://a.example?x=1", "https://user@a.example", "*", "chrome-extension://abcdef", "a.example"]) {
      expect(refusal([], { LEADPANTHER_ALLOWED_ORIGINS: notAnOrigin }).message).toBe(
        `LEADPANTHER_ALLOWED_ORIGINS: "${notAnOrigin}" is not an origin. Write scheme, host and port only, e.g. https://example.com.`,
      );
    }
  });
  test("a yes/no flag followed by a separate word names the flag and the = form", () => {
    expect(refusal(["--read-only", "false"]).message).toBe('--read-only: a yes/no flag takes its value after "=": write --read-only=false (alone, --read-only means true).');
    expect(refusal(["--http", "--sandbox", "no"]).setting).toBe("--sandbox");
    // Any other word (a command after a flag, say) is still an unknown option.
    expect(refusal(["--port", "0", "extra"]).message).toMatch(/^extra: unknown option\./);
    expect(refusal(["--sandbox", "doctor"]).message).toMatch(/^doctor: unknown option\./);
  });
  test("unknown flags, flags without a value, and secrets on the command line are refused", () => {
    expect(refusal(["--readonly"]).message).toContain("unknown option");
    expect(refusal(["--client-id"]).message).toContain("needs a value");
    expect(refusal(["--api-key", "lp_live_x"]).message).toContain("not accepted on the command line");
  });
  test("flag forms: --flag=value, yes/no flags with and without a value, a flag's value that is another flag", () => {
    expect(loadConfig(["--read-only=false", "--http"], {})).toMatchObject({ readOnly: false, http: { enabled: true } });
    expect(loadConfig(["--read-only", "--timeout-ms=5000"], {})).toMatchObject({ readOnly: true, timeoutMs: 5000 });
    expect(refusal(["--read-only=perhaps"]).message).toBe('--read-only: "perhaps" is not a yes/no value. Use true or false.');
    expect(refusal(["--client-id", "--read-only"]).message).toBe("--client-id: needs a value: a client `user_id` (UUID) from `list_clients`.");
    expect(refusal(["serve", "extra"]).message).toMatch(/^extra: unknown option\. Accepted options: --base-url, /);
    expect(refusal(["--timeout-ms", "70"]).message).toBe("--timeout-ms: 70 is out of range. Use an integer from 1000 to 300000.");
    expect(refusal(["--timeout-ms", "soon"]).message).toBe('--timeout-ms: "soon" is not a whole number. Use an integer from 1000 to 300000.');
  });
  test("LEADPANTHER_FIND_TIME_BUDGET_MS: 25 s by default, a whole number of milliseconds from 1000 to 300000", () => {
    expect(loadConfig([], {}).findTimeBudgetMs).toBe(25_000);
    expect(loadConfig([], { LEADPANTHER_FIND_TIME_BUDGET_MS: "1500" }).findTimeBudgetMs).toBe(1_500);
    expect(loadConfig(["--find-time-budget-ms", "60000"], { LEADPANTHER_FIND_TIME_BUDGET_MS: "1500" }).findTimeBudgetMs).toBe(60_000);
    expect(refusal([], { LEADPANTHER_FIND_TIME_BUDGET_MS: "999" }).message).toBe("LEADPANTHER_FIND_TIME_BUDGET_MS: 999 is out of range. Use an integer from 1000 to 300000.");
    expect(refusal([], { LEADPANTHER_FIND_TIME_BUDGET_MS: "25s" }).message).toBe('LEADPANTHER_FIND_TIME_BUDGET_MS: "25s" is not a whole number. Use an integer from 1000 to 300000.');
    expect(refusal(["--find-time-budget-ms", "400000"]).setting).toBe("--find-time-budget-ms");
  });
  test("LEADPANTHER_SANDBOX_SCALE and LEADPANTHER_HTTP_MAX_CONNECTIONS", () => {
    expect(loadConfig([], {}).sandboxScale).toBe("small");
    expect(loadConfig(["--sandbox-scale", "LARGE"], {}).sandboxScale).toBe("large");
    expect(loadConfig([], { LEADPANTHER_SANDBOX_SCALE: "large" }).sandboxScale).toBe("large");
    expect(refusal([], { LEADPANTHER_SANDBOX_SCALE: "huge" }).message).toBe('LEADPANTHER_SANDBOX_SCALE: "huge" is not accepted. Use one of: small, large.');
    expect(loadConfig([], {}).http.maxConnections).toBe(512);
    expect(loadConfig(["--max-connections", "32"], {}).http.maxConnections).toBe(32);
    expect(refusal([], { LEADPANTHER_HTTP_MAX_CONNECTIONS: "2" }).message).toBe("LEADPANTHER_HTTP_MAX_CONNECTIONS: 2 is out of range. Use an integer from 8 to 65535.");
  });
  test("commands", () => {
    expect(loadConfig(["doctor", "--json"], {}).command).toBe("doctor");
    expect(loadConfig(["sandbox", "--port", "4000"], {})).toMatchObject({ command: "sandbox", rest: ["--port", "4000"] });
    expect(loadConfig(["--help"], {}).command).toBe("help");
  });
  test("LEADPANTHER_* variables that are not settings are reported (typos)", () => {
    expect(unknownEnvSettings({ LEADPANTHER_READONLY: "true", LEADPANTHER_READ_ONLY: "true", HOME: "/" })).toEqual(["LEADPANTHER_READONLY"]);
  });
});

describe("key hygiene (§2)", () => {
  const key = "lp_live_abcdefghijklmnop1234";
  test.each([
    [undefined, "missing", "No API key is set"],
    [`"${key}"`, "quoted", "wrapped in quote characters"],
    [` ${key}`, "whitespace", "has a space at the start"],
    [`${key} `, "whitespace", "has a space at the end"],
    [`${key}\n`, "line_break", "contains a line break"],
    [`Bearer ${key}`, "bearer_prefix", 'starts with "Bearer"'],
    ["sk_live_abcdefghijklmnop", "prefix", "does not start with lp_live_ or lp_test_"],
    ["lp_live_abc$def", "characters", "contains characters other than letters"],
  ])("%j → %s", (value, kind, message) => {
    const problem = checkKeyHygiene(value);
    expect(problem?.kind).toBe(kind);
    const text = describeKeyProblem(problem!, value);
    expect(text).toContain(message);
    if (value !== undefined) expect(text).not.toContain("abcdefghijklmnop");
  });
  test("a clean key passes", () => {
    expect(checkKeyHygiene(key)).toBeUndefined();
    expect(checkKeyHygiene("lp_test_0123")).toBeUndefined();
  });
});

describe("timestamps (tools/fields)", async () => {
  const { isoTimestamp } = await import("../../src/tools/fields.js");
  const schema = isoTimestamp("test");
  test.each(["2026-06-01T09:00:00.000Z", "2026-06-01T09:00Z", "2026-06-01T23:30:00+02:00", "2028-02-29T00:00:00Z"])("%s is accepted", (value) => {
    expect(schema.safeParse(value).success).toBe(true);
  });
  test.each(["2026-02-30T09:00:00Z", "2026-06-01 09:00:00Z", "2026-06-01T09:00:00", "tomorrow", "2027-02-29T00:00:00Z", "2026-13-01T00:00:00Z"])("%s is refused", (value) => {
    expect(schema.safeParse(value).success).toBe(false);
  });
});

describe("timestamps (scheduled_at, read by writes/time)", async () => {
  const { parseScheduledAt } = await import("../../src/writes/time.js");
  const now = new Date("2026-01-01T00:00:00Z");
  // A space between date and time is RFC 3339's own allowance, now accepted as people write it.
  test.each(["2026-06-01T09:00:00.000Z", "2026-06-01T09:00Z", "2026-06-01T23:30:00+02:00", "2028-02-29T00:00:00Z", "2026-06-01 09:00:00Z"])("%s is accepted", (value) => {
    expect(parseScheduledAt(value, { now }).ok).toBe(true);
  });
  test.each(["2026-02-30T09:00:00Z", "2026-06-01T09:00:00", "tomorrow", "2027-02-29T00:00:00Z", "2026-13-01T00:00:00Z"])("%s is refused", (value) => {
    expect(parseScheduledAt(value, { now }).ok).toBe(false);
  });
});

describe("write settings", () => {
  test("LEADPANTHER_LEAD_PII: full by default, masked by choice, anything else named", () => {
    expect(loadConfig([], {}).leadPii).toBe("full");
    expect(loadConfig([], { LEADPANTHER_LEAD_PII: "masked" }).leadPii).toBe("masked");
    expect(loadConfig(["--lead-pii", "masked"], {}).leadPii).toBe("masked");
    expect(() => loadConfig([], { LEADPANTHER_LEAD_PII: "hidden" })).toThrow(/LEADPANTHER_LEAD_PII/);
  });

  test("LEADPANTHER_CONFIRM_SECRET: from the environment only, at least 24 characters", () => {
    expect(loadConfig([], {}).confirmSecret).toBeUndefined();
    expect(loadConfig([], { LEADPANTHER_CONFIRM_SECRET: "a-shared-secret-0123456789" }).confirmSecret).toBe("a-shared-secret-0123456789");
    expect(() => loadConfig([], { LEADPANTHER_CONFIRM_SECRET: "short" })).toThrow("LEADPANTHER_CONFIRM_SECRET: is too short");
  });
});
