/**
 * Test helpers: one undici Agent per test file and a small `call` that sends a request to the
 * sandbox and parses the envelope. Everything goes over real HTTP on 127.0.0.1.
 */
import { Agent, request } from "undici";
import type { IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { ERROR_STATUS, type ErrorCode } from "../../src/contract.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";

export interface Pagination {
  limit: number;
  offset: number;
  has_more: boolean;
}

/** The §6 envelope, success or error; `data` typed by the caller. */
export interface Body<T> {
  data: T;
  pagination?: Pagination;
  error?: { code: string; message: string };
  request_id: string;
}

export interface CallResult<T> {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Body<T>;
}

export interface CallOptions {
  /** Bearer key; null sends no Authorization header. */
  key?: string | null;
  /** Serialised as JSON with Content-Type application/json. */
  body?: unknown;
  /** Sent as is (with `headers` deciding the Content-Type). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export const REQUEST_ID_SHAPE = /^req_[A-Za-z0-9]{24}$/;

/**
 * One sandbox and one Agent for a test file: started before its tests, closed after them, and
 * (with `reset`) back to the seed before each test. `onStart` receives the sandbox.
 */
export function useSandbox(onStart: (sandbox: Sandbox) => void, options: { reset?: boolean } = {}): Agent {
  const agent = makeAgent();
  let started: Sandbox | undefined;
  beforeAll(async () => {
    started = await startSandbox();
    onStart(started);
  });
  afterAll(async () => {
    await agent.close();
    await started?.close();
  });
  if (options.reset ?? true) beforeEach(() => started?.reset());
  return agent;
}

/** An error answer with the contract's status for its code (§8) and a message. */
export function expectError<T>(result: CallResult<T>, code: ErrorCode): void {
  expect({ status: result.status, code: result.json.error?.code }).toEqual({ status: ERROR_STATUS[code], code });
  expect(typeof result.json.error?.message).toBe("string");
}

export function makeAgent(): Agent {
  return new Agent({ keepAliveTimeout: 2_000, connections: 32 });
}

export async function call<T = Record<string, unknown>>(
  sandbox: Sandbox,
  agent: Agent,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined && options.key !== null) headers["authorization"] = `Bearer ${options.key}`;
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await request(`${sandbox.baseUrl}${path}`, {
    method: method as "GET",
    headers,
    body,
    dispatcher: agent,
  });
  const text = await response.body.text();
  let json: Body<T>;
  try {
    json = (text === "" ? {} : JSON.parse(text)) as Body<T>;
  } catch {
    json = {} as Body<T>;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** Asserts nothing; returns the error code and message of an error envelope for expect(). */
export function errorOf<T>(result: CallResult<T>): { status: number; code: string | undefined } {
  return { status: result.status, code: result.json.error?.code };
}
