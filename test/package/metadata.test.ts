import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOG } from "../../src/catalog.js";
import { SETTINGS, type SettingSpec } from "../../src/config.js";
import { SERVER_NAME, SERVER_VERSION } from "../../src/server.js";
import { ROOT } from "./paths.js";

function json(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, file), "utf8")) as Record<string, unknown>;
}

const pkg = json("package.json") as { name: string; version: string; bin: Record<string, string>; engines: { node: string } };
const manifest = json("manifest.json") as {
  manifest_version: string;
  name: string;
  version: string;
  server: { type: string; entry_point: string; mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  tools: { name: string; description: string }[];
  user_config: Record<string, Record<string, unknown>>;
  compatibility: { runtimes: { node: string } };
  [key: string]: unknown;
};
const serverJson = json("server.json") as {
  name: string;
  description: string;
  version: string;
  packages: { registryType: string; identifier: string; version: string; transport: { type: string }; environmentVariables: { name: string; isSecret?: boolean; isRequired?: boolean; default?: string }[] }[];
};
const settingEnvs = new Set((Object.values(SETTINGS) as SettingSpec[]).map((spec) => spec.env).filter(Boolean));

describe("MCP Bundle manifest.json", () => {
  it("names the package, its version and the built entry point", () => {
    expect(manifest.name).toBe(pkg.name);
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.version).toBe(SERVER_VERSION);
    expect(manifest.server.type).toBe("node");
    expect(manifest.server.entry_point).toBe(pkg.bin[SERVER_NAME]);
    expect(manifest.server.mcp_config.command).toBe("node");
    expect(manifest.server.mcp_config.args).toEqual([`\${__dirname}/${pkg.bin[SERVER_NAME]}`]);
    expect(manifest.compatibility.runtimes.node).toBe(pkg.engines.node);
  });

  it("lists exactly the catalog's tools, with the catalog's descriptions", () => {
    const expected = CATALOG.map((op) => ({ name: op.name, description: op.description }));
    // On a mismatch, the expected list is the one to paste into manifest.json.
    expect(manifest.tools).toEqual(expected);
  });

  it("takes the API key as a sensitive setting and maps every user setting to a server setting", () => {
    expect(manifest.user_config.api_key).toMatchObject({ type: "string", sensitive: true, required: true });
    const env = manifest.server.mcp_config.env;
    expect(env.LEADPANTHER_API_KEY).toBe("${user_config.api_key}");
    for (const [name, value] of Object.entries(env)) {
      expect(settingEnvs.has(name), name).toBe(true);
      const key = /^\$\{user_config\.(\w+)\}$/.exec(value)?.[1];
      expect(key && manifest.user_config[key], value).toBeTruthy();
    }
    for (const [key, option] of Object.entries(manifest.user_config)) {
      expect(Object.values(env)).toContain(`\${user_config.${key}}`);
      // An optional value without a default reaches the server as the literal placeholder in
      // some hosts (modelcontextprotocol/mcpb#250): every optional setting has a default.
      if (option.required !== true) expect(option, key).toHaveProperty("default");
      expect(Object.keys(option).every((field) => ["type", "title", "description", "required", "default", "multiple", "sensitive", "min", "max"].includes(field)), key).toBe(true);
    }
  });

  it("uses only fields the MCPB manifest schema knows", () => {
    const known = [
      "$schema", "manifest_version", "name", "display_name", "version", "description", "long_description", "author", "repository",
      "homepage", "documentation", "support", "icon", "icons", "screenshots", "localization", "server", "tools", "tools_generated",
      "prompts", "prompts_generated", "keywords", "license", "privacy_policies", "compatibility", "user_config", "_meta",
    ];
    expect(Object.keys(manifest).filter((key) => !known.includes(key))).toEqual([]);
    expect(manifest.author).toEqual({ name: expect.any(String) as string });
  });
});

describe("MCP registry server.json", () => {
  it("describes the npm package over stdio with the package's version", () => {
    expect(serverJson.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(serverJson.description.length).toBeLessThanOrEqual(100);
    expect(serverJson.version).toBe(pkg.version);
    // The registry verifies the npm package through this field.
    expect((pkg as { mcpName?: string }).mcpName).toBe(serverJson.name);
    expect(serverJson.packages).toHaveLength(1);
    const [npmPackage] = serverJson.packages;
    expect(npmPackage).toMatchObject({ registryType: "npm", identifier: pkg.name, version: pkg.version, transport: { type: "stdio" } });
  });

  it("declares only real settings, the key as a required secret", () => {
    const variables = serverJson.packages[0]?.environmentVariables ?? [];
    for (const variable of variables) expect(settingEnvs.has(variable.name), variable.name).toBe(true);
    expect(variables.find((variable) => variable.name === "LEADPANTHER_API_KEY")).toMatchObject({ isSecret: true, isRequired: true });
  });
});

describe("mcp.json.example", () => {
  it("is Claude Desktop's format, runs the package with npx and holds no real key", () => {
    const example = json("mcp.json.example") as { mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }> };
    const entry = example.mcpServers.leadpanther;
    expect(entry).toEqual({ command: "npx", args: ["-y", pkg.name], env: { LEADPANTHER_API_KEY: "lp_live_REPLACE_ME" } });
  });
});
