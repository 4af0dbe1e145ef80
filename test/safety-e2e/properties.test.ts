import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CATALOG } from "../../src/catalog.js";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { INJECTION_CORPUS } from "../fixtures/injection-corpus.js";
import { startStack, type Stack } from "../fixtures/stack.js";
import { malformedResult } from "./helpers.js";

/**
 * Random and hostile arguments for every tool in the catalog, sent through the real MCP client
 * (as JSON, the way stdio carries them): wrong types, huge strings, odd Unicode, deep nesting,
 * `__proto__` / `constructor` / `prototype` keys, arrays for objects, null, numbers out of range.
 * Whatever arrives, the answer is a well-formed CallToolResult — never a protocol error, never an
 * unhandled rejection — and the server keeps answering.
 */

const RUNS_PER_TOOL = 200;
const direct = DEMO.users.direct;

let sandbox: Sandbox;
let s: Stack;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  sandbox = await startSandbox();
  s = await startStack({ sandbox, key: DEMO.keys.directAll, env: { LEADPANTHER_CONFIRM_DESTRUCTIVE: "false" } });
  // The client validates structuredContent against the output schemas it has listed.
  await s.client.listTools();
});
afterAll(async () => {
  await s.close();
  await sandbox.close();
  process.off("unhandledRejection", onUnhandled);
});

// ---------------------------------------------------------------------------------------
// Arbitraries

const HOSTILE_KEYS = [
  "__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "__defineGetter__",
  "then", "length", "", " ", "\u0000", "\u202E", "a.b", "[0]", "client_id", "post_id", "lead_magnet_id",
  "path", "text", "limit", "offset", "images", "hosted_page", "file_path", "content_base64",
];
const hostileKey = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ unit: "binary", maxLength: 12 }));

const SHORT_CORPUS = INJECTION_CORPUS.filter((entry) => entry.text.length < 2_000).map((entry) => entry.text);
const HUGE_UNITS = ["x", "é", "😀", "\u200B", "<a>", "![x](y)", "\u202E", "lp_live_", "%00", "../", "\\", "\"", "\n"];
/** Up to ~100 KB; the cut may split a surrogate pair on purpose. */
const hugeString = fc
  .tuple(fc.constantFrom(...HUGE_UNITS), fc.integer({ min: 1_000, max: 100 * 1024 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SHORT_CORPUS) },
  { weight: 1, arbitrary: hugeString },
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1, 99, 100, 101, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 0.5, 1e21),
);
const leaf: fc.Arbitrary<unknown> = fc.oneof(hostileText, hostileNumber, fc.boolean(), fc.constant(null));

/** An object whose keys are own data properties, `__proto__` included (as JSON.parse makes them). */
function ownObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** A value nested `depth` levels deep in arrays, objects or both. */
function nest(value: unknown, depth: number, shape: "array" | "object" | "mixed", key: string): unknown {
  let current = value;
  for (let level = 0; level < depth; level++) {
    const asArray = shape === "array" || (shape === "mixed" && level % 2 === 0);
    current = asArray ? [current] : ownObject([[key, current]]);
  }
  return current;
}

const deep = fc
  .tuple(fc.integer({ min: 1, max: 50 }), leaf, fc.constantFrom("array", "object", "mixed") as fc.Arbitrary<"array" | "object" | "mixed">, hostileKey)
  .map(([depth, value, shape, key]) => nest(value, depth, shape, key));

const tree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    leaf,
    fc.array(tie("node"), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie("node")), { maxLength: 4 }).map(ownObject),
  ),
})).node;

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: deep },
  { weight: 2, arbitrary: tree },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3, maxKeys: 4 }) },
);

