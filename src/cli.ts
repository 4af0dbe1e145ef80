#!/usr/bin/env node
import { ConfigError, loadConfig, SETTINGS, unknownEnvSettings, type Config, type SettingSpec } from "./config.js";
import { log, setLogLevel } from "./log.js";
import { keepYoungGenerationSmall } from "./memory.js";
import { CallTracker, createMcpServer, MAX_MCP_MESSAGE_BYTES, SERVER_NAME, SERVER_VERSION } from "./server.js";
import { StdioTransport } from "./transports/stdio.js";
import { startRuntime } from "./runtime.js";

/** How long a shutdown waits for tool calls in progress. */
const SHUTDOWN_DRAIN_MS = 10_000;
/** How long a shutdown waits for answers to reach a client that may have stopped reading. */
const STDOUT_FLUSH_MS = 2_000;

async function serveStdio(config: Config): Promise<void> {
  keepYoungGenerationSmall();
  const runtime = await startRuntime(config);
  const calls = new CallTracker();
  const mcp = createMcpServer(runtime.context, { followAccess: true, calls });
  const transport = new StdioTransport(MAX_MCP_MESSAGE_BYTES);
  let closing = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (closing) return;
    closing = true;
    // No new calls from here on (answers and notifications from the client are still read: a
    // delete may be waiting for its confirmation). Closing the session aborts calls in flight,
    // and a write cut off mid-request would end as "outcome unknown": let them finish first.
    transport.refuseNewRequests();
    log.info("shutting down", { reason, calls_in_progress: calls.inProgress });
    if (!(await calls.idle(SHUTDOWN_DRAIN_MS))) log.warn("calls still in progress at the shutdown deadline were abandoned", { calls_in_progress: calls.inProgress });
    // A call that just finished has its answer sent on the next turn of the event loop; let
    // that happen and reach stdout (unless the client stopped reading) before the session closes.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.race([
      new Promise<void>((resolve) => process.stdout.write("", () => resolve())),
      new Promise((resolve) => setTimeout(resolve, STDOUT_FLUSH_MS).unref()),
    ]);
    await mcp.close().catch(() => undefined);
    await runtime.close();
    process.exit(0);
  };
  // A second signal means "now". (The first may arrive during a drain that stdin's end began:
  // MCP clients close stdin, then send SIGTERM a moment later; that one joins the drain.)
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log.warn(`${signal} again: exiting without waiting for calls in progress`, { calls_in_progress: calls.inProgress });
      process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    }
    void shutdown(signal);
  };
  process.stdin.on("end", () => void shutdown("stdin closed"));
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  transport.onOutputFailed = () => void shutdown("stdout closed");
  await mcp.connect(transport);
  mcp.server.onerror = (error) => log.warn("MCP protocol error", { error: error.message });
  log.info("serving MCP over stdio", { version: SERVER_VERSION, access: runtime.context.access.state.status });
}

function helpText(): string {
  const rows = (Object.values(SETTINGS) as SettingSpec[]).map((spec) => `  ${[spec.flag, spec.env].filter(Boolean).join(" / ")}\n      ${spec.summary} Accepted: ${spec.accepted.replace(/`/g, "")}. Default: ${spec.defaultText.replace(/`/g, "")}.`);
  return [
    `${SERVER_NAME} ${SERVER_VERSION}: MCP server for the LeadPanther API v1`,
    "",
    "Usage:",
    "  leadpanther-mcp [options]            serve MCP over stdio (the default)",
    "  leadpanther-mcp --sandbox            ... against the bundled sandbox, no key needed",
    "  leadpanther-mcp --http [--port N]    serve MCP over Streamable HTTP",
    "  leadpanther-mcp sandbox [--port N]   run the sandbox alone and print its demo keys",
    "  leadpanther-mcp doctor [--json]      check the key and every catalog route without side effects",
    "",
    "Settings (flags win over environment variables):",
    ...rows,
    "",
  ].join("\n");
}

export async function main(argv: readonly string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(argv, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${SERVER_NAME}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  setLogLevel(config.logLevel);
  for (const name of unknownEnvSettings(process.env)) {
    log.warn(`${name} is not a setting of this server and is ignored; run leadpanther-mcp --help for the list`);
  }
  switch (config.command) {
    case "help":
      process.stdout.write(helpText());
      return;
    case "version":
      process.stdout.write(`${SERVER_VERSION}\n`);
      return;
    case "sandbox": {
      const { runSandboxCli } = await import("./sandbox/cli.js");
      await runSandboxCli([...config.rest]);
      return;
    }
    case "doctor": {
      const { runDoctor } = await import("./doctor.js");
      process.exitCode = await runDoctor(config);
      return;
    }
    case "serve":
      if (config.http.enabled) {
        const { serveHttp } = await import("./transports/http.js");
        await serveHttp(config);
      } else {
        await serveStdio(config);
      }
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  log.error("leadpanther-mcp could not start", { error });
  process.exit(1);
});
