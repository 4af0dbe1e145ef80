/**
 * Contract §12: the lead magnet object and rules 1–7, on create and on the merged state
 * after PATCH; §16 lead magnet analytics.
 */
import { describe, expect, test } from "vitest";
import { DELIVERY_MODES } from "../../src/contract.js";
import { DEMO, type LeadMagnet, type Sandbox } from "../../src/sandbox/index.js";
import { call, expectError, useSandbox, type CallResult } from "./helpers.js";

let sandbox: Sandbox;
const agent = useSandbox((started) => (sandbox = started));
const key: string = DEMO.keys.directAll;


const create = (body: unknown): Promise<CallResult<LeadMagnet>> => call<LeadMagnet>(sandbox, agent, "POST", "/lead-magnets", { key, body });
const patch = (id: string, body: unknown): Promise<CallResult<LeadMagnet>> => call<LeadMagnet>(sandbox, agent, "PATCH", `/lead-magnets/${id}`, { key, body });
const get = (id: string): Promise<CallResult<LeadMagnet>> => call<LeadMagnet>(sandbox, agent, "GET", `/lead-magnets/${id}`, { key });

const hosted = { title: "Outbound guide", keyword: "GUIDE", delivery_mode: "hosted_content", hosted_page: { headline: "The guide", content: "Step 1…" } };
const gated = { title: "Gated deck", delivery_mode: "gated_external", hosted_page: { external_resource_url: "https://files.example.com/deck.pdf" } };
const link = { title: "Link", delivery_mode: "external_link", resource_link: "https://docs.example.com/x" };

function magnetWith(mode: string, status: string): Readonly<LeadMagnet> {
  const found = sandbox.store.leadMagnetsOf(DEMO.users.direct).find((magnet) => magnet.delivery_mode === mode && magnet.status === status);
  if (found === undefined) throw new Error(`no ${status} ${mode} lead magnet in the seed`);
  return found;
}

describe("§12 seed and object", () => {
  test.each([DEMO.users.direct, DEMO.clients.full, DEMO.clients.postsRead])("§12 account %s has several lead magnets of each delivery mode", (userId) => {
    const magnets = sandbox.store.leadMagnetsOf(userId);
    for (const mode of DELIVERY_MODES) expect(magnets.filter((magnet) => magnet.delivery_mode === mode).length).toBeGreaterThanOrEqual(2);
  });

  test("§12 listed lead magnets have every field", async () => {
    const result = await call<LeadMagnet[]>(sandbox, agent, "GET", "/lead-magnets", { key });
    for (const magnet of result.json.data) {
      expect(Object.keys(magnet).sort()).toEqual(
        ["created_at", "cta_label", "cta_url", "delivery_mode", "hosted_page", "id", "keyword", "resource_link", "status", "title", "updated_at"].sort(),
      );
    }
  });
});

describe("§12 create: rules 1–6", () => {
  test("§12 a valid lead magnet of each delivery mode is created as a draft by default", async () => {
    for (const body of [hosted, gated, link]) {
      const result = await create(body);
      expect(result.status).toBe(201);
      expect(result.json.data).toMatchObject({ title: body.title, delivery_mode: body.delivery_mode, status: "draft" });
    }
  });

  test("§12 rule 1: delivery_mode must be one of the three → else 400", async () => {
    expectError(await create({ ...link, delivery_mode: "email" }), "bad_request");
    expectError(await create({ title: "no mode" }), "bad_request");
  });

  test.each(["hosted_content", "gated_external"])("§12 rule 2: %s needs a hosted_page → else 400", async (mode) => {
    expectError(await create({ title: "t", delivery_mode: mode }), "bad_request");
    expectError(await create({ title: "t", delivery_mode: mode, hosted_page: null }), "bad_request");
  });

  test("§12 rule 3: a published hosted_content needs non-empty content", async () => {
    expectError(await create({ ...hosted, status: "published", hosted_page: { headline: "h" } }), "bad_request");
    expectError(await create({ ...hosted, status: "published", hosted_page: { content: "   " } }), "bad_request");
    expect((await create({ ...hosted, status: "draft", hosted_page: { content: "" } })).status).toBe(201);
    expect((await create({ ...hosted, status: "published" })).status).toBe(201);
  });

  test("§12 rule 4: a published gated_external needs a valid external resource URL", async () => {
    expectError(await create({ ...gated, status: "published", hosted_page: { headline: "h" } }), "bad_request");
    expectError(await create({ ...gated, status: "published", hosted_page: { external_resource_url: "ftp://files.example.com/x" } }), "bad_request");
    expectError(await create({ ...gated, status: "draft", hosted_page: { external_resource_url: "not a url" } }), "bad_request");
    expect((await create({ ...gated, status: "published" })).status).toBe(201);
  });

  test("§12 rule 5: external_link needs a valid resource_link on create", async () => {
    expectError(await create({ title: "l", delivery_mode: "external_link" }), "bad_request");
    expectError(await create({ ...link, resource_link: "http://docs.example.com/x" }), "bad_request");
    expectError(await create({ ...link, resource_link: "docs.example.com/x" }), "bad_request");
  });

  test("§12 rule 6: cta_label and cta_url together or not at all", async () => {
    expectError(await create({ ...link, cta_label: "Book" }), "bad_request");
    expectError(await create({ ...link, cta_url: "https://cal.example.com" }), "bad_request");
    expect((await create({ ...link, cta_label: "Book", cta_url: "https://cal.example.com" })).status).toBe(201);
  });

  test.each([
    ["missing title", { delivery_mode: "external_link", resource_link: "https://docs.example.com/x" }],
    ["empty title", { ...link, title: "" }],
    ["201-character title", { ...link, title: "t".repeat(201) }],
    ["unknown field", { ...link, description: "x" }],
    ["unknown hosted_page field", { ...hosted, hosted_page: { content: "c", html: "<b>" } }],
    ["hosted_page as a string", { ...hosted, hosted_page: "page" }],
    ["status archived", { ...link, status: "archived" }],
    ["keyword as a number", { ...link, keyword: 5 }],
  ])("§12/§17 create with %s → 400", async (_label, body) => {
    expectError(await create(body), "bad_request");
  });

  test("§12 200-character title is accepted", async () => {
    expect((await create({ ...link, title: "t".repeat(200) })).status).toBe(201);
  });
});

