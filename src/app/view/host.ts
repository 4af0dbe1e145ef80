/// <reference lib="dom" />
/**
 * The view's side of MCP Apps (protocol 2026-01-26): JSON-RPC 2.0 over postMessage with the
 * host's frame. The view asks `ui/initialize`, says `ui/notifications/initialized`, receives
 * `ui/notifications/tool-input` (the arguments of the call it was opened for),
 * `ui/notifications/tool-result` (the result the model saw) and `host-context-changed`, and
 * calls tools through the host with `tools/call`. Only this subset is implemented: the full
 * client library would bring a schema validator bigger than the whole view.
 */
import { isRecord, text, type Json, type ToolResult } from "./data.js";

export const APPS_PROTOCOL_VERSION = "2026-01-26";

export interface HostContext {
  theme?: "light" | "dark";
  locale?: string;
  timeZone?: string;
}

export interface HostHandlers {
  /** The arguments of the tool call the view was opened for. */
  onToolInput(args: Json): void;
  onToolResult(result: ToolResult): void;
  onContext(context: HostContext): void;
}

function contextOf(value: unknown): HostContext {
  if (!isRecord(value)) return {};
  const context: HostContext = {};
  if (value.theme === "light" || value.theme === "dark") context.theme = value.theme;
  if (typeof value.locale === "string") context.locale = value.locale;
  if (typeof value.timeZone === "string") context.timeZone = value.timeZone;
  return context;
}

export class Host {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: Json) => void; reject: (error: Error) => void }>();

  constructor(private readonly handlers: HostHandlers) {
    window.addEventListener("message", (event) => {
      // Only the frame that embeds the view speaks for the host.
      if (event.source !== window.parent) return;
      this.receive(event.data);
    });
  }

  async initialize(): Promise<HostContext> {
    const result = await this.request("ui/initialize", {
      protocolVersion: APPS_PROTOCOL_VERSION,
      appInfo: { name: "leadpanther-board", version: "1.0.0" },
      appCapabilities: {},
    });
    this.notify("ui/notifications/initialized", {});
    return contextOf(result.hostContext);
  }

  async callTool(name: string, args: Json): Promise<ToolResult> {
    const result = await this.request("tools/call", { name, arguments: args });
    return result as ToolResult;
  }

  sizeChanged(height: number): void {
    this.notify("ui/notifications/size-changed", { height });
  }

  private request(method: string, params: Json): Promise<Json> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      window.parent.postMessage({ jsonrpc: "2.0", id, method, params }, "*");
    });
  }

  private notify(method: string, params: Json): void {
    window.parent.postMessage({ jsonrpc: "2.0", method, params }, "*");
  }

  private receive(message: unknown): void {
    if (!isRecord(message) || message.jsonrpc !== "2.0") return;
    if (typeof message.id === "number" && !("method" in message)) {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (isRecord(message.error)) waiting.reject(new Error(text(message.error.message) || "The host refused the request."));
      else waiting.resolve(isRecord(message.result) ? message.result : {});
      return;
    }
    if (message.method === "ui/notifications/tool-input" && isRecord(message.params)) this.handlers.onToolInput(isRecord(message.params.arguments) ? message.params.arguments : {});
    else if (message.method === "ui/notifications/tool-result" && isRecord(message.params)) this.handlers.onToolResult(message.params as ToolResult);
    else if (message.method === "ui/notifications/host-context-changed") this.handlers.onContext(contextOf(message.params));
    else if (message.id !== undefined && typeof message.method === "string") {
      // A request the view does not serve (e.g. ui/resource-teardown): answer so the host is not left waiting.
      window.parent.postMessage({ jsonrpc: "2.0", id: message.id, result: {} }, "*");
    }
  }
}
