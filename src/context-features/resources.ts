import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { secrets } from "../safety/secrets.js";
import type { Completer } from "./completions.js";
import { ICONS } from "./icons.js";
import { resultText, type Reader } from "./read.js";
import type { Feature } from "./registry.js";
import { rulesMarkdown } from "./rules.js";

const MARKDOWN = "text/markdown";

/** A resource's text: what the tool showed (already shaped), scrubbed once more as a last line. */
function contents(uri: string, text: string): ReadResourceResult {
  return { contents: [{ uri, mimeType: MARKDOWN, text: secrets.scrub(text) }] };
}

function toolText(tool: string, result: CallToolResult | undefined): string {
  if (!result) return `${tool} is not available to this API key, so this resource has nothing to show.`;
  return resultText(result);
}

function variable(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

/**
 * The resources: who the key acts as, the rules the server enforces, and one post or lead magnet
 * by id (with the client in the URI for an agency key). Each reads through a tool (see read.ts).
 */
export function resourceFeatures(mcp: McpServer, reader: Reader, completer: Completer): Feature[] {
  const recordTemplate = (options: { name: string; tool: string; idVariable: string; noun: string; icons: typeof ICONS.post; path: string; complete: (typed: string, clientId: string | undefined) => Promise<string[]> }): Feature[] =>
    (["direct", "agency"] as const).map((form) => ({
      name: form === "agency" ? `client_${options.name}` : options.name,
      reads: [options.tool],
      // A pinned key acts for one client: it uses the direct form, routed to that client.
      variants: form === "agency" ? ["agency"] : ["direct", "pinned"],
      register: () => {
        const uriTemplate = form === "agency" ? `leadpanther://clients/{client_id}/${options.path}/{${options.idVariable}}` : `leadpanther://${options.path}/{${options.idVariable}}`;
        return mcp.registerResource(
          form === "agency" ? `client_${options.name}` : options.name,
          new ResourceTemplate(uriTemplate, {
            list: undefined,
            complete: {
              [options.idVariable]: (typed, context) => options.complete(typed, context?.arguments?.client_id),
              ...(form === "agency" ? { client_id: (typed: string) => completer.clientIds(typed) } : {}),
            },
          }),
          {
            title: `LeadPanther ${options.noun}${form === "agency" ? " (client)" : ""}`,
            description: `One ${options.noun} by id, as ${options.tool} shows it${form === "agency" ? ", for the client given by client_id (a user_id from list_clients)" : ""}.`,
            mimeType: MARKDOWN,
            icons: options.icons,
          },
          async (uri, values, extra) => {
            const clientId = form === "agency" ? variable(values.client_id) : undefined;
            const result = await reader.read(options.tool, { [options.idVariable]: variable(values[options.idVariable]) }, clientId, extra);
            return contents(uri.href, `# ${options.noun} ${variable(values[options.idVariable])}\n\n${toolText(options.tool, result)}`);
          },
        );
      },
    }));

  return [
    {
      name: "account",
      reads: ["get_me"],
      register: () =>
        mcp.registerResource(
          "account",
          "leadpanther://account",
          { title: "LeadPanther account", description: "Who the API key acts as, its scopes and the pinned client (as get_me shows it).", mimeType: MARKDOWN, icons: ICONS.account },
          async (uri, extra) => contents(uri.href, `# LeadPanther account\n\n${toolText("get_me", await reader.read("get_me", {}, undefined, extra))}`),
        ),
    },
    {
      name: "rules",
      reads: [],
      register: () =>
        mcp.registerResource(
          "rules",
          "leadpanther://rules",
          { title: "LeadPanther post and lead magnet rules", description: "The rules this server checks before sending a post or lead magnet.", mimeType: MARKDOWN, icons: ICONS.rules },
          async (uri) => contents(uri.href, rulesMarkdown()),
        ),
    },
    ...recordTemplate({ name: "post", tool: "get_post", idVariable: "post_id", noun: "post", icons: ICONS.post, path: "posts", complete: (typed, clientId) => completer.postIds(typed, clientId) }),
    ...recordTemplate({
      name: "lead_magnet",
      tool: "get_lead_magnet",
      idVariable: "lead_magnet_id",
      noun: "lead magnet",
      icons: ICONS.leadMagnet,
      path: "lead-magnets",
      complete: (typed, clientId) => completer.leadMagnetIds(typed, clientId),
    }),
  ];
}