describe("§12 update: rules checked on the merged state", () => {
  test("§12 PATCH title keeps everything else", async () => {
    const magnet = magnetWith("hosted_content", "published");
    const result = await patch(magnet.id, { title: "New title" });
    expect(result.status).toBe(200);
    expect(result.json.data).toEqual({ ...magnet, title: "New title", updated_at: result.json.data.updated_at });
  });

  test("§12 rule 1: PATCH delivery_mode to an unknown value → 400", async () => {
    expectError(await patch(magnetWith("external_link", "published").id, { delivery_mode: "pigeon" }), "bad_request");
  });

  test("§12 rule 2: switching external_link → hosted_content without a page → 400; with one → 200", async () => {
    const magnet = magnetWith("external_link", "draft");
    expectError(await patch(magnet.id, { delivery_mode: "hosted_content" }), "bad_request");
    const ok = await patch(magnet.id, { delivery_mode: "hosted_content", hosted_page: { content: "Body" } });
    expect(ok.status).toBe(200);
    expect(ok.json.data.hosted_page).toEqual({ headline: null, content: "Body", external_resource_url: null });
  });

  test("§12 rule 2: hosted_page null on a hosted_content magnet → 400", async () => {
    expectError(await patch(magnetWith("hosted_content", "draft").id, { hosted_page: null }), "bad_request");
  });

  test("§12 rule 3: publishing a hosted_content draft with empty content → 400", async () => {
    const created = await create({ ...hosted, hosted_page: { headline: "h" } });
    expectError(await patch(created.json.data.id, { status: "published" }), "bad_request");
    expect((await patch(created.json.data.id, { status: "published", hosted_page: { content: "Now filled" } })).json.data.hosted_page).toEqual({
      headline: "h",
      content: "Now filled",
      external_resource_url: null,
    });
  });

  test("§12 rule 3: clearing the content of a published hosted_content → 400", async () => {
    expectError(await patch(magnetWith("hosted_content", "published").id, { hosted_page: { content: null } }), "bad_request");
  });

  test("§12 rule 4: clearing the external URL of a published gated_external → 400", async () => {
    expectError(await patch(magnetWith("gated_external", "published").id, { hosted_page: { external_resource_url: null } }), "bad_request");
  });

  test("§12 rule 5: removing resource_link from an external_link → 400", async () => {
    expectError(await patch(magnetWith("external_link", "published").id, { resource_link: null }), "bad_request");
  });

  test("§12 rule 6: PATCH one of cta_label/cta_url alone → 400 when it breaks the pair", async () => {
    const withCta = sandbox.store.leadMagnetsOf(DEMO.users.direct).find((magnet) => magnet.cta_label !== null);
    const withoutCta = sandbox.store.leadMagnetsOf(DEMO.users.direct).find((magnet) => magnet.cta_label === null);
    if (withCta === undefined || withoutCta === undefined) throw new Error("seed lacks cta variety");
    expectError(await patch(withCta.id, { cta_label: null }), "bad_request");
    expectError(await patch(withoutCta.id, { cta_url: "https://cal.example.com" }), "bad_request");
    expect((await patch(withCta.id, { cta_label: "Say hi" })).status).toBe(200);
    expect((await patch(withCta.id, { cta_label: null, cta_url: null })).json.data.cta_url).toBeNull();
  });

  test("§17 PATCH with no field → 400; unknown field → 400; unknown id → 404", async () => {
    const magnet = magnetWith("external_link", "published");
    expectError(await patch(magnet.id, {}), "bad_request");
    expectError(await patch(magnet.id, { colour: "red" }), "bad_request");
    expectError(await patch(magnet.id, { title: null }), "bad_request");
    expectError(await patch("11111111-2222-4333-8444-555555555555", { title: "x" }), "not_found");
  });

  test("§12 a refused PATCH changes nothing", async () => {
    const magnet = magnetWith("external_link", "published");
    const before = { ...magnet };
    expectError(await patch(magnet.id, { title: "changed", resource_link: null }), "bad_request");
    expect((await get(magnet.id)).json.data).toEqual(before);
  });
});