/** Values that pass some of the schemas, so that the hostile ones travel further in. */
function nearValidValues(): fc.Arbitrary<unknown> {
  const posts = sandbox.store.postsOf(direct);
  const magnets = sandbox.store.leadMagnetsOf(direct);
  const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const mediaPath = `${direct}/images/api-v1/00000000-0000-4000-8000-000000000abc.png`;
  return fc.constantFrom<unknown>(
    ...posts.slice(0, 12).map((post) => post.id),
    ...magnets.slice(0, 4).map((magnet) => magnet.id),
    "00000000-0000-4000-8000-00000000dead",
    "00000000-0000-4000-8000-00000000DEAD",
    DEMO.clients.full,
    mediaPath,
    [mediaPath],
    ["https://example.com/a.png"],
    "https://example.com/a.pdf",
    future,
    "2020-01-01T00:00:00.000Z",
    "external_link",
    "hosted_content",
    "gated_external",
    "draft",
    "published",
    "GUIDE",
    "Book a call",
    { headline: "Get it", content: "Step 1" },
    { external_resource_url: "https://example.com/r.pdf" },
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "dot.png",
    "image/png",
    "application/pdf",
    "/etc/passwd",
    "../../../../etc/passwd",
    "C:\\Windows\\win.ini",
    1,
    50,
    100,
    0,
    "A short post",
  );
}

const TINY_PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** Arguments each tool accepts (for the direct key), to start mutations from. */
function validArguments(tool: string): Record<string, unknown> {
  const draft = sandbox.store.postsOf(direct).find((post) => post.status === "draft")?.id;
  const magnet = sandbox.store.leadMagnetsOf(direct)[0]?.id;
  switch (tool) {
    case "get_client":
      return { client_id: DEMO.clients.full };
    case "get_post":
    case "get_post_engagement":
    case "delete_post":
      return { post_id: draft };
    case "update_post":
      return { post_id: draft, notes: "A note" };
    case "create_post":
      return { text: "A short post" };
    case "get_lead_magnet":
    case "get_lead_magnet_analytics":
    case "archive_lead_magnet":
      return { lead_magnet_id: magnet };
    case "update_lead_magnet":
      return { lead_magnet_id: magnet, title: "A better title" };
    case "create_lead_magnet":
      return { title: "A guide", delivery_mode: "external_link", resource_link: "https://example.com/guide.pdf" };
    case "upload_media":
      return { content_base64: TINY_PNG_BASE64, file_name: "dot.png" };
    case "delete_media":
      return { path: `${direct}/images/api-v1/00000000-0000-4000-8000-000000000abc.png` };
    case "list_clients":
    case "list_posts":
    case "list_lead_magnets":
    case "list_leads":
    case "list_activity":
      return { limit: 10 };
    default:
      return {};
  }
}

/**
 * A valid call with one to three fields replaced: by hostile text of the right type (so that it
 * travels to the sandbox and back), by a near-valid value, or by anything at all.
 */
function mutatedValidArguments(tool: string, fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const base = validArguments(tool);
  const replacement = fc.oneof(
    { weight: 3, arbitrary: hostileText },
    { weight: 1, arbitrary: nearValidValues() },
    { weight: 1, arbitrary: hostileValue },
  );
  if (fields.length === 0) return fc.constant(base);
  const merged = (changes: readonly (readonly [string, unknown])[]): Record<string, unknown> => {
    const entries = new Map<string, unknown>(Object.entries(base));
    for (const [key, value] of changes) entries.set(key, value);
    return ownObject([...entries]);
  };
  const freeText = FREE_TEXT_FIELDS.filter((field) => fields.includes(field));
  return fc.oneof(
    fc.array(fc.tuple(fc.constantFrom(...fields), replacement), { maxLength: 3 }).map(merged),
    // Hostile text where the schema takes free text: these travel to the sandbox and back.
    freeText.length === 0
      ? fc.constant(base)
      : fc.array(fc.tuple(fc.constantFrom(...freeText), hostileText), { minLength: 1, maxLength: 2 }).map(merged),
  );
}

/** Fields whose schema accepts (almost) any text. */
const FREE_TEXT_FIELDS = ["text", "notes", "title", "keyword", "cta_label", "file_name"];

