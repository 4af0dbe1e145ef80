import { expect, test } from "vitest";
import { AccessController, type AccessState } from "../../src/access.js";
import { ApiClient } from "../../src/api/client.js";
import { createAgent, timeoutsFrom } from "../../src/api/http.js";
import { createLogger } from "../../src/log.js";
import { DEMO, type Sandbox } from "../../src/sandbox/index.js";
import { useSandbox, waitFor } from "../fixtures/stack.js";

/** The periodic re-read of GET /me (every 10 minutes in production; 50 ms here). */

let sandbox: Sandbox;
useSandbox(
  (started) => {
    sandbox = started;
  },
  { reset: false },
);

test("a periodic re-read of /me notices changed scopes and tells its subscribers", async () => {
  const api = new ApiClient({
    baseUrl: sandbox.baseUrl,
    apiKey: DEMO.keys.directAll,
    dispatcher: createAgent(timeoutsFrom(5_000)),
    timeoutMs: 5_000,
    logger: createLogger({ level: "error", write: () => undefined }),
  });
  const access = new AccessController({
    api,
    config: { clientId: undefined },
    logger: createLogger({ level: "error", write: () => undefined }),
    keyProblem: undefined,
    refreshEveryMs: 50,
  });
  const seen: AccessState[] = [];
  access.subscribe((state) => seen.push(state));
  const first = await access.start();
  expect(first.status).toBe("ready");
  sandbox.keys.setScopes(DEMO.keys.directAll, ["posts:read"]);
  await waitFor(() => seen.some((state) => state.status === "ready" && state.identity.scopes.join() === "posts:read"));
  const meReads = sandbox.requests().filter((entry) => entry.path === "/me").length;
  expect(meReads).toBeGreaterThanOrEqual(2);
  // Unchanged scopes on later reads notify no one.
  const notified = seen.length;
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(seen.length).toBe(notified);
  access.stop();
});
