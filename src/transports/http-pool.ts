/** The stateless HTTP transport's MCP servers: built per request, or reused when nothing of a request stays behind. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerContext } from "../context.js";
import { isRecord } from "../json.js";
import { createMcpServer } from "../server.js";

/** Requests a pooled server may answer: none of them leaves anything behind on the server. */
const REUSABLE_METHODS: ReadonlySet<string> = new Set(["tools/list", "tools/call", "ping"]);

export function reusableFor(message: unknown): boolean {
  return (
    isRecord(message) &&
    "id" in message &&
    "method" in message &&
    typeof message.method === "string" &&
    REUSABLE_METHODS.has(message.method)
  );
}

/**
 * Stateless means that nothing of one request reaches the next, not that each request must
 * pay for building an MCP server (20 tools with their input schemas and a JSON-schema
 * validator: most of the CPU and garbage of a request). The SDK's Protocol is made to be
 * closed and connected again (close() clears every per-connection map and aborts what is in
 * flight; a late handler answers only the transport it was called on). The per-client state
 * of a server is set by `initialize` only (client capabilities and version), so a server
 * that answered one is never reused; one that answered only tools/list,
 * tools/call or ping is closed and kept for the next such request. When the key's access
 * changes (GET /me), idle servers are dropped and servers in use are not returned, so the
 * tool list always follows the current access.
 */
export class ServerPool {
  private idle: McpServer[] = [];
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly context: ServerContext,
    private readonly maxIdle: number,
  ) {
    this.unsubscribe = context.access.subscribe(() => {
      this.generation += 1;
      this.idle = [];
    });
  }

  lease(reusable: boolean): { mcp: McpServer; release(): void } {
    const generation = this.generation;
    const mcp = (reusable ? this.idle.pop() : undefined) ?? createMcpServer(this.context, { followAccess: false });
    let released = false;
    return {
      mcp,
      release: () => {
        if (released) return;
        released = true;
        mcp.close().then(
          () => {
            if (reusable && generation === this.generation && this.idle.length < this.maxIdle) this.idle.push(mcp);
          },
          () => undefined,
        );
      },
    };
  }

  dispose(): void {
    this.unsubscribe();
    this.idle = [];
  }
}
