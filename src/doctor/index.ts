/**
 * `leadpanther-mcp doctor`: checks the settings, the key and every catalog route against the
 * configured API — without side effects.
 *
 * How each route is checked (contract §8, §10):
 * - reads: `GET` (lists with `limit=1`), only where the key's scopes (and, for agency work, the
 *   grant's permissions) allow; a get route uses the id of the first item of its `probeFrom` list;
 * - writes: a request the API must refuse without acting. When the catalog has a GET on the same
 *   path (`/posts`, `/posts/{id}`, …) the probe is `PUT`, which no v1 route accepts; on a
 *   write-only path (`/media/upload-url`, `/media`) it is `GET`. `method_not_allowed` means the
 *   path exists (and an `Allow` header, when sent, must list the catalog's method); `not_found`
 *   means the path is wrong. No POST, PATCH or DELETE is ever sent.
 * - A `not_found` for an id that was not taken from a list (none to take) is indistinguishable
 *   from an unknown route, so it is reported as "unverified", never as "missing".
 *
 * The doctor makes its own plain requests (not through ApiClient): it needs the raw status, the
 * error code and the `Allow` header of answers the server proper treats as failures, and no
 * retries. Output is for a person on stdout (or one JSON object with --json); the key appears
 * at most as its prefix and length.
 *
 * Exit status: 2 for a settings problem, else 1 when GET / or GET /me fails or any route is
 * missing or answered with an error, else 0 (unverified and forbidden routes do not fail).
 */
import { createAgent, timeoutsFrom } from "../api/http.js";
import { checkKeyHygiene, describeKeyProblem, type Config } from "../config.js";
import { TOOLSETS } from "../tools/toolsets.js";
import { KEY_PREFIXES } from "../contract.js";
import { secrets } from "../safety/secrets.js";
import { SERVER_VERSION } from "../version.js";
import { checkEverything } from "./checks.js";
import { Prober } from "./probe.js";
import { renderText } from "./render.js";
import type { DoctorIo, DoctorReport } from "./report.js";

export type { DoctorIo, DoctorReport, RouteCheck, RouteResult } from "./report.js";

const defaultIo: DoctorIo = { out: (line) => process.stdout.write(`${line}\n`) };

export async function runDoctor(config: Config, io: DoctorIo = defaultIo): Promise<number> {
  // Every line passes through the scrubber: the key is registered with it below.
  const out = (line: string): void => io.out(secrets.scrub(line));
  const report = await diagnose(config);
  if (config.json) out(JSON.stringify(report, null, 2));
  else for (const line of renderText(report)) out(line);
  return report.exitCode;
}

/** Runs every check and returns the report (no output). */
export async function diagnose(config: Config): Promise<DoctorReport> {
  let apiKey = config.apiKey;
  let baseUrl = config.baseUrl;
  let closeSandbox: (() => Promise<void>) | undefined;
  if (config.sandbox) {
    const { startSandbox, DEMO } = await import("../sandbox/index.js");
    const sandbox = await startSandbox({ scale: config.sandboxScale });
    closeSandbox = () => sandbox.close();
    apiKey = DEMO.keys.directAll;
    baseUrl = sandbox.baseUrl;
  }
  if (apiKey !== undefined) {
    secrets.addSecret(apiKey);
    secrets.addSecret(apiKey.trim().replace(/^["'`]+|["'`]+$/g, ""));
  }
  const report: DoctorReport = {
    version: SERVER_VERSION,
    exitCode: 0,
    settings: {
      baseUrl,
      sandbox: config.sandbox,
      readOnly: config.readOnly,
      toolsets: config.toolsets.size === TOOLSETS.length ? ["all"] : [...config.toolsets],
      clientId: config.clientId ?? null,
      timeoutMs: config.timeoutMs,
      key: apiKey === undefined ? null : { prefix: KEY_PREFIXES.find((prefix) => apiKey.startsWith(prefix)) ?? null, length: [...apiKey].length },
    },
    problems: [],
    api: null,
    me: null,
    probeClient: null,
    exposedTools: [],
    routes: [],
    summary: { ok: 0, missing: 0, forbidden: 0, unverified: 0, error: 0 },
  };

  const keyProblem = checkKeyHygiene(apiKey);
  if (keyProblem || apiKey === undefined) {
    report.problems.push(describeKeyProblem(keyProblem ?? { kind: "missing" }, apiKey));
    report.exitCode = 2;
    await closeSandbox?.();
    return report;
  }

  const dispatcher = createAgent(timeoutsFrom(config.timeoutMs));
  try {
    const prober = new Prober(baseUrl, apiKey, dispatcher, config.timeoutMs);
    await checkEverything(config, prober, report);
  } finally {
    await dispatcher.close().catch(() => undefined);
    await closeSandbox?.();
  }
  for (const route of report.routes) report.summary[route.result] += 1;
  const failed = report.api?.ok !== true || report.me?.ok !== true || report.summary.missing > 0 || report.summary.error > 0;
  report.exitCode = report.problems.length > 0 ? 2 : failed ? 1 : 0;
  return report;
}
