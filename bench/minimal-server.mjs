// The floor for the server benchmark: the smallest MCP server the same SDK can make, over
// stdio, with one tool that does nothing and one that returns a canned result (the file named
// by BENCH_CANNED_RESULT, e.g. a list_posts page) without any work, to price the payload alone.
import { readFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "minimal", version: "1.0.0" });
server.registerTool("noop", { description: "Does nothing." }, async () => ({ content: [{ type: "text", text: "ok" }] }));
const cannedFile = process.env.BENCH_CANNED_RESULT;
if (cannedFile) {
  const canned = JSON.parse(readFileSync(cannedFile, "utf8"));
  server.registerTool("canned", { description: "Returns a fixed result." }, async () => canned);
}
await server.connect(new StdioServerTransport());
