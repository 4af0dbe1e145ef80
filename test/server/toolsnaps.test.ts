import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { CATALOG } from "../../src/catalog.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { startStack } from "../fixtures/stack.js";

/**
 * One snapshot per tool (test/server/__toolsnaps__/<tool>.json) of everything a client sees of it
 * in each variant: name, title, description, input and output schema, annotations, _meta. A change to
 * any of them fails here with a diff until it is reviewed and written with
 *   UPDATE_TOOLSNAPS=1 npx vitest run test/server/toolsnaps.test.ts
 * A missing snapshot fails too (CI never writes one silently).
 */

const SNAPSHOT_DIR = fileURLToPath(new URL("__toolsnaps__/", import.meta.url));
const UPDATE = process.env.UPDATE_TOOLSNAPS === "1";

/**
 * Each tool's definition, in bytes of JSON as tools/list sends it, per variant: every byte is in
 * the model's context on every turn. Growth past a budget fails until the budget is rewritten
 * (with the snapshots) by UPDATE_TOOLSNAPS=1 and the diff reviewed. Budgets are written at the
 * measured size plus the room below, kept for arguments announced for these tools.
 */
const BUDGET_FILE = fileURLToPath(new URL("tool-budget.json", import.meta.url));
const BUDGET_ROOM: Readonly<Record<string, number>> = { delete_post: 250, archive_lead_magnet: 250, delete_media: 250, create_post: 300, update_post: 300 };

/** How each variant is reached: a real key (and setting) through a real MCP client. */
const VARIANTS = {
  direct: { key: DEMO.keys.directAll, env: {} },
  agency: { key: DEMO.keys.agency, env: {} },
  pinned: { key: DEMO.keys.agency, env: { LEADPANTHER_CLIENT_ID: DEMO.clients.full } },
  readOnly: { key: DEMO.keys.directAll, env: { LEADPANTHER_READ_ONLY: "true" } },
} as const;
type Variant = keyof typeof VARIANTS;

let sandbox: Sandbox;
const listed = new Map<Variant, Map<string, Tool>>();

beforeAll(async () => {
  sandbox = await startSandbox();
  for (const [variant, { key, env }] of Object.entries(VARIANTS) as [Variant, (typeof VARIANTS)[Variant]][]) {
    const stack = await startStack({ sandbox, key, env });
    const { tools } = await stack.client.listTools();
    listed.set(variant, new Map(tools.map((tool) => [tool.name, tool])));
    await stack.close();
  }
});
afterAll(async () => {
  await sandbox.close();
});

function definition(tool: Tool): Record<string, unknown> {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
    _meta: tool._meta,
  };
}

/** direct, agency and pinned always; read-only only where it differs from direct (it only hides write tools today). */
function snapshotOf(name: string): string {
  const variants: Record<string, unknown> = {};
  const direct = listed.get("direct")?.get(name);
  for (const variant of ["direct", "agency", "pinned", "readOnly"] as const) {
    const tool = listed.get(variant)?.get(name);
    if (tool === undefined) continue;
    if (variant === "readOnly" && direct !== undefined && JSON.stringify(definition(tool)) === JSON.stringify(definition(direct))) continue;
    variants[variant] = definition(tool);
  }
  return `${JSON.stringify(variants, null, 2)}\n`;
}

describe("tool definitions match their reviewed snapshots", () => {
  for (const op of CATALOG) {
    test(op.name, () => {
      const file = `${SNAPSHOT_DIR}${op.name}.json`;
      const actual = snapshotOf(op.name);
      if (UPDATE) {
        mkdirSync(SNAPSHOT_DIR, { recursive: true });
        writeFileSync(file, actual);
        return;
      }
      if (!existsSync(file)) {
        expect.fail(`no snapshot for ${op.name}: review its definition, then write it with UPDATE_TOOLSNAPS=1 npx vitest run test/server/toolsnaps.test.ts`);
      }
      expect(actual, `${op.name} changed: review the diff, then UPDATE_TOOLSNAPS=1 npx vitest run test/server/toolsnaps.test.ts`).toBe(
        readFileSync(file, "utf8"),
      );
    });
  }

  test("every tool's definition stays within its byte budget (test/server/tool-budget.json)", () => {
    const measured: Record<string, Record<string, number>> = {};
    for (const [variant, tools] of listed) {
      measured[variant] = Object.fromEntries([...tools.values()].map((tool) => [tool.name, Buffer.byteLength(JSON.stringify(tool))]));
    }
    if (UPDATE) {
      const budgets = Object.fromEntries(
        Object.entries(measured).map(([variant, sizes]) => [variant, Object.fromEntries(Object.entries(sizes).map(([name, bytes]) => [name, bytes + (BUDGET_ROOM[name] ?? 0)]))]),
      );
      writeFileSync(BUDGET_FILE, `${JSON.stringify(budgets, null, 2)}\n`);
      return;
    }
    const budgets = JSON.parse(readFileSync(BUDGET_FILE, "utf8")) as Record<string, Record<string, number>>;
    for (const [variant, sizes] of Object.entries(measured)) {
      for (const [name, bytes] of Object.entries(sizes)) {
        const budget = budgets[variant]?.[name];
        expect(budget, `${variant} ${name}: no budget; review, then UPDATE_TOOLSNAPS=1 npx vitest run test/server/toolsnaps.test.ts`).toBeDefined();
        expect(bytes, `${variant} ${name} grew past its budget: make it leaner, or review and UPDATE_TOOLSNAPS=1`).toBeLessThanOrEqual(budget as number);
      }
    }
  });

  test("the whole tools/list stays within issue 11's targets: 16 KB for the * key, 18 KB for an agency key (no flag rewrites these)", () => {
    const bytesOf = (variant: Variant): number => Buffer.byteLength(JSON.stringify({ tools: [...(listed.get(variant)?.values() ?? [])] }));
    expect(listed.get("direct")?.size, "every tool for the * key").toBe(CATALOG.length);
    expect(bytesOf("direct"), "tools/list for the * key").toBeLessThanOrEqual(16 * 1024);
    expect(bytesOf("agency"), "tools/list for an agency key").toBeLessThanOrEqual(18 * 1024);
  });

  test("every variant lists a tool the catalog has, and every snapshot belongs to one", () => {
    const names = new Set(CATALOG.map((op) => op.name));
    for (const tools of listed.values()) for (const name of tools.keys()) expect(names.has(name), name).toBe(true);
    const stale = existsSync(SNAPSHOT_DIR)
      ? readdirSync(SNAPSHOT_DIR).filter((file) => file.endsWith(".json") && !names.has(file.slice(0, -".json".length)))
      : [];
    if (UPDATE) {
      for (const file of stale) rmSync(`${SNAPSHOT_DIR}${file}`);
      return;
    }
    expect(stale, "snapshots of tools the catalog no longer has (UPDATE_TOOLSNAPS=1 removes them)").toEqual([]);
  });
});
