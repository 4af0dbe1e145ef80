import { Agent, buildConnector, type Dispatcher } from "undici";
import { expect } from "vitest";

/**
 * An Agent like the shared one that counts its connection attempts (made or refused). With
 * `refuseFirst`, that many attempts fail as a refused connection would, without touching the
 * network — the only way to make "refused, then fine" deterministic.
 */
export function countingAgent(options: { connectTimeoutMs?: number; refuseFirst?: number } = {}): {
  dispatcher: Dispatcher;
  connects: () => number;
} {
  let attempts = 0;
  const connect = buildConnector({ timeout: options.connectTimeoutMs ?? 5_000 });
  const dispatcher = new Agent({
    connect: (connectOptions, callback) => {
      attempts += 1;
      if (attempts <= (options.refuseFirst ?? 0)) {
        callback(Object.assign(new Error("connect ECONNREFUSED (simulated)"), { code: "ECONNREFUSED", syscall: "connect" }), null);
        return;
      }
      connect(connectOptions, callback);
    },
    keepAliveTimeout: 1_000,
  });
  return { dispatcher, connects: () => attempts };
}

/**
 * Everything an error could show — message, stack, own enumerable fields — must be free of
 * the signed URL, its token and any recognisable part of them.
 */
export function expectNoSecrets(error: unknown, secrets: readonly string[]): void {
  expect(error).toBeInstanceOf(Error);
  const shown = error instanceof Error ? `${error.message}\n${error.stack ?? ""}\n${JSON.stringify(error)}` : String(error);
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    expect(shown, "an error message leaks a secret").not.toContain(secret);
  }
  expect(shown).not.toMatch(/https?:\/\//);
  expect(shown).not.toMatch(/token=/i);
}

/** The secrets inside a signed URL: the whole URL, its path with query, each query value. */
export function secretsOfUrl(uploadUrl: string, token?: string): string[] {
  const url = new URL(uploadUrl);
  const secrets = [uploadUrl, url.pathname + url.search, ...url.searchParams.values()];
  if (token !== undefined) secrets.push(token);
  return secrets.filter((secret) => secret.length >= 6);
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
