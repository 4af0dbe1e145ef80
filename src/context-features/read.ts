import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { exposedTools, type ExposedTool } from "../catalog.js";
import { routeFor, send } from "../call.js";
import { apiPages, scan, type ScanResult } from "../find/scan.js";
import type { ServerContext } from "../context.js";
import type { ToolCall, ToolExtra } from "../tools/types.js";
import type { RouteVariant } from "../tools/types.js";

/**
 * Prompts, resources and completions read LeadPanther through the tools themselves: the same
 * route (direct, agency or pinned, from GET /me), the same redaction, sanitizing, untrusted
 * markers and secret scrubbing. So nothing they show is more than the tools would show.
 */
export interface Reader {
  /** The tools this key exposes right now, by name. */
  exposed(): ReadonlyMap<string, ExposedTool>;
  /** The variant the key's tools have: direct, agency (client_id per call) or pinned. */
  variant(): RouteVariant;
  /** Runs a read tool; undefined when the key does not expose it. */
  read(tool: string, args: Record<string, unknown>, clientId: string | undefined, extra: ToolExtra): Promise<CallToolResult | undefined>;
  /**
   * Every record of a list tool's collection that `match` keeps, read page by page on the tool's
   * route (the find engine's scan, with its cap and time budget). The records are as LeadPanther
   * sent them: a caller shows only numbers, ids and the account's own text from them, scrubbed.
   * Undefined when the key does not expose the tool.
   */
  scanAll(tool: string, clientId: string | undefined, match: (record: Record<string, unknown>) => boolean, extra: ToolExtra): Promise<ScanResult<Record<string, unknown>> | undefined>;
}

export function createReader(mcp: McpServer, context: ServerContext): Reader {
  const exposed = (): ReadonlyMap<string, ExposedTool> =>
    new Map(exposedTools(context.access.state, context.config).map((tool) => [tool.op.name, tool]));
  const callOf = (tool: string, clientId: string | undefined, extra: ToolExtra): ToolCall | undefined => {
    const found = exposed().get(tool);
    if (!found || found.op.effect !== "read") return undefined;
    return {
      ...context,
      op: found.op,
      variant: found.variant,
      clientId: found.variant === "pinned" ? context.config.clientId : clientId,
      mcp,
      extra,
      exposedToolNames: () => [...exposed().keys()],
    };
  };
  return {
    exposed,
    variant: () => exposed().get("list_posts")?.variant ?? [...exposed().values()].find((tool) => tool.op.agencyPath)?.variant ?? "direct",
    async read(tool, args, clientId, extra) {
      const call = callOf(tool, clientId, extra);
      if (!call) return undefined;
      return call.op.handler ? call.op.handler(call, args) : send(call, args);
    },
    async scanAll(tool, clientId, match, extra) {
      const call = callOf(tool, clientId, extra);
      if (!call?.op.list) return undefined;
      const isRecord = (item: unknown): item is Record<string, unknown> => typeof item === "object" && item !== null;
      const fetchPage = apiPages(context.api, routeFor(call, {}));
      return scan<Record<string, unknown>>({
        fetchPage: async (offset, limit, signal) => {
          const page = await fetchPage(offset, limit, signal);
          return { items: page.items.filter(isRecord), hasMore: page.hasMore };
        },
        match,
        limit: Number.MAX_SAFE_INTEGER,
        startOffset: 0,
        signal: extra.signal,
      });
    },
  };
}

/** The text a tool result shows the model (already shaped and scrubbed). */
export function resultText(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

/** The shaped records of a successful list result, or of a single record; [] on error. */
export function resultRecords(result: CallToolResult | undefined): Record<string, unknown>[] {
  if (!result || result.isError) return [];
  const data = (result.structuredContent as { data?: unknown } | undefined)?.data;
  const items = Array.isArray(data) ? data : data === undefined ? [] : [data];
  return items.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null);
}
