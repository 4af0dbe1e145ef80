import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { BOARD_MIME_TYPE, BOARD_TOOL_META, BOARD_URI, registerBoardResource } from "../../src/app/resource.js";
import { CATALOG } from "../../src/catalog.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { startStack, structured, textOf, type Stack } from "../fixtures/stack.js";

/** The board as an MCP client sees it: one ui:// resource with the built, self-contained view. */

let client: Client;
let mcp: McpServer;

beforeAll(async () => {
  mcp = new McpServer({ name: "board-test", version: "1.0.0" });
  registerBoardResource(mcp);
  // A tool carrying the link, as the wired tools will.
  mcp.registerTool("linked", { description: "A tool whose results the board shows.", _meta: BOARD_TOOL_META }, async () => ({ content: [{ type: "text", text: "ok" }] }));
  client = new Client({ name: "test-client", version: "1.0.0" });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverTransport);
  await client.connect(clientTransport);
});

afterAll(async () => {
  await client.close();
  await mcp.close();
});

describe("the board resource", () => {
  it("is listed as a ui:// resource of the MCP Apps HTML type", async () => {
    const { resources } = await client.listResources();
    expect(resources).toEqual([expect.objectContaining({ uri: BOARD_URI, mimeType: BOARD_MIME_TYPE })]);
    expect(BOARD_URI).toBe("ui://leadpanther/board.html");
    expect(BOARD_MIME_TYPE).toBe("text/html;profile=mcp-app");
  });

  it("reads as one self-contained HTML page of at most 150 KB", async () => {
    const { contents } = await client.readResource({ uri: BOARD_URI });
    expect(contents).toHaveLength(1);
    const [page] = contents;
    expect(page).toMatchObject({ uri: BOARD_URI, mimeType: BOARD_MIME_TYPE });
    const html = page && "text" in page ? page.text : "";
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(150 * 1024);
    // Nothing loaded from elsewhere: no external script, stylesheet, font or image.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*["']?https?:|@font-face/i);
    expect(html).toContain("ui/initialize");
    // The view inserts data only as text.
    expect(html).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it("is linked from a tool through _meta.ui.resourceUri", async () => {
    const { tools } = await client.listTools();
    expect(tools[0]?._meta).toMatchObject({ ui: { resourceUri: BOARD_URI } });
  });
});

describe("the board as the server offers it", () => {
  const APPS_CAPABILITIES = { experimental: { "io.modelcontextprotocol/ui": { mimeTypes: [BOARD_MIME_TYPE] } } };
  let sandbox: Sandbox;
  let plain: Stack;
  let withApps: Stack;

  beforeAll(async () => {
    sandbox = await startSandbox();
    plain = await startStack({ sandbox, key: DEMO.keys.directAll });
    withApps = await startStack({ sandbox, key: DEMO.keys.directAll, capabilities: APPS_CAPABILITIES });
  });
  afterAll(async () => {
    await plain.close();
    await withApps.close();
    await sandbox.close();
  });

  it("links the board from exactly the tools whose results it shows", async () => {
    const { tools } = await plain.client.listTools();
    const linked = tools.filter((tool) => tool._meta !== undefined).map((tool) => tool.name);
    expect(linked).toEqual(CATALOG.filter((op) => op.meta !== undefined).map((op) => op.name));
    expect(linked.sort()).toEqual(["get_post_engagement", "list_activity", "list_leads", "list_posts"]);
    for (const tool of tools.filter((each) => each._meta !== undefined)) expect(tool._meta).toEqual(BOARD_TOOL_META);
    const { resources } = await plain.client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain(BOARD_URI);
  });

  it("gives a host without Apps the same result, text and structured, as a host with them", async () => {
    for (const [name, args] of [
      ["list_posts", { limit: 5 }],
      ["list_leads", { limit: 5 }],
      ["list_activity", { limit: 5 }],
    ] as const) {
      const withoutView = await plain.call(name, args);
      const withView = await withApps.call(name, args);
      const comparable = (result: CallToolResult): unknown => ({ text: textOf(result), structured: { ...structured(result), request_id: undefined } });
      expect(withoutView.isError ?? false, name).toBe(false);
      // The text holds the request id too: compare it without that line.
      const strip = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replace(/request_id: [^"\\]+/g, "request_id: …"));
      expect(strip(comparable(withView)), name).toEqual(strip(comparable(withoutView)));
    }
  });
});
