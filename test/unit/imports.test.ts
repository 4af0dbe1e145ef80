/**
 * The arrows between the server's parts (see the README's "Where things live"):
 *   entry points (cli, transports, doctor, demo, docs) → server → tools (tools/**, catalog)
 *     → access / api / safety / media.
 * Every `import … from`, `export … from`, side-effect and dynamic import of every src/**\/*.ts
 * is read (type-only ones included) and checked against the rules below; a broken rule fails
 * naming the file and the import. A self-test shows the check does fail on a forbidden import.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** One import: `from` and (for our own modules) `to` are paths under src/, e.g. "api/client.ts". */
interface ImportEdge {
  from: string;
  to: string;
  /** Ours (resolved under src/) or a package name. */
  local: boolean;
}

const STATIC_IMPORT = /^(?:import|export)\b[^;=()]*?\bfrom\s*["']([^"']+)["']/gms;
const SIDE_EFFECT_IMPORT = /^import\s*["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

export function importsOf(file: string, source: string): ImportEdge[] {
  const specifiers = [STATIC_IMPORT, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT].flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] as string));
  return specifiers.map((specifier) => {
    if (!specifier.startsWith(".")) return { from: file, to: specifier, local: false };
    const resolved = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, ".ts");
    return { from: file, to: resolved, local: true };
  });
}

const under = (folder: string) => (path: string) => path.startsWith(`${folder}/`);
const oneOf = (...files: string[]) => (path: string) => files.includes(path);

/** Entry points: started by a person or a process, never imported (but by cli.ts, or within their own folder). */
const isEntryPoint = (path: string): boolean =>
  oneOf("cli.ts", "demo.ts", "docs.ts")(path) || under("doctor")(path) || (under("transports")(path) && path !== "transports/lifecycle.ts");
const isTools = (path: string): boolean => under("tools")(path) || path === "catalog.ts";
const isConfig = (path: string): boolean => path === "config.ts" || under("config")(path);

interface Rule {
  name: string;
  applies(from: string): boolean;
  forbids(edge: ImportEdge): boolean;
}

export const RULES: readonly Rule[] = [
  {
    name: "api knows no MCP, no tool, no setting",
    applies: under("api"),
    forbids: (edge) =>
      edge.local
        ? isTools(edge.to) || isConfig(edge.to) || oneOf("server.ts", "access.ts", "results.ts", "hints.ts", "confirm.ts", "call.ts")(edge.to)
        : edge.to.startsWith("@modelcontextprotocol/"),
  },
  {
    name: "tools and the catalog import nothing of the server, the entry points or the settings",
    applies: isTools,
    forbids: (edge) => edge.local && (edge.to === "server.ts" || isEntryPoint(edge.to) || edge.to === "transports/lifecycle.ts" || isConfig(edge.to)),
  },
  {
    name: "access, api, safety and media import nothing above them",
    applies: (path) => path === "access.ts" || under("api")(path) || under("safety")(path) || under("media")(path),
    forbids: (edge) => edge.local && (edge.to === "server.ts" || isTools(edge.to) || isEntryPoint(edge.to)),
  },
  {
    name: "safety imports nothing of ours outside safety/",
    applies: under("safety"),
    forbids: (edge) => edge.local && !under("safety")(edge.to),
  },
  {
    name: "the sandbox imports only the sandbox, the wire contract and listen.ts",
    applies: under("sandbox"),
    forbids: (edge) => edge.local && !under("sandbox")(edge.to) && !oneOf("contract.ts", "listen.ts")(edge.to),
  },
  {
    name: "process-wide code takes ServerContext from context.ts, not from the per-call call.ts",
    applies: (path) => isEntryPoint(path) || path === "runtime.ts",
    forbids: (edge) => edge.local && edge.to === "call.ts",
  },
  {
    name: "doctor does not import the server",
    applies: under("doctor"),
    forbids: (edge) => edge.local && edge.to === "server.ts",
  },
  {
    name: "nothing imports an entry point except cli.ts",
    applies: () => true,
    forbids: (edge) => edge.local && isEntryPoint(edge.to) && edge.from !== "cli.ts" && posix.dirname(edge.from) !== posix.dirname(edge.to),
  },
];