/** The arguments object for a tool with these input fields: mostly its own fields, hostile values. */
function argumentsFor(fields: readonly string[], tool = ""): fc.Arbitrary<Record<string, unknown>> {
  const nearOrHostile = fc.oneof({ weight: 2, arbitrary: nearValidValues() }, { weight: 3, arbitrary: hostileValue });
  const randomEntries = fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 3 });
  if (fields.length === 0) {
    return fc.oneof(fc.constant({}), randomEntries.map(ownObject));
  }
  const ownEntries = (values: fc.Arbitrary<unknown>): fc.Arbitrary<[string, unknown][]> =>
    fc.uniqueArray(fc.constantFrom(...fields), { maxLength: fields.length }).chain((chosen) =>
      fc.tuple(...chosen.map((field) => values.map((value): [string, unknown] => [field, value]))),
    );
  return fc.oneof(
    { weight: 4, arbitrary: mutatedValidArguments(tool, fields) },
    { weight: 3, arbitrary: ownEntries(hostileValue).map(ownObject) },
    { weight: 3, arbitrary: ownEntries(nearOrHostile).map(ownObject) },
    { weight: 1, arbitrary: fc.tuple(ownEntries(nearOrHostile), randomEntries).map(([own, extra]) => ownObject([...own, ...extra])) },
    { weight: 1, arbitrary: randomEntries.map(ownObject) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...fields), deep).map(([field, value]) => ownObject([[field, value]])) },
  );
}

/** What stdio would deliver: the arguments as JSON, parsed again (NaN → null, undefined gone, own __proto__ kept). */
function overTheWire(args: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(args)) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------

async function expectWellFormed(name: string, args: Record<string, unknown>): Promise<void> {
  // The call must resolve: a protocol error would reject here and fail the property.
  const result: unknown = await s.client.callTool({ name, arguments: args });
  const problem = malformedResult(result);
  if (problem !== undefined) throw new Error(`${name}: ${problem}: ${JSON.stringify(result).slice(0, 300)}`);
  if (JSON.stringify(result).includes(DEMO.keys.directAll)) throw new Error(`${name}: the API key is in the result`);
}

describe("every tool, random and hostile arguments through the real MCP client", () => {
  for (const op of CATALOG) {
    test(`${op.name}: ${RUNS_PER_TOOL} runs, always a well-formed result, no protocol error, no unhandled rejection`, async () => {
      sandbox.reset();
      const { tools } = await s.client.listTools();
      const tool = tools.find((candidate) => candidate.name === op.name);
      expect(tool, `${op.name} is listed`).toBeDefined();
      const fields = Object.keys(tool?.inputSchema.properties ?? {});
      const before = unhandled.length;
      sandbox.clearRequests();
      await fc.assert(
        fc.asyncProperty(argumentsFor(fields, op.name), async (args) => {
          await expectWellFormed(op.name, overTheWire(args));
        }),
        { numRuns: RUNS_PER_TOOL },
      );
      // Not vacuous: a share of the runs passed the schema and went over the wire.
      expect(sandbox.requests().length, `${op.name}: requests that reached the sandbox`).toBeGreaterThanOrEqual(5);
      // Let any stray promise settle before counting.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled.slice(before)).toEqual([]);
      const names = (await s.client.listTools()).tools.map((candidate) => candidate.name);
      expect(names).toEqual(CATALOG.map((candidate) => candidate.name));
    });
  }

  test(`tool names: ${RUNS_PER_TOOL} random and hostile names are explained, never a protocol error`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileText, fc.constantFrom(...HOSTILE_KEYS)), argumentsFor([]), async (name, args) => {
        await expectWellFormed(name, overTheWire(args));
      }),
      { numRuns: RUNS_PER_TOOL },
    );
    expect(unhandled).toEqual([]);
  });

  test("afterwards the server still answers tools/list and a plain call", async () => {
    sandbox.reset();
    expect((await s.client.listTools()).tools).toHaveLength(CATALOG.length);
    const result = await s.call("get_api_info");
    expect(result.isError).toBeFalsy();
    expect(unhandled).toEqual([]);
  });
});

/** Inputs the random runs once found, kept so that each stays fixed. */
const FOUND_BEFORE: readonly { name: string; args: Record<string, unknown> }[] = [
  // An object whose `toString` is not a function cannot be turned into text: describing it once
  // threw "Cannot convert object to primitive value", a protocol error instead of a field error.
  { name: "list_activity", args: { offset: "10010000-0000-4000-8000-000000000001", max_scan: [0], source: { length: [{ toString: 0 }] } } },
  { name: "list_leads", args: { query: { toString: 0 }, keyword: { valueOf: 0, toString: 0 } } },
  { name: "create_post", args: { text: { toString: 0 }, scheduled_at: { toString: 0 } } },
];

