// The floor for the server benchmark: the smallest MCP server the same SDK can make, over
// stdio, with one tool that does nothing and one that returns a canned result (the file named
// by BENCH_CANNED_RESULT, e.g. a list_posts page) without any work, to price the payload alone.
// With BENCH_GET_URL (and BENCH_GET_KEY) a third tool first makes that GET with undici and
// reads its JSON, then returns the canned result: the payload and the GET, and nothing else.
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "minimal", version: "1.0.0" });
server.registerTool("noop", { description: "Does nothing." }, async () => ({ content: [{ type: "text", text: "ok" }] }));
const cannedFile = process.env.BENCH_CANNED_RESULT;
if (cannedFile) {
  const canned = JSON.parse(readFileSync(cannedFile, "utf8"));
  server.registerTool("canned", { description: "Returns a fixed result." }, async () => canned);
  const getUrl = process.env.BENCH_GET_URL;
  if (getUrl) {
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    const headers = { authorization: `Bearer ${process.env.BENCH_GET_KEY ?? ""}` };
    server.registerTool("get_then_canned", { description: "Makes one GET, then returns the fixed result." }, async () => {
      const response = await request(getUrl, { headers, dispatcher: agent });
      await response.body.json();
      return canned;
    });
  }
}
await server.connect(new StdioServerTransport());
