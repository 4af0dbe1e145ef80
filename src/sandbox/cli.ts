/**
 * `leadpanther-mcp sandbox [--port N] [--scale small|large]`: starts the sandbox, prints the base URL, the demo
 * keys and the client ids, and runs until SIGINT/SIGTERM, then closes the server and returns
 * (exit code 0). Bad arguments print a clear message to stderr and set exit code 2.
 *
 * Printing the demo keys is deliberate: they are public, deterministic test keys that only
 * this local sandbox accepts.
 */
import { parseArgs } from "node:util";
import { startSandbox, DEMO, type Sandbox, type SandboxScale } from "./index.js";

export interface SandboxCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Where SIGINT/SIGTERM come from; default `process`. */
  signals: Pick<NodeJS.EventEmitter, "once" | "off">;
}

const USAGE = "usage: leadpanther-mcp sandbox [--port N] [--scale small|large]   (N: 0..65535, 0 = any free port; default 0; scale: how much invented data, default small)\n";

export class SandboxCliUsageError extends Error {}

/**
 * Parses the sandbox arguments; throws SandboxCliUsageError with a clear message. node:util
 * parseArgs splits them, as for the server's own settings (src/config/args.ts); the sandbox
 * keeps its own two-option table because it imports nothing of the server but the contract.
 */
export function parseSandboxArgs(args: readonly string[]): { port: number; help: boolean; scale?: SandboxScale } {
  const { tokens } = parseArgs({
    args: [...args],
    options: { port: { type: "string" }, scale: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  let port = 0;
  let help = false;
  let scale: SandboxScale | undefined;
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional" || (token.name !== "port" && token.name !== "scale" && token.name !== "help")) {
      throw new SandboxCliUsageError(`unknown argument '${(args[token.index] ?? "").slice(0, 60)}'.`);
    }
    if (token.name === "help") {
      help = true;
      continue;
    }
    const value = token.value;
    if (token.name === "scale") {
      if (value !== "small" && value !== "large") throw new SandboxCliUsageError(`--scale must be small or large, got '${(value ?? "").slice(0, 60)}'.`);
      scale = value;
      continue;
    }
    if (value === undefined) throw new SandboxCliUsageError("--port needs a value: an integer from 0 to 65535.");
    if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65_535) {
      throw new SandboxCliUsageError(`--port must be an integer from 0 to 65535, got '${value.slice(0, 60)}'.`);
    }
    port = Number(value);
  }
  return scale === undefined ? { port, help } : { port, help, scale };
}

function banner(baseUrl: string): string {
  const keyRows: Array<[string, string, string]> = [
    ["directAll", DEMO.keys.directAll, "direct_user  scopes: *"],
    ["directRead", DEMO.keys.directRead, "direct_user  scopes: every :read scope"],
    ["directPostsRead", DEMO.keys.directPostsRead, "direct_user  scopes: posts:read"],
    ["agency", DEMO.keys.agency, "agency       scopes: * (grants below)"],
    ["revoked", DEMO.keys.revoked, "revoked key → 401 unauthorized"],
    ["inactive", DEMO.keys.inactive, "inactive key → 401 unauthorized"],
  ];
  const clientRows: Array<[string, string, string]> = [
    ["full", DEMO.clients.full, "grant active, permissions: every scope"],
    ["postsRead", DEMO.clients.postsRead, "grant active, permissions: posts:read"],
    ["revoked", DEMO.clients.revoked, "grant revoked → 403 forbidden"],
  ];
  const rows = (list: Array<[string, string, string]>): string =>
    list.map(([name, value, note]) => `  ${name.padEnd(16)} ${value.padEnd(40)} ${note}`).join("\n");
  return [
    "LeadPanther API v1 sandbox (local stand-in with invented data)",
    `Base URL: ${baseUrl}`,
    "",
    "Demo keys (accepted only by this sandbox):",
    rows(keyRows),
    "",
    `Direct user id: ${DEMO.users.direct}    agency user id: ${DEMO.users.agency}`,
    "Agency clients (use /clients/{clientId}/… with the agency key):",
    rows(clientRows),
    "",
    `Try: curl -H "Authorization: Bearer ${DEMO.keys.directAll}" ${baseUrl}/me`,
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}

/** `scale` comes from the server's settings (LEADPANTHER_SANDBOX_SCALE / --sandbox-scale). */
export async function runSandboxCli(args: string[], io: Partial<SandboxCliIo> = {}, options: { scale?: SandboxScale } = {}): Promise<void> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const signals = io.signals ?? process;

  let parsed: ReturnType<typeof parseSandboxArgs>;
  try {
    parsed = parseSandboxArgs(args);
  } catch (error) {
    if (!(error instanceof SandboxCliUsageError)) throw error;
    stderr(`leadpanther-mcp sandbox: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    stdout(USAGE);
    return;
  }

  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ port: parsed.port, scale: parsed.scale ?? options.scale ?? "small" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "EADDRINUSE" ? `port ${parsed.port} is already in use` : error instanceof Error ? error.message : String(error);
    stderr(`leadpanther-mcp sandbox: could not start: ${reason}.\n`);
    process.exitCode = 1;
    return;
  }
  stdout(banner(sandbox.baseUrl));

  const running = sandbox;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      signals.off("SIGINT", stop);
      signals.off("SIGTERM", stop);
      void running.close().then(() => {
        stdout("Sandbox stopped.\n");
        resolve();
      });
    };
    signals.once("SIGINT", stop);
    signals.once("SIGTERM", stop);
  });
  process.exitCode = 0;
}
