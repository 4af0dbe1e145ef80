import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO, startSandbox, type Sandbox } from "../../src/sandbox/index.js";

/**
 * Prompts, resources and completions over stdio with the shipped CLI, for each kind of key:
 * everything listed can be fetched, every completion answers, and no key is in any of it.
 */
const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

async function withServer(env: Record<string, string>, run: (client: Client) => Promise<void>): Promise<void> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: { PATH: process.env.PATH ?? "", LEADPANTHER_BASE_URL: sandbox.baseUrl, LEADPANTHER_LOG_LEVEL: "error", ...env },
    stderr: "pipe",
  });
  const client = new Client({ name: "prompts-stdio", version: "1.0.0" });
  await client.connect(transport);
  try {
    await run(client);
  } finally {
    await client.close();
  }
}

/** A first id from the raw API, to fill a template with. */
async function firstId(key: string, path: string): Promise<string> {
  const response = await fetch(`${sandbox.baseUrl}${path}?limit=1`, { headers: { authorization: `Bearer ${key}` } });
  return ((await response.json()) as { data: { id: string }[] }).data[0]?.id ?? "";
}

const KEYS = [
  { label: "direct", key: DEMO.keys.directAll, env: {}, prompts: 4, client: undefined },
  { label: "read-only", key: DEMO.keys.directRead, env: { LEADPANTHER_READ_ONLY: "true" }, prompts: 4, client: undefined },
  { label: "narrow (posts:read)", key: DEMO.keys.directPostsRead, env: {}, prompts: 3, client: undefined },
  { label: "agency", key: DEMO.keys.agency, env: {}, prompts: 4, client: DEMO.clients.full },
  { label: "pinned", key: DEMO.keys.agency, env: { LEADPANTHER_CLIENT_ID: DEMO.clients.full }, prompts: 4, client: undefined },
] as const;

describe("prompts and resources over stdio", () => {
  for (const { label, key, env, prompts, client: agencyClient } of KEYS) {
    test(`${label}: list and get every prompt and resource, ask every completion`, async () => {
      await withServer({ LEADPANTHER_API_KEY: key, ...env }, async (client) => {
        const listed = (await client.listPrompts()).prompts;
        expect(listed).toHaveLength(prompts);
        const seen: string[] = [];
        const pinnedOrDirectPrefix = label === "pinned" ? `/clients/${DEMO.clients.full}` : "";
        const prefix = agencyClient ? `/clients/${agencyClient}` : pinnedOrDirectPrefix;
        const today = new Date().toISOString().slice(0, 10);
        for (const prompt of listed) {
          const args: Record<string, string> = {
            ...(prompt.name === "draft_post" ? { topic: "hiring" } : {}),
            ...(prompt.name === "plan_week" ? { start_date: today, time_zone: "Europe/Berlin" } : {}),
            ...(agencyClient ? { client_id: agencyClient } : {}),
          };
          const result = await client.getPrompt({ name: prompt.name, arguments: args });
          const text = result.messages.map((message) => (message.content.type === "text" ? message.content.text : "")).join("\n");
          expect(text.length, prompt.name).toBeGreaterThan(50);
          seen.push(text);
          for (const argument of prompt.arguments ?? []) {
            const completion = await client.complete({ ref: { type: "ref/prompt", name: prompt.name }, argument: { name: argument.name, value: "" }, ...(agencyClient ? { context: { arguments: { client_id: agencyClient } } } : {}) });
            expect(Array.isArray(completion.completion.values)).toBe(true);
            // Keywords and lead magnets come from list_lead_magnets, which a posts:read key cannot call.
            const fromLeadMagnets = argument.name === "keyword" || argument.name === "lead_magnet_id";
            if (["client_id", "time_zone"].includes(argument.name) || (fromLeadMagnets && key !== DEMO.keys.directPostsRead)) {
              expect(completion.completion.values.length, `${prompt.name}.${argument.name}`).toBeGreaterThan(0);
            } else if (fromLeadMagnets) {
              expect(completion.completion.values, `${prompt.name}.${argument.name} is scope-aware`).toEqual([]);
            }
          }
        }
        for (const resource of (await client.listResources()).resources) {
          if (!resource.uri.startsWith("leadpanther://")) continue;
          const read = await client.readResource({ uri: resource.uri });
          seen.push(read.contents.map((part) => ("text" in part ? part.text : "")).join("\n"));
        }
        // Ids are read with a key of the same account that may read every collection.
        const rawKey = key === DEMO.keys.directPostsRead ? DEMO.keys.directAll : key;
        const postId = await firstId(rawKey, `${prefix}/posts`);
        const leadMagnetId = await firstId(rawKey, `${prefix}/lead-magnets`);
        for (const template of (await client.listResourceTemplates()).resourceTemplates) {
          const uri = template.uriTemplate.replace("{client_id}", agencyClient ?? "").replace("{post_id}", postId).replace("{lead_magnet_id}", leadMagnetId);
          const read = await client.readResource({ uri });
          const text = read.contents.map((part) => ("text" in part ? part.text : "")).join("\n");
          expect(text, uri).not.toContain("is not available");
          seen.push(text);
          for (const variable of template.uriTemplate.match(/\{(\w+)\}/g) ?? []) {
            const name = variable.slice(1, -1);
            const completion = await client.complete({ ref: { type: "ref/resource", uri: template.uriTemplate }, argument: { name, value: "" }, ...(agencyClient ? { context: { arguments: { client_id: agencyClient } } } : {}) });
            expect(completion.completion.values.length, `${template.uriTemplate} ${name}`).toBeGreaterThan(0);
          }
        }
        for (const text of seen) expect(text).not.toContain(key);
      });
    });
  }
});
