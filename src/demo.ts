import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/**
 * `npm run demo`: spawns the server over stdio with --sandbox (no key needed), drives it with
 * the MCP SDK's Client the way an assistant would, and prints a readable transcript.
 */

const CLI = fileURLToPath(new URL("./cli.js", import.meta.url));

function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function firstLine(result: CallToolResult): string {
  const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
  return text.split("\n")[0] ?? "";
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  say(`\n> ${name} ${JSON.stringify(args)}`);
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

async function main(): Promise<void> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "--sandbox"],
    env: { ...process.env, LEADPANTHER_LOG_LEVEL: "warn" } as Record<string, string>,
    stderr: "inherit",
  });
  const client = new Client({ name: "leadpanther-mcp-demo", version: "1.0.0" });
  await client.connect(transport);
  say("leadpanther-mcp demo — the server runs over stdio against its bundled sandbox (invented data, no key).");

  const { tools } = await client.listTools();
  say(`\n${tools.length} tools: ${tools.map((tool) => tool.name).join(", ")}`);

  const draft = await call(client, "create_post", { text: "Three lessons from shipping our first lead magnet. 🧵" });
  const post = (draft.structuredContent as { data: { id: string; status: string } }).data;
  say(`  → post ${post.id} created with status ${post.status}`);

  const invalid = await call(client, "create_post", {
    text: "",
    scheduled_at: "2020-01-01T09:00:00Z",
    images: ["https://example.com/a.png"],
    document_url: "https://example.com/deck.pdf",
  });
  say("  → refused before any request, one line per problem:");
  const problems = invalid.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
  for (const line of problems.split("\n")) say(`     ${line}`);

  const tomorrow = new Date(Date.now() + 24 * 3_600_000);
  tomorrow.setUTCHours(9, 0, 0, 0);
  const scheduled = await call(client, "create_post", { text: "Our guide is live — comment GUIDE to get it.", scheduled_at: tomorrow.toISOString() });
  const scheduledPost = (scheduled.structuredContent as { data: { status: string; scheduled_at: string } }).data;
  say(`  → ${scheduledPost.status} for ${scheduledPost.scheduled_at}`);

  const leads = await call(client, "list_leads", { limit: 3 });
  say(`  → ${firstLine(leads)}`);
  // List results are concise by default: the fields a person asks about (src/find/concise.ts).
  for (const lead of (leads.structuredContent as { data: { name?: string; keyword?: string; qualification_status?: string }[] }).data) {
    say(`     • ${String(lead.name).slice(0, 60)} — keyword ${lead.keyword ?? "none"}, ${lead.qualification_status ?? "not qualified yet"}`);
  }

  const activity = await call(client, "list_activity", { limit: 4 });
  say(`  → ${firstLine(activity)}`);
  for (const item of (activity.structuredContent as { data: { source?: string; author?: string; content?: string }[] }).data) {
    say(`     • ${item.source ?? "activity"} by ${(item.author ?? "someone").slice(0, 40)}: ${(item.content ?? "(no text)").slice(0, 70)}`);
  }
  say("\nComment and message text is redacted by default (LEADPANTHER_ACTIVITY_CONTENT=redact): strangers' words never reach the model as instructions.");

  await client.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
