import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { describe, expect, test } from "vitest";
import { UNTRUSTED_NOTICE } from "../../src/safety/untrusted.js";
import { DEMO, HOSTILE_STRINGS, type Sandbox } from "../../src/sandbox/index.js";
import { INJECTION_CORPUS } from "../fixtures/injection-corpus.js";
import { useStacks } from "../fixtures/stack.js";
import { hiddenCharacterViolation, liveLeads, markupViolation, UNTRUSTED_MARKER } from "../safety-e2e/helpers.js";

/**
 * Prompts and resources hand the model what the tools hand it: the injection corpus in the
 * leads' strings stays inside untrusted-data markers (or is withheld), and a key or signed URL
 * in a post never comes back.
 */
let sandbox: Sandbox;
const stack = useStacks((started) => {
  sandbox = started;
});

const direct = DEMO.users.direct;
const HOSTILE_TEXTS: readonly string[] = [...INJECTION_CORPUS.map((entry) => entry.text), ...HOSTILE_STRINGS];
const LEGITIMATE = new Set(INJECTION_CORPUS.filter((entry) => entry.legitimate === true).map((entry) => entry.text));

/** A wrapped block (raw or inside JSON, where its quotes and newlines are escaped). */
const UNTRUSTED_BLOCK = /<untrusted-data id=\\?"([0-9a-f]{24})\\?"[^>]*>[\s\S]*?<\/untrusted-data id=\\?"\1\\?">/g;

async function everyText(client: Client, leadMagnetId: string, postId: string): Promise<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const prompt of (await client.listPrompts()).prompts) {
    const args: Record<string, string> =
      prompt.name === "draft_post" ? { topic: "hiring", lead_magnet_id: leadMagnetId } : prompt.name === "plan_week" ? { start_date: new Date().toISOString().slice(0, 10), time_zone: "UTC" } : {};
    const result = await client.getPrompt({ name: prompt.name, arguments: args });
    texts[`prompt ${prompt.name}`] = result.messages.map((message) => (message.content.type === "text" ? message.content.text : "")).join("\n");
  }
  const uris = [...(await client.listResources()).resources.map((resource) => resource.uri).filter((uri) => uri.startsWith("leadpanther://")), `leadpanther://posts/${postId}`, `leadpanther://lead-magnets/${leadMagnetId}`];
  for (const uri of uris) {
    const result = await client.readResource({ uri });
    texts[`resource ${uri}`] = result.contents.map((part) => ("text" in part ? part.text : "")).join("\n");
  }
  return texts;
}

describe("prompts and resources: third-party text and secrets", () => {
  for (const mode of ["sanitized", "redact"] as const) {
    test(`${mode}: the corpus in the leads' names, headlines and form names never appears outside untrusted markers`, async () => {
      const magnet = sandbox.store.leadMagnetsOf(direct)[0];
      const post = sandbox.store.postsOf(direct)[0];
      // What the prompts say with the seed's own leads: runs found there are the server's words
      // or the account's own text, not a leak.
      const baseline = Object.values(await everyText((await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_ACTIVITY_CONTENT: mode } })).client, String(magnet?.id), String(post?.id))).join("\n");
      const leads = liveLeads(sandbox, direct);
      leads.forEach((lead, index) => {
        lead.name = HOSTILE_TEXTS[index % HOSTILE_TEXTS.length] ?? "";
        lead.headline = HOSTILE_TEXTS[(index + 11) % HOSTILE_TEXTS.length] ?? null;
        lead.form_name = HOSTILE_TEXTS[(index + 23) % HOSTILE_TEXTS.length] ?? null;
        lead.qualification_status = "qualified";
        lead.has_intent = true;
      });
      expect(leads.length * 3).toBeGreaterThanOrEqual(HOSTILE_TEXTS.length);
      const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_ACTIVITY_CONTENT: mode } });
      const texts = await everyText(s.client, String(magnet?.id), String(post?.id));
      const followUp = texts["prompt follow_up_leads"] ?? "";
      expect(followUp).toContain(`${leads.length} lead(s):`);
      if (mode === "sanitized") expect(followUp).toContain(UNTRUSTED_NOTICE);
      // The leads are exactly what list_leads shows the model (shaped the same way, in the same mode).
      const toolLeads = (await s.call("list_leads", { limit: 100 })).structuredContent as { data: unknown[] };
      // Each call draws new random marker ids; the rest is the same.
      const withoutIds = (json: string) => json.replace(/id=\\"[0-9a-f]{24}\\"/g, 'id=\\"…\\"');
      expect(withoutIds(followUp.split("\n").at(-1) ?? "")).toBe(withoutIds(JSON.stringify(toolLeads.data)));
      for (const [where, text] of Object.entries(texts)) {
        const outside = text.replace(UNTRUSTED_BLOCK, "");
        const withoutMarkers = text.replace(UNTRUSTED_MARKER, "").replaceAll(UNTRUSTED_NOTICE, "");
        expect(hiddenCharacterViolation(withoutMarkers), where).toBeUndefined();
        expect(markupViolation(withoutMarkers), where).toBeUndefined();
        for (const hostile of HOSTILE_TEXTS) {
          // In redact mode the tools show lead names sanitized but unwrapped (src/safety/redact.ts):
          // the prompt shows them as list_leads does (checked above), the markers are sanitized mode's.
          if (LEGITIMATE.has(hostile) || hostile.length < 12 || (mode === "redact" && where === "prompt follow_up_leads")) continue;
          for (let index = 0; index + 12 <= hostile.length; index += 6) {
            const run = hostile.slice(index, index + 12);
            if (!/[A-Za-z]{4}/.test(run) || baseline.includes(run)) continue;
            expect(outside.includes(run) || outside.includes(JSON.stringify(run).slice(1, -1)), `${where}: ${JSON.stringify(run)} outside the markers`).toBe(false);
          }
        }
      }
    });
  }

  test("a key and a signed URL in a post's text and a lead's name are scrubbed from every prompt and resource", async () => {
    const signedUrl = `${sandbox.origin}/storage/v1/object/upload/sign/content-images/a.png?token=abcdefghijklmnop`;
    const secretText = `My key is ${DEMO.keys.directAll} and ${signedUrl}`;
    const lead = liveLeads(sandbox, direct)[0];
    if (lead) lead.name = secretText;
    const s = await stack({ key: DEMO.keys.directAll, env: { LEADPANTHER_ACTIVITY_CONTENT: "sanitized" } });
    // A scheduled post written with the key in it: in the calendar, plan_week and its own resource.
    const created = await s.call("create_post", { text: secretText, scheduled_at: new Date(Date.now() + 3_600_000).toISOString() });
    const postId = (created.structuredContent as { data: { id: string } }).data.id;
    const texts = await everyText(s.client, String(sandbox.store.leadMagnetsOf(direct)[0]?.id), postId);
    expect(texts[`resource leadpanther://posts/${postId}`]).toContain("[REDACTED]");
    expect(texts["resource leadpanther://calendar"]).toContain(postId);
    expect(texts["resource leadpanther://calendar"]).toContain("My key is [REDACTED]");
    for (const [where, text] of Object.entries(texts)) {
      expect(text, where).not.toContain(DEMO.keys.directAll);
      expect(text, where).not.toContain("token=abcdefghijklmnop");
    }
    for (const completion of await s.client.complete({ ref: { type: "ref/resource", uri: "leadpanther://posts/{post_id}" }, argument: { name: "post_id", value: "My key" } }).then((r) => r.completion.values)) {
      expect(completion).not.toContain(DEMO.keys.directAll);
    }
  });
});
