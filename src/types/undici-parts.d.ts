// Types for the two undici modules src/api/http.ts loads directly (see why there). They are
// the very objects undici's index re-exports, so they take the index's published types.

declare module "undici/lib/dispatcher/agent.js" {
  import type { Agent } from "undici";
  const AgentClass: typeof Agent;
  export default AgentClass;
}

declare module "undici/lib/api/api-request.js" {
  import type { Dispatcher } from "undici";
  /** Dispatcher#request: undici's index mixes it into Dispatcher.prototype. */
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