/** Calls a tool on a fresh sandbox; the answer must be a refusal of the input with nothing sent. Returns its text. */
async function refusedBeforeSending(name: string, args: Record<string, unknown>): Promise<string> {
  sandbox.reset();
  sandbox.clearRequests();
  const result = (await s.client.callTool({ name, arguments: args })) as { isError?: boolean; content: { type: string; text: string }[] };
  expect(malformedResult(result)).toBeUndefined();
  expect(result.isError).toBe(true);
  expect(result.content[0]?.text).toMatch(/invalid input, nothing was sent/);
  expect(sandbox.requests()).toEqual([]);
  return result.content[0]?.text ?? "";
}

describe("inputs the random runs found before", () => {
  for (const { name, args } of FOUND_BEFORE) {
    test(`${name} ${JSON.stringify(args).slice(0, 80)}: a field-level error, no protocol error`, async () => {
      const text = await refusedBeforeSending(name, args);
      for (const field of Object.keys(args)) expect(text).toContain(`- ${field}:`);
    });
  }
});

describe("a media path holding a lone surrogate", () => {
  // No path upload_media returns holds half a character, and one cannot be URL-encoded:
  // delete_media's ?path= once threw URIError and answered "failed inside leadpanther-mcp".
  const broken = `${direct}/images/api-v1/00000000-0000-4000-8000-000000000abc\ud800.png`;
  const CASES: readonly { name: string; field: string; args: Record<string, unknown> }[] = [
    { name: "delete_media", field: "path", args: { path: broken } },
    { name: "create_post", field: "images[0]", args: { text: "A short post", images: [broken] } },
    { name: "create_post", field: "document_url", args: { text: "A short post", document_url: broken } },
  ];
  for (const { name, field, args } of CASES) {
    test(`${name} ${field}: a field-level error, nothing is sent`, async () => {
      expect(await refusedBeforeSending(name, args)).toContain(`- ${field}: must be`);
    });
  }
});

describe("an object with a length that cannot be compared, in every field of every tool", () => {
  // A length check runs on whatever has a `length`, and comparing `[{toString: 0}]` with a
  // number throws: each field must still answer with a field-level error.
  const UNCOMPARABLE: readonly unknown[] = [{ length: [{ toString: 0 }] }, { length: { valueOf: 0, toString: 0 } }];
  for (const op of CATALOG) {
    test(`${op.name}: each field is named, nothing is sent`, async () => {
      sandbox.reset();
      sandbox.clearRequests();
      const { tools } = await s.client.listTools();
      const fields = Object.keys(tools.find((candidate) => candidate.name === op.name)?.inputSchema.properties ?? {});
      for (const field of fields) {
        for (const value of UNCOMPARABLE) {
          const result = (await s.client.callTool({ name: op.name, arguments: { ...validArguments(op.name), [field]: value } })) as {
            isError?: boolean;
            content: { type: string; text: string }[];
          };
          expect(malformedResult(result), `${op.name}.${field}`).toBeUndefined();
          expect(result.isError, `${op.name}.${field}`).toBe(true);
          expect(result.content[0]?.text, `${op.name}.${field}`).toContain(`- ${field}:`);
        }
      }
      expect(sandbox.requests()).toEqual([]);
    });
  }
});

describe("arguments that are not an object at all", () => {
  const NOT_OBJECTS: readonly unknown[] = [[], [1, 2], null, "text", 5, true];

  // The SDK's Server validates tools/call against the MCP schema (arguments is an object)
  // before any handler runs and answers JSON-RPC -32602 Invalid params: the protocol's own
  // answer to a malformed request, which clients surface as an error.
  test("each is refused with JSON-RPC -32602 Invalid params, nothing reaches the sandbox, and the server keeps answering", async () => {
    sandbox.reset();
    for (const args of NOT_OBJECTS) {
      await expect(s.client.callTool({ name: "create_post", arguments: args as Record<string, unknown> })).rejects.toThrow(/MCP error -32602/);
    }
    expect(sandbox.requests()).toEqual([]);
    expect((await s.client.listTools()).tools).toHaveLength(CATALOG.length);
    expect((await s.call("get_api_info")).isError).toBeFalsy();
    expect(unhandled).toEqual([]);
  });
});
