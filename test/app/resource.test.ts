import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOARD_MIME_TYPE, BOARD_TOOL_META, BOARD_URI, registerBoardResource } from "../../src/app/resource.js";

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
