import { describe, expect, test } from "vitest";
import { CATALOG, OPERATIONS_BY_NAME, exposedTools } from "../../src/catalog.js";
import { TOOLSETS } from "../../src/tools/toolsets.js";

/**
 * What the tool definitions promise each other: every tool a definition names exists and is the
 * kind of tool it is used as, so a rename or a removed tool fails here rather than in a hint a
 * model reads.
 */

describe("tool definitions refer to real tools", () => {
  test("names are unique and every toolset is one an operator can name", () => {
    expect(OPERATIONS_BY_NAME.size).toBe(CATALOG.length);
    for (const op of CATALOG) expect(op.toolset === "core" || (TOOLSETS as readonly string[]).includes(op.toolset), op.name).toBe(true);
  });

  test("a write says how to verify an unknown outcome with a tool that exists (upload_media: a fresh upload gets a new path)", () => {
    for (const op of CATALOG.filter((candidate) => candidate.effect !== "read" && candidate.handler === undefined)) {
      expect(op.verify, op.name).toBeDefined();
      expect(OPERATIONS_BY_NAME.has(op.verify?.tool ?? ""), `${op.name} verifies with ${op.verify?.tool}`).toBe(true);
      expect(op.verify?.instruction, op.name).toContain(op.verify?.tool);
    }
  });

  test("every delete or archive has a confirmation preview; one read from the record uses a GET on the same path", () => {
    for (const op of CATALOG.filter((candidate) => candidate.effect === "destructive")) {
      const preview = op.confirm;
      expect(preview, op.name).toBeDefined();
      if (preview?.kind !== "record") continue;
      const read = OPERATIONS_BY_NAME.get(preview.readWith);
      expect(read?.method, preview.readWith).toBe("GET");
      expect([read?.directPath, read?.agencyPath], preview.readWith).toEqual([op.directPath, op.agencyPath]);
      expect(Object.keys(op.inputShape), op.name).toContain(preview.idField);
      expect(OPERATIONS_BY_NAME.get(preview.findWith)?.list, preview.findWith).toBe(true);
    }
  });

  test("a probe source is a list tool", () => {
    for (const op of CATALOG.filter((candidate) => candidate.probeFrom !== undefined)) {
      expect(OPERATIONS_BY_NAME.get(op.probeFrom ?? "")?.list, `${op.name} probes from ${op.probeFrom}`).toBe(true);
    }
  });
});

describe("exposedTools: scopes ∩ read-only ∩ toolsets, in catalog order", () => {
  const identity = { actorType: "direct_user" as const, scopes: ["posts:read", "posts:write", "leads:read"], me: {} };
  const ready = { status: "ready" as const, identity, checkedAt: 0 };
  const all = { readOnly: false, toolsets: new Set(TOOLSETS), clientId: undefined };

  test("before GET /me answers only the core tools, direct", () => {
    expect(exposedTools({ status: "starting" }, all).map((tool) => [tool.op.name, tool.variant])).toEqual([
      ["get_api_info", "direct"],
      ["get_me", "direct"],
    ]);
  });

  test("each filter removes what it names", () => {
    const names = (settings: typeof all): string[] => exposedTools(ready, settings).map((tool) => tool.op.name);
    expect(names(all)).toEqual(["get_api_info", "get_me", "list_posts", "get_post", "create_post", "update_post", "delete_post", "list_leads"]);
    expect(names({ ...all, readOnly: true })).toEqual(["get_api_info", "get_me", "list_posts", "get_post", "list_leads"]);
    expect(names({ ...all, toolsets: new Set(["leads"] as const) })).toEqual(["get_api_info", "get_me", "list_leads"]);
  });

  test("an agency key gets the agency variant, or the pinned one when a client is set", () => {
    const agency = { ...ready, identity: { ...identity, actorType: "agency" as const } };
    expect(new Set(exposedTools(agency, all).map((tool) => tool.variant))).toEqual(new Set(["agency"]));
    expect(new Set(exposedTools(agency, { ...all, clientId: "c" }).map((tool) => tool.variant))).toEqual(new Set(["pinned"]));
  });
});
