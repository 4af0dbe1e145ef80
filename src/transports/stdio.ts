import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Config } from "../config.js";
import { isRecord, messageChunks } from "../json.js";
import { log } from "../log.js";
import { keepYoungGenerationSmall } from "../memory.js";
import { startRuntime } from "../runtime.js";
import { createMcpServer } from "../server.js";
import { SERVER_VERSION } from "../version.js";
import { CallTracker, MAX_MCP_MESSAGE_BYTES, SHUTDOWN_DEADLINE_MS, stopOnSignals } from "./lifecycle.js";

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
 *
 * Ending the session is the owner's call (src/cli.ts): a failed stdout only marks the output
 * dead and tells `onOutputFailed`, so calls in flight can still finish before close().
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** stdout failed (the client closed its end: EPIPE); nothing can be answered any more. */
  onOutputFailed?: () => void;

  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  /** The current line outgrew the limit: its bytes are dropped until it ends; its head and tail are kept to tell what it was. */
  private oversize = false;
  private oversizeHead = "";
  private oversizeTail: Buffer = Buffer.alloc(0);
  /** A shutdown has begun: new requests are refused, answers and notifications still read. */
  private refusingRequests = false;
  private outputDead = false;
  private closed = false;
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly maxMessageBytes: number,
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
  ) {}

  async start(): Promise<void> {
    this.input.on("data", this.onData);
    this.input.on("error", this.onInputError);
    this.output.on("error", this.onOutputError);
    this.output.on("drain", this.wakeDrainWaiters);
    this.output.on("close", this.wakeDrainWaiters);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.outputDead) return Promise.resolve();
    // Corked, the pieces and the line's end go out in one write, none of them copied into another.
    const corkable = this.output as Partial<Pick<import("node:stream").Writable, "cork" | "uncork">>;
    corkable.cork?.();
    for (const chunk of messageChunks(message)) this.output.write(chunk);
    const flowing = this.output.write("\n");
    corkable.uncork?.();
    if (flowing) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * A shutdown has begun: a new request is answered "shutting down" and not run, while the
   * client's answers to this server's requests (a delete's confirmation, roots) and its
   * notifications (a cancellation) are still read, so calls in progress can finish.
   */
  refuseNewRequests(): void {
    this.refusingRequests = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off("data", this.onData);
    this.input.off("error", this.onInputError);
    this.input.pause();
    this.chunks = [];
    this.pendingBytes = 0;
    this.wakeDrainWaiters();
    this.onclose?.();
  }

  private readonly wakeDrainWaiters = (): void => {
    for (const wake of this.drainWaiters.splice(0)) wake();
  };

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
      if (this.closed) return;
      start = newline + 1;
    }
  };

  private readonly onInputError = (error: Error): void => {
    this.onerror?.(error);
  };

  private readonly onOutputError = (error: Error): void => {
    if (this.outputDead) return;
    this.outputDead = true;
    this.wakeDrainWaiters();
    log.warn("stdout failed: the MCP client is gone", { error: (error as NodeJS.ErrnoException).code ?? error.message });
    this.onOutputFailed?.();
  };

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    if (this.oversize) {
      this.oversizeTail = lastBytes(Buffer.concat([this.oversizeTail, part]), TAIL_BYTES);
      return;
    }
    if (this.pendingBytes + part.length > this.maxMessageBytes) {
      this.oversize = true;
      this.oversizeHead = Buffer.concat([...this.chunks.slice(0, 1), part]).subarray(0, TAIL_BYTES).toString("utf8");
      this.oversizeTail = lastBytes(Buffer.concat([...this.chunks.slice(-1), part]), TAIL_BYTES);
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
      const head = this.oversizeHead;
      const tail = this.oversizeTail.toString("utf8");
      this.oversizeHead = "";
      this.oversizeTail = Buffer.alloc(0);
      // A response is never answered: its id is from this server's own id space.
      if (/^\s*\{\s*"(?:result|error)"\s*:/.test(head)) {
        log.warn("dropped an oversize JSON-RPC response on stdin", { limit_bytes: this.maxMessageBytes });
        return;
      }
      // Clients write a request's id last ({...request, jsonrpc, id}); answering with it
      // spares the client a wait for its own timeout.
      const id = /"method"\s*:/.test(head) ? trailingId(tail) : null;
      this.refuse(id, -32600, `Invalid Request: the message is larger than ${this.maxMessageBytes.toLocaleString("en-US")} bytes, the most this server reads (upload_media's content_base64 holds at most a 15 MB PDF).`);
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
    if (parsed.success && this.refusingRequests && "method" in parsed.data && "id" in parsed.data) {
      this.refuse(parsed.data.id, -32000, "The server is shutting down: this request was not run. Nothing was sent to LeadPanther.");
      return;
    }
    if (parsed.success) {
      try {
        this.onmessage?.(parsed.data);
      } catch (error) {
        // Whatever one message does to its handler, the session goes on (as the SDK's transport).
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    // JSON-RPC answers a bad request (with its id when it has a usable one), never a
    // notification (no id) or a response (result or error).
    const record = isRecord(json) ? json : undefined;
    const id = typeof record?.id === "string" || typeof record?.id === "number" ? record.id : null;
    const isRequest = record !== undefined && typeof record.method === "string" && "id" in record;
    const isResponse = !isRequest && record !== undefined && ("result" in record || "error" in record);
    const isNotification = !isRequest && record !== undefined && !("id" in record) && "method" in record;
    if (!isResponse && !isNotification) {
      this.refuse(id, -32600, `Invalid Request: not a JSON-RPC 2.0 message${Array.isArray(json) ? " (batches are not supported)" : ""}.`);
    } else {
      log.warn("ignored a malformed JSON-RPC notification or response on stdin", { id });
    }
  }

  private refuse(id: string | number | null, code: number, message: string): void {
    log.warn("refused a message on stdin", { code, message });
    // JSON-RPC requires id null when the request's id cannot be read (§5).
    void this.send({ jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage);
  }
}

/** Enough of an oversize line's end to read its id from. */
const TAIL_BYTES = 256;

function lastBytes(buffer: Buffer, count: number): Buffer {
  return buffer.length <= count ? buffer : buffer.subarray(buffer.length - count);
}

/** The id of a JSON-RPC request whose last member is `"id"`, read from the end of its line. */
function trailingId(tail: string): string | number | null {
  const match = /"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,100}")\s*\}\s*$/.exec(tail);
  if (!match?.[1]) return null;
  try {
    return JSON.parse(match[1]) as string | number;
  } catch {
    return null;
  }
}

/** How long a shutdown waits for answers to reach a client that may have stopped reading. */
const STDOUT_FLUSH_MS = 2_000;

/** `leadpanther-mcp` (the default): the runtime, one MCP session on stdin/stdout, and a drained stop. */
export async function serveStdio(config: Config): Promise<void> {
  keepYoungGenerationSmall();
  const runtime = await startRuntime(config);
  const calls = new CallTracker();
  const mcp = createMcpServer(runtime.context, { followAccess: true, calls });
  const transport = new StdioTransport(MAX_MCP_MESSAGE_BYTES);
  let closing = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (closing) return;
    closing = true;
    // No new calls from here on (answers and notifications from the client are still read: a
    // delete may be waiting for its confirmation). Closing the session aborts calls in flight,
    // and a write cut off mid-request would end as "outcome unknown": let them finish first.
    transport.refuseNewRequests();
    log.info("shutting down", { reason, calls_in_progress: calls.inProgress });
    if (!(await calls.idle(SHUTDOWN_DEADLINE_MS))) log.warn("calls still in progress at the shutdown deadline were abandoned", { calls_in_progress: calls.inProgress });
    // A call that just finished has its answer sent on the next turn of the event loop; let
    // that happen and reach stdout (unless the client stopped reading) before the session closes.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.race([
      new Promise<void>((resolve) => process.stdout.write("", () => resolve())),
      new Promise((resolve) => setTimeout(resolve, STDOUT_FLUSH_MS).unref()),
    ]);
    await mcp.close().catch(() => undefined);
    await runtime.close();
    process.exit(0);
  };
  // The first signal may arrive during a drain that stdin's end began (MCP clients close stdin,
  // then send SIGTERM a moment later): it joins the drain. A second one means "now".
  process.stdin.on("end", () => void shutdown("stdin closed"));
  stopOnSignals((signal) => void shutdown(signal), () => calls.inProgress);
  transport.onOutputFailed = () => void shutdown("stdout closed");
  await mcp.connect(transport);
  mcp.server.onerror = (error) => log.warn("MCP protocol error", { error: error.message });
  log.info("serving MCP over stdio", { version: SERVER_VERSION, access: runtime.context.access.state.status });
}
