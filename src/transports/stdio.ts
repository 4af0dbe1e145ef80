import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { log } from "../log.js";

/**
 * MCP over stdio: one JSON-RPC message per line on stdin and on stdout.
 *
 * The SDK's StdioServerTransport does the same job, with three habits a server trusted with
 * uploads cannot keep:
 * - a line longer than its buffer (10 MiB by default) closes the whole session without an
 *   answer, and a 15 MB PDF sent as base64 is about 20 MiB;
 * - a line that is not a JSON-RPC message is dropped without an answer, so the client waits
 *   for its own timeout (JSON-RPC 2.0 §5.1 asks for -32700 or -32600);
 * - every chunk copies the whole buffer so far: quadratic for a 20 MiB line.
 * Here a bad or oversize line gets the JSON-RPC error it calls for, is logged, and the session
 * goes on; chunks are kept in a list and joined once, when their line ends.
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  /** The current line outgrew the limit: its bytes are dropped until it ends. */
  private oversize = false;
  private closed = false;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
  ) {}

  async start(): Promise<void> {
    this.input.on("data", this.onData);
    this.input.on("error", this.onInputError);
    this.output.on("error", this.onOutputError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.output.write(`${JSON.stringify(message)}\n`)) {
        resolve();
        return;
      }
      // Resolved on drain, or on close (an output that failed never drains).
      const done = (): void => {
        this.output.off("drain", done);
        this.output.off("close", done);
        resolve();
      };
      this.output.once("drain", done);
      this.output.once("close", done);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off("data", this.onData);
    this.input.off("error", this.onInputError);
    this.chunks = [];
    this.pendingBytes = 0;
    this.onclose?.();
  }

  private readonly onData = (data: Buffer | string): void => {
    const chunk = typeof data === "string" ? Buffer.from(data) : data;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, newline));
      this.endLine();
      start = newline + 1;
    }
  };

  private readonly onInputError = (error: Error): void => {
    this.onerror?.(error);
  };

  /** stdout failed (the client closed its end: EPIPE): nothing can be answered any more. */
  private readonly onOutputError = (error: Error): void => {
    log.warn("stdout failed; closing the MCP session", { error: (error as NodeJS.ErrnoException).code ?? error.message });
    void this.close();
  };

  private keep(part: Buffer): void {
    if (part.length === 0 || this.oversize) return;
    if (this.pendingBytes + part.length > this.maxMessageBytes) {
      this.oversize = true;
      this.chunks = [];
      this.pendingBytes = 0;
      return;
    }
    this.chunks.push(part);
    this.pendingBytes += part.length;
  }

  private endLine(): void {
    if (this.oversize) {
      this.oversize = false;
      this.refuse(null, -32600, `Invalid Request: the message is larger than ${this.maxMessageBytes.toLocaleString("en-US")} bytes, the most this server reads (upload_media's content_base64 holds at most a 15 MB PDF).`);
      return;
    }
    const line = (this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.pendingBytes)).toString("utf8");
    this.chunks = [];
    this.pendingBytes = 0;
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (text.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.refuse(null, -32700, "Parse error: the line is not JSON. Send one JSON-RPC message per line.");
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(json);
    if (parsed.success) {
      this.onmessage?.(parsed.data);
      return;
    }
    // JSON-RPC answers a bad request with its id, and a notification or a response not at all.
    const record = typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
    const id = typeof record?.id === "string" || typeof record?.id === "number" ? record.id : null;
    const isRequest = record === undefined || (typeof record.method === "string" && id !== null) || !("method" in record || "result" in record || "error" in record);
    if (isRequest) {
      this.refuse(id, -32600, `Invalid Request: not a JSON-RPC 2.0 message${Array.isArray(json) ? " (batches are not supported)" : ""}.`);
    } else {
      log.warn("ignored a malformed JSON-RPC notification or response on stdin", { id });
    }
  }

  private refuse(id: string | number | null, code: number, message: string): void {
    log.warn("refused a message on stdin", { code, message });
    // The id may be null here, which JSON-RPC requires when it cannot be read (§5).
    void this.send({ jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage);
  }
}
