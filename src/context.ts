import type { AccessController } from "./access.js";
import type { ApiClient } from "./api/client.js";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";

/** What every MCP session of this process shares: settings, the API client and the key's access. */
export interface ServerContext {
  config: Config;
  api: ApiClient;
  access: AccessController;
  logger: Logger;
  /** keyFingerprint of the key in use ("" without one): what a confirm token is bound to. */
  keyFingerprint: string;
}
