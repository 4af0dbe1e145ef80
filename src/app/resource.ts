import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

/**
 * The board: one MCP Apps view (calendar, funnel, leads) that hosts with Apps render next to the
 * results of the tools that link to it. Hosts without Apps ignore the link and the resource, and
 * the tools' results are the same text and structured content either way.
 */
export const BOARD_URI = "ui://leadpanther/board.html";
/** The MCP Apps profile of HTML: hosts render only resources of this type as views. */
export const BOARD_MIME_TYPE = "text/html;profile=mcp-app";

/**
 * `_meta` for the tools whose results the board shows. `ui.resourceUri` is the current key;
 * `ui/resourceUri` is the flat key hosts written against the first drafts of the extension read.
 */
export const BOARD_TOOL_META = {
  ui: { resourceUri: BOARD_URI },
  "ui/resourceUri": BOARD_URI,
} as const;


// The view is built into dist/app/board.html. This module runs from the CLI bundle (dist/cli.js),
// from one of its chunks (dist/chunks/), from tsc's output (dist/app/) or from source in tests.
const BUILT_VIEW_CANDIDATES = ["./app/board.html", "../app/board.html", "../../dist/app/board.html"];

let cachedHtml: string | undefined;

/** The built view's HTML; read once, when a host first asks for it. */
export function boardHtml(): string {
  if (cachedHtml !== undefined) return cachedHtml;
  const path = BUILT_VIEW_CANDIDATES.map((candidate) => fileURLToPath(new URL(candidate, import.meta.url))).find((file) => existsSync(file));
  if (path === undefined) {
    throw new Error("The board view (app/board.html) is missing from this installation: run `npm run build`, or reinstall the package.");
  }
  cachedHtml = readFileSync(path, "utf8");
  return cachedHtml;
}

export function registerBoardResource(mcp: McpServer): void {
  mcp.registerResource(
    "board",
    BOARD_URI,
    {
      title: "LeadPanther board",
      description: "Content calendar, lead funnel and leads table, shown by hosts that support MCP Apps.",
      mimeType: BOARD_MIME_TYPE,
    },
    async (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: BOARD_MIME_TYPE,
          text: boardHtml(),
          // Everything the view needs is inline: no remote origin to allow.
          _meta: { ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } },
        },
      ],
    }),
  );
}
