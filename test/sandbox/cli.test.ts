/**
 * `leadpanther-mcp sandbox [--port N]` (src/sandbox/cli.ts): argument checks, the printed
 * banner (base URL, every demo key with role and scopes, client ids), and a clean stop on
 * SIGINT/SIGTERM. Signals come from an injected emitter so the test process is untouched.
 */
import { EventEmitter } from "node:events";
import { request } from "undici";
import { afterEach, describe, expect, test } from "vitest";
import { parseSandboxArgs, runSandboxCli } from "../../src/sandbox/cli.js";
import { DEMO } from "../../src/sandbox/index.js";

afterEach(() => {
  process.exitCode = undefined;
});

describe("sandbox CLI arguments", () => {
  test.each([
    [[], 0],
    [["--port", "0"], 0],
    [["--port", "8080"], 8080],
    [["--port=65535"], 65535],
  ] as const)("%j → port %i", (args, port) => {
    expect(parseSandboxArgs(args).port).toBe(port);
  });

  test("--scale picks how much data the sandbox starts with; left out, the server's setting decides", () => {
    expect(parseSandboxArgs(["--scale", "large"]).scale).toBe("large");
    expect(parseSandboxArgs(["--scale=small", "--port", "1"])).toEqual({ port: 1, help: false, scale: "small" });
    expect(parseSandboxArgs([]).scale).toBeUndefined();
  });

  test.each([
    [["--port", "abc"], /integer from 0 to 65535/],
    [["--port", "-1"], /integer from 0 to 65535/],
    [["--port", "65536"], /integer from 0 to 65535/],
    [["--port", "1.5"], /integer from 0 to 65535/],
    [["--port="], /integer from 0 to 65535/],
    [["--port"], /needs a value/],
    [["--verbose"], /unknown argument/],
    [["--scale", "huge"], /--scale must be small or large, got 'huge'/],
    [["--scale"], /--scale must be small or large/],
  ] as const)("%j is refused with a clear message", (args, message) => {
    expect(() => parseSandboxArgs(args)).toThrow(message);
  });

  test("a bad --port prints the reason to stderr and sets exit code 2, starting nothing", async () => {
    const errors: string[] = [];
    const out: string[] = [];
    await runSandboxCli(["--port", "99999"], { stdout: (text) => out.push(text), stderr: (text) => errors.push(text), signals: new EventEmitter() });
    expect(errors.join("")).toMatch(/--port must be an integer from 0 to 65535, got '99999'/);
    expect(out).toEqual([]);
    expect(process.exitCode).toBe(2);
  });

  test("--help prints the usage", async () => {
    const out: string[] = [];
    await runSandboxCli(["--help"], { stdout: (text) => out.push(text), stderr: () => undefined, signals: new EventEmitter() });
    expect(out.join("")).toMatch(/usage: leadpanther-mcp sandbox \[--port N\]/);
  });
});

describe("sandbox CLI run", () => {
  test.each(["SIGINT", "SIGTERM"])("prints base URL, keys and clients; serves; stops cleanly on %s", async (signal) => {
    const out: string[] = [];
    const signals = new EventEmitter();
    const running = runSandboxCli(["--port", "0"], { stdout: (text) => out.push(text), stderr: () => undefined, signals });
    await expect.poll(() => out.join(""), { timeout: 5_000 }).toContain("Press Ctrl-C to stop.");
    const banner = out.join("");
    const baseUrl = /Base URL: (http:\/\/127\.0\.0\.1:\d+\/api\/v1)/.exec(banner)?.[1] ?? "";
    expect(baseUrl).not.toBe("");
    for (const [role, value] of Object.entries(DEMO.keys)) {
      expect(banner).toContain(role);
      expect(banner).toContain(value);
    }
    for (const clientId of Object.values(DEMO.clients)) expect(banner).toContain(clientId);
    expect(banner).toMatch(/scopes: \*/);
    expect(banner).toMatch(/posts:read/);

    const me = await request(`${baseUrl}/me`, { headers: { authorization: `Bearer ${DEMO.keys.directAll}` } });
    expect(me.statusCode).toBe(200);
    await me.body.text();

    signals.emit(signal);
    await running;
    expect(out.join("")).toContain("Sandbox stopped.");
    expect(process.exitCode).toBe(0);
    await expect(request(`${baseUrl}/me`)).rejects.toThrow();
    expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM")).toBe(0);
  });

  test("a port already in use → clear message, exit code 1", async () => {
    const out: string[] = [];
    const signals = new EventEmitter();
    const first = runSandboxCli(["--port", "0"], { stdout: (text) => out.push(text), stderr: () => undefined, signals });
    await expect.poll(() => out.join(""), { timeout: 5_000 }).toContain("Press Ctrl-C");
    const port = /127\.0\.0\.1:(\d+)/.exec(out.join(""))?.[1] ?? "";
    const errors: string[] = [];
    await runSandboxCli(["--port", port], { stdout: () => undefined, stderr: (text) => errors.push(text), signals: new EventEmitter() });
    expect(errors.join("")).toMatch(new RegExp(`port ${port} is already in use`));
    expect(process.exitCode).toBe(1);
    signals.emit("SIGINT");
    await first;
  });
});
