import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { loadConfig } from "../src/config.js";
import { startRuntime, type Runtime } from "../src/runtime.js";
import { createMcpServer } from "../src/server.js";
import { startSandbox, type Sandbox, type SandboxOptions } from "../src/sandbox/index.js";

/**
 * A real stack for end-to-end tests: the sandbox on 127.0.0.1, the server's runtime pointed at
 * it over real HTTP, and the SDK's Client talking MCP to the server over InMemoryTransport.
 */
export interface Stack {
  sandbox: Sandbox;
  runtime: Runtime;
  client: Client;
  /** Every notification method the client received, in order. */
  notifications: string[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  toolNames(): Promise<string[]>;
  close(): Promise<void>;
}

export interface StackOptions {
  key?: string;
  env?: Record<string, string>;
  argv?: string[];
  sandbox?: Sandbox;
  sandboxOptions?: SandboxOptions;
  capabilities?: ClientCapabilities;
  /** Runs on the client before connecting (e.g. to register an elicitation handler). */
  prepareClient?: (client: Client) => void;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ownSandbox = options.sandbox === undefined;
  const sandbox = options.sandbox ?? (await startSandbox(options.sandboxOptions));
  const env: Record<string, string> = {
    LEADPANTHER_BASE_URL: sandbox.baseUrl,
    LEADPANTHER_LOG_LEVEL: "error",
    ...(options.key !== undefined ? { LEADPANTHER_API_KEY: options.key } : {}),
    ...options.env,
  };
  const runtime = await startRuntime(loadConfig(options.argv ?? [], env));
  const mcp = createMcpServer(runtime.context, { followAccess: true });
  const client = new Client({ name: "test-client", version: "1.0.0" }, { capabilities: options.capabilities ?? {} });
  const notifications: string[] = [];
  client.fallbackNotificationHandler = async (notification) => {
    notifications.push(notification.method);
  };
  options.prepareClient?.(client);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    sandbox,
    runtime,
    client,
    notifications,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    toolNames: async () => (await client.listTools()).tools.map((tool) => tool.name),
    async close() {
      await client.close();
      await mcp.close();
      await runtime.close();
      if (ownSandbox) await sandbox.close();
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content
    .map((part) => (part.type === "text" ? part.text : ""))
    .join("\n");
}

export function structured<T = Record<string, unknown>>(result: CallToolResult): T {
  if (result.isError) throw new Error(`expected success, got error: ${textOf(result)}`);
  return result.structuredContent as T;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
