import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** The shipped CLI (built by the global setup). */
export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/**
 * An MCP client transport over the spawned CLI's stdin/stdout that keeps every byte the server
 * wrote, on stdout (the protocol stream) and on stderr (the log), for the leak scans.
 */
export class RecordingStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /** stdout lines that were not JSON-RPC messages (stdout must carry the protocol only). */
  readonly strayLines: string[] = [];
  private child: ChildProcessWithoutNullStreams | undefined;
  private exited: Promise<unknown> | undefined;
  private readonly stdoutChunks: Buffer[] = [];
  private readonly stderrChunks: Buffer[] = [];
  private readonly readBuffer = new ReadBuffer();

  constructor(
    private readonly args: readonly string[],
    private readonly env: Record<string, string>,
  ) {}

  get stdout(): string {
    return Buffer.concat(this.stdoutChunks).toString("utf8");
  }

  get stderr(): string {
    return Buffer.concat(this.stderrChunks).toString("utf8");
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [CLI, ...this.args], {
      env: { PATH: process.env.PATH ?? "", ...this.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = once(child, "close");
    child.stdout.on("data", (chunk: Buffer) => {
      this.stdoutChunks.push(chunk);
      this.readBuffer.append(chunk);
      this.drain();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderrChunks.push(chunk);
    });
    child.on("error", (error) => this.onerror?.(error));
    child.on("close", () => {
      this.child = undefined;
      this.onclose?.();
    });
    await once(child, "spawn");
  }

  private drain(): void {
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.readBuffer.readMessage();
      } catch (error) {
        // ReadBuffer consumed the line before it failed to parse it.
        this.strayLines.push(String(error));
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const child = this.child;
    if (child === undefined) throw new Error("the server process is not running");
    if (!child.stdin.write(serializeMessage(message))) await once(child.stdin, "drain");
  }

  /** Ends stdin (the server shuts down on its own) and waits for the process to exit. */
  async close(): Promise<void> {
    const child = this.child;
    if (child !== undefined) {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGTERM"), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}