/** "file → import (rule)" for every import that breaks a rule. */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of files) {
    for (const edge of importsOf(file, source)) {
      for (const rule of RULES) {
        if (rule.applies(file) && rule.forbids(edge)) found.push(`${file} → ${edge.to} (${rule.name})`);
      }
    }
  }
  return found;
}

/**
 * Imports that break a rule today in modules other work is rewriting; each goes when that work
 * lands. Nothing may be added here without a reason.
 */
const TEMPORARILY_ALLOWED: ReadonlyMap<string, string> = new Map([]);

function sourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.set(relative(SRC, path).split("\\").join("/"), readFileSync(path, "utf8"));
    }
  };
  walk(dirname(join(SRC, "x")));
  return files;
}

describe("import rules", () => {
  test("every import of src/ follows the arrows", () => {
    const found = violations(sourceFiles()).filter((violation) => !TEMPORARILY_ALLOWED.has(violation));
    expect(found).toEqual([]);
  });

  test("every temporarily allowed violation still exists (remove the ones that were fixed)", () => {
    const found = new Set(violations(sourceFiles()));
    expect([...TEMPORARILY_ALLOWED.keys()].filter((allowed) => !found.has(allowed))).toEqual([]);
  });

  test("the reader sees every form of import, type-only and multi-line included", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      "import {",
      "  c,",
      "  type D,",
      '} from "./c/d.js";',
      'export { e } from "./e.js";',
      'export * from "./f.js";',
      'import "./side.js";',
      'const g = await import("./g.js");',
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      " * import { notCode } from \"./comment.js\" (inside a comment: not an import)",
    ].join("\n");
    expect(importsOf("api/x.ts", source).map((edge) => edge.to)).toEqual([
      "api/a.ts",
      "b.ts",
      "api/c/d.ts",
      "api/e.ts",
      "api/f.ts",
      "@modelcontextprotocol/sdk/server/mcp.js",
      "api/side.ts",
      "api/g.ts",
    ]);
  });

  test("a forbidden import fails the check, naming the file and the import", () => {
    const files = new Map([
      ["api/client.ts", 'import { createMcpServer } from "../server.js";\nimport type { Toolset } from "../tools/toolsets.js";\n'],
      ["api/errors.ts", 'import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\n'],
      ["safety/redact.ts", 'import type { Config } from "../config.js";\n'],
      ["sandbox/media.ts", 'import { log } from "../log.js";\nimport { DEMO } from "./index.js";\n'],
      ["doctor/index.ts", 'import { SERVER_NAME } from "../server.js";\n'],
      ["tools/posts.ts", 'import type { Config } from "../config/settings.js";\n'],
      ["server.ts", 'const { serveHttp } = await import("./transports/http.js");\n'],
      ["cli.ts", 'const { serveHttp } = await import("./transports/http.js");\n'],
      ["transports/http.ts", 'import { createGuards } from "./http-guards.js";\nimport { createMcpServer } from "../server.js";\n'],
    ]);
    expect(violations(files)).toEqual([
      "api/client.ts → server.ts (api knows no MCP, no tool, no setting)",
      "api/client.ts → server.ts (access, api, safety and media import nothing above them)",
      "api/client.ts → tools/toolsets.ts (api knows no MCP, no tool, no setting)",
      "api/client.ts → tools/toolsets.ts (access, api, safety and media import nothing above them)",
      "api/errors.ts → @modelcontextprotocol/sdk/server/mcp.js (api knows no MCP, no tool, no setting)",
      "safety/redact.ts → config.ts (safety imports nothing of ours outside safety/)",
      "sandbox/media.ts → log.ts (the sandbox imports only the sandbox, the wire contract and listen.ts)",
      "doctor/index.ts → server.ts (doctor does not import the server)",
      "tools/posts.ts → config/settings.ts (tools and the catalog import nothing of the server, the entry points or the settings)",
      "server.ts → transports/http.ts (nothing imports an entry point except cli.ts)",
    ]);
  });
});
