import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { AccessState } from "../access.js";
import type { ServerContext } from "../context.js";
import { calendarFeatures } from "./calendar.js";
import { Completer } from "./completions.js";
import { promptFeatures } from "./prompts.js";
import { createReader } from "./read.js";
import { featureSync } from "./registry.js";
import { resourceFeatures } from "./resources.js";

export { ICONS } from "./icons.js";

/** list_changed notifications the SDK sends once per added or removed prompt or resource: debounce them. */
export const CONTEXT_LIST_CHANGED = ["notifications/prompts/list_changed", "notifications/resources/list_changed"] as const;

/**
 * Registers the prompts (draft_post, plan_week, review_performance, follow_up_leads) and
 * resources (account, rules, calendar, posts and lead magnets by id) the key's access allows, with completions for their arguments. Returns
 * the function that re-filters them when GET /me changes (subscribe it like the tools' sync).
 */
export function registerContextFeatures(mcp: McpServer, context: ServerContext): (state: AccessState) => void {
  const reader = createReader(mcp, context);
  const completer = new Completer(reader);
  const sync = featureSync(
    [...promptFeatures(mcp, reader, completer), ...resourceFeatures(mcp, reader, completer), ...calendarFeatures(mcp, reader, completer)],
    reader,
  );
  sync();
  return () => sync();
}
