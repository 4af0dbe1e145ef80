// tools/list size (issue 11): bytes and estimated tokens of each tool's definition as a client
// receives it, for the `*` key (direct) and an agency key. Targets: `*` ≤ 16 KB (stretch 12 KB),
// agency ≤ 18 KB. test/server/tool-budget.test.ts holds each tool to its budget.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { estimateTokens } from "../dist/find/tokens.js";
import { loadConfig } from "../dist/config.js";
import { startRuntime } from "../dist/runtime.js";
import { createMcpServer } from "../dist/server.js";
import { DEMO, startSandbox } from "../dist/sandbox/index.js";

const TARGETS = { direct: 16 * 1024, agency: 18 * 1024 };

async function listFor(sandbox, key) {
  const runtime = await startRuntime(loadConfig([], { LEADPANTHER_API_KEY: key, LEADPANTHER_BASE_URL: sandbox.baseUrl, LEADPANTHER_LOG_LEVEL: "error" }));
  const server = createMcpServer(runtime.context, { followAccess: false });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(clientSide);
  const { tools } = await client.listTools();
  await client.close();
  await runtime.close();
  return tools;
}

const sandbox = await startSandbox();
let failed = false;
for (const [variant, key] of [["direct", DEMO.keys.directAll], ["agency", DEMO.keys.agency]]) {
  const tools = await listFor(sandbox, key);
  const total = Buffer.byteLength(JSON.stringify({ tools }));
  console.log(`\ntools/list, ${variant} key: ${tools.length} tools, ${total} bytes (~${estimateTokens(JSON.stringify({ tools }))} tokens); target ≤ ${TARGETS[variant]} bytes`);
  console.log("tool".padEnd(28) + "bytes".padStart(7) + "tokens".padStart(8));
  for (const tool of tools) {
    const json = JSON.stringify(tool);
    console.log(tool.name.padEnd(28) + String(Buffer.byteLength(json)).padStart(7) + String(estimateTokens(json)).padStart(8));
  }
  if (total > TARGETS[variant]) failed = true;
}
await sandbox.close();
process.exit(failed ? 1 : 0);
