import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { secrets } from "../safety/secrets.js";
import type { RouteVariant } from "../tools/types.js";
import type { Completer } from "./completions.js";

/** A prompt's one user message, scrubbed of anything secret-shaped as a last line of defence. */
export function userPrompt(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: "user", content: { type: "text", text: secrets.scrub(text) } }] };
}

/** client_id for an agency key (a pinned or direct key has its one account). */
export function clientIdArgument(completer: Completer, variant: RouteVariant): Record<string, z.ZodString> {
  return variant === "agency"
    ? { client_id: completable(z.string().describe("Client account: user_id from list_clients (complete by name)."), (typed) => completer.clientIds(typed)) }
    : {};
}
