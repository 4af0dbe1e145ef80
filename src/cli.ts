#!/usr/bin/env node
import { ConfigError, loadConfig, SETTINGS, unknownEnvSettings, type Config, type SettingSpec } from "./config.js";
import { log, setLogLevel } from "./log.js";
import { secrets } from "./safety/secrets.js";
import { serveStdio } from "./transports/stdio.js";
import { SERVER_NAME, SERVER_VERSION } from "./version.js";

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
      // A refusal quotes the value; a secret pasted into the wrong setting must not be echoed.
      // Start-up registers the secrets with the scrubber, but a refusal comes before it.
      for (const spec of Object.values(SETTINGS) as SettingSpec[]) {
        if (spec.envOnly) secrets.addSecret(process.env[spec.env] ?? "");
      }
      process.stderr.write(`${SERVER_NAME}: ${secrets.scrub(error.message)}\n`);
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
      await runSandboxCli([...config.rest], {}, { scale: config.sandboxScale });
      return;
    }
    case "doctor": {
      const { runDoctor } = await import("./doctor/index.js");
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