describe("§12 rule 7: DELETE archives", () => {
  test("§12 rule 7: archived → gone from the list, GET/PATCH/DELETE/analytics read 404", async () => {
    const magnet = magnetWith("hosted_content", "published");
    const archived = await call(sandbox, agent, "DELETE", `/lead-magnets/${magnet.id}`, { key });
    expect(archived.status).toBe(200);
    expect(archived.json.data).toEqual({ id: magnet.id, archived: true });
    expectError(await get(magnet.id), "not_found");
    expectError(await patch(magnet.id, { title: "x" }), "not_found");
    expectError(await call(sandbox, agent, "DELETE", `/lead-magnets/${magnet.id}`, { key }), "not_found");
    expectError(await call(sandbox, agent, "GET", `/lead-magnets/${magnet.id}/analytics`, { key }), "not_found");
    const list = await call<LeadMagnet[]>(sandbox, agent, "GET", "/lead-magnets?limit=100", { key });
    expect(list.json.data.some((candidate) => candidate.id === magnet.id)).toBe(false);
    expect(sandbox.store.archivedLeadMagnetsOf(DEMO.users.direct).map((candidate) => candidate.id)).toContain(magnet.id);
  });

  test("§12 rule 7 on the agency route", async () => {
    const magnet = sandbox.store.leadMagnetsOf(DEMO.clients.full)[0];
    const path = `/clients/${DEMO.clients.full}/lead-magnets/${magnet?.id ?? ""}`;
    expect((await call(sandbox, agent, "DELETE", path, { key: DEMO.keys.agency })).status).toBe(200);
    expectError(await call(sandbox, agent, "GET", path, { key: DEMO.keys.agency }), "not_found");
  });
});

describe("§16 lead magnet analytics", () => {
  interface Analytics {
    lead_magnet_id: string;
    views: number;
    comments_matched: number;
    leads_captured: number;
    conversion_rate: number;
    updated_at: string;
  }

  test("§16 shape is exactly { lead_magnet_id, views, comments_matched, leads_captured, conversion_rate, updated_at }", async () => {
    const magnet = magnetWith("hosted_content", "published");
    const result = await call<Analytics>(sandbox, agent, "GET", `/lead-magnets/${magnet.id}/analytics`, { key });
    expect(Object.keys(result.json.data).sort()).toEqual(["comments_matched", "conversion_rate", "lead_magnet_id", "leads_captured", "updated_at", "views"]);
    expect(result.json.data.lead_magnet_id).toBe(magnet.id);
    expect(result.json.data.views).toBeGreaterThan(0);
    expect(result.json.data.conversion_rate).toBeCloseTo(result.json.data.leads_captured / result.json.data.views, 3);
  });

  test("§16 a new lead magnet has zero analytics", async () => {
    const created = await create(link);
    const result = await call<Analytics>(sandbox, agent, "GET", `/lead-magnets/${created.json.data.id}/analytics`, { key });
    expect(result.json.data).toMatchObject({ views: 0, comments_matched: 0, leads_captured: 0, conversion_rate: 0 });
  });

  test("§16 analytics of a lead magnet of another account → 404", async () => {
    const other = sandbox.store.leadMagnetsOf(DEMO.clients.full)[0]?.id ?? "";
    expectError(await call(sandbox, agent, "GET", `/lead-magnets/${other}/analytics`, { key }), "not_found");
  });
});
