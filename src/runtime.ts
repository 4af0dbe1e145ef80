import { checkPinnedClient } from "./pin.js";
import { keyFingerprint } from "./writes/confirm-token.js";
import { checkKeyHygiene, describeKeyProblem, isBlockingKeyProblem, SETTINGS, type Config } from "./config.js";
import { OFFICIAL_BASE_URL } from "./contract.js";
import { AccessController } from "./access.js";
import { ApiClient } from "./api/client.js";
import { describeTransportProblem } from "./api/errors.js";
import { createAgent, timeoutsFrom } from "./api/http.js";
import { log, setLogLevel } from "./log.js";
import { secrets } from "./safety/secrets.js";
import type { ServerContext } from "./context.js";

/** How long start-up waits for the first GET /me before serving with what it knows. */
const FIRST_ME_WAIT_MS = 5_000;

export interface Runtime {
  context: ServerContext;
  /** Set when --sandbox started the bundled sandbox in this process. */
  sandboxUrl: string | undefined;
  close(): Promise<void>;
}

/** Everything but the transport: key checks, the optional in-process sandbox, the API client and /me. */
export async function startRuntime(config: Config): Promise<Runtime> {
  setLogLevel(config.logLevel);
  let apiKey = config.apiKey;
  let baseUrl = config.baseUrl;
  let closeSandbox: (() => Promise<void>) | undefined;
  let sandboxUrl: string | undefined;
  if (config.sandbox) {
    const { startSandbox, DEMO } = await import("./sandbox/index.js");
    const sandbox = await startSandbox({ scale: config.sandboxScale });
    closeSandbox = () => sandbox.close();
    if (apiKey !== undefined || baseUrl !== OFFICIAL_BASE_URL) {
      log.warn("--sandbox ignores LEADPANTHER_API_KEY and LEADPANTHER_BASE_URL and uses the bundled sandbox");
    }
    apiKey = DEMO.keys.directAll;
    baseUrl = sandbox.baseUrl;
    sandboxUrl = sandbox.baseUrl;
    log.info("sandbox started in-process: a local stand-in of the LeadPanther API with invented data", { base_url: baseUrl });
  }
  if (config.confirmSecret !== undefined) secrets.addSecret(config.confirmSecret);
  if (apiKey !== undefined) {
    secrets.addSecret(apiKey);
    secrets.addSecret(apiKey.trim().replace(/^["'`]+|["'`]+$/g, ""));
  }
  const problem = checkKeyHygiene(apiKey);
  const description = problem ? describeKeyProblem(problem, apiKey) : undefined;
  if (description) log.warn(description);
  // Copy-and-paste damage (quotes, spaces, line breaks, "Bearer") is certain to fail and is
  // never sent. An unexpected prefix or character is only suspicious: the contract states the
  // prefixes in use today, not every key's alphabet, so such a key is tried and a 401 decides.
  const blocking = problem !== undefined && isBlockingKeyProblem(problem);

  const dispatcher = createAgent(timeoutsFrom(config.timeoutMs));
  const api = new ApiClient({
    baseUrl,
    apiKey: blocking ? undefined : apiKey,
    dispatcher,
    timeoutMs: config.timeoutMs,
    logger: log,
    // The model and the person read these: name the settings that fix the problem.
    describeProblem: (problem) => describeTransportProblem(problem, { timeoutSetting: SETTINGS.timeoutMs.env, baseUrlSetting: SETTINGS.baseUrl.env }),
  });
  const access = new AccessController({
    api,
    config,
    logger: log,
    keyProblem: blocking ? description : undefined,
    keyWarning: blocking ? undefined : description,
  });
  const first = access.start();
  // A pin that cannot work is said at start, in one line; the server runs on (get_me repeats it).
  if (config.clientId !== undefined) {
    const pinnedId = config.clientId;
    void first.then(async (state) => {
      if (state.status !== "ready" || state.identity.actorType !== "agency") return;
      const pin = await checkPinnedClient(api, pinnedId, state, config).catch(() => undefined);
      if (pin?.problem) log.warn(pin.problem);
    });
  }
  await Promise.race([first, new Promise((resolve) => setTimeout(resolve, FIRST_ME_WAIT_MS).unref())]);
  return {
    context: { config, api, access, logger: log, keyFingerprint: apiKey === undefined ? "" : keyFingerprint(apiKey) },
    sandboxUrl,
    async close() {
      access.stop();
      await dispatcher.close().catch(() => undefined);
      await closeSandbox?.();
    },
  };
}

