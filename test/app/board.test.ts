import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Browser, Frame, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boardHtml } from "../../src/app/resource.js";
import { DEMO } from "../../src/sandbox/index.js";
import { startStack, structured, type Stack } from "../fixtures/stack.js";
import { HOST_PAGE, launchBrowser, screenshot, viewFrame } from "./browser.js";

/**
 * The board in a real browser: the built view in a sandboxed frame of a test host page that
 * speaks the host side of MCP Apps, its tool calls forwarded to the real server (SDK client →
 * server → sandbox over HTTP). Assertions are on what a person sees in the frame.
 */

interface Post {
  id: string;
  text: string;
  status: string;
  scheduled_at?: string;
  published_at?: string;
  metrics?: { impressions: number; reactions: number; comments: number };
}
interface Lead {
  id: string;
  name: string;
  headline?: string;
}
interface ToolCall {
  name: string;
  args: Record<string, unknown>;
  result: CallToolResult;
}

let stack: Stack;
/** The agency demo key on the same sandbox, and the same key pinned to one client. */
let agency: Stack;
let pinned: Stack;
/** The direct key on the large sandbox: enough leads that a filter matches more than a page. */
let large: Stack;
let browser: Browser;
const DETAILED = { response_format: "detailed" } as const;
let launchMs = 0;
const calls: ToolCall[] = [];
const problems: string[] = [];

beforeAll(async () => {
  stack = await startStack({ key: DEMO.keys.directAll });
  agency = await startStack({ key: DEMO.keys.agency, sandbox: stack.sandbox });
  pinned = await startStack({ key: DEMO.keys.agency, sandbox: stack.sandbox, env: { LEADPANTHER_CLIENT_ID: DEMO.clients.full } });
  large = await startStack({ key: DEMO.keys.directAll, sandboxOptions: { scale: "large" } });
  ({ browser, launchMs } = await launchBrowser());
  console.info(`Chromium launched in ${String(launchMs)} ms`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await agency?.close();
  await pinned?.close();
  await large?.close();
  await stack?.close();
});

interface Opening {
  /** The tool call the view is opened for. */
  toolName?: string;
  /** Its arguments, as the host's tool-input gives them; undefined: the host sends none. */
  toolInput?: Record<string, unknown> | undefined;
  /** The server the view's calls go to. */
  through?: Stack;
  /** Wait for this instead of the loaded board (the client picker). */
  readySelector?: string;
  /** The host page's width in CSS pixels (default 1100). */
  width?: number;
}

/** Loads the host page with the view, opened by a call of `toolName`, and waits for its data. */
async function openBoard(hostContext: Record<string, unknown>, opening: Opening = {}): Promise<{ page: Page; frame: Frame }> {
  const { toolName = "list_posts", toolInput = {}, through = stack } = opening;
  const page = await browser.newPage();
  await page.setViewport({ width: opening.width ?? 1100, height: 800 });
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warn") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${String(error)}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("request", (request) => {
    // data: URLs are the browser's own (the date inputs' icons); anything else would be the view reaching out.
    if (!/^(file|about|data):/.test(request.url())) problems.push(`request: ${request.url()}`);
  });
  await page.exposeFunction("mcpCallTool", async (name: string, args: Record<string, unknown>) => {
    const result = await through.call(name, args);
    calls.push({ name, args, result });
    return result;
  });
  await page.goto(HOST_PAGE);
  const toolResult = await through.call(toolName, toolInput ?? {});
  await page.evaluate((options) => (window as unknown as { startHost(options: unknown): void }).startHost(options), { html: boardHtml(), hostContext, toolInput, toolResult });
  const frame = await viewFrame(page);
  if (opening.readySelector) {
    await frame.waitForSelector(opening.readySelector);
    return { page, frame };
  }
  await frame.waitForSelector("#panel:not(:has(> p.muted:only-child))");
  await frame.waitForFunction(() => !document.body.textContent?.includes("Loading…"));
  return { page, frame };
}

async function click(frame: Frame, selector: string): Promise<void> {
  const element = await frame.waitForSelector(selector);
  await element?.click();
}

function dayIn(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
}

function timeIn(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

/** Every full record of a list tool, page after page (the view loads them all too). */
async function everything<T>(tool: string, through = stack, args: Record<string, unknown> = {}): Promise<T[]> {
  const records: T[] = [];
  for (let offset: number | undefined = 0; offset !== undefined; ) {
    const page: { data: T[]; next_offset?: number } = structured(await through.call(tool, { ...args, limit: 100, offset, ...DETAILED }));
    records.push(...page.data);
    offset = page.next_offset;
  }
  return records;
}

const serverPosts = (through = stack, args: Record<string, unknown> = {}): Promise<Post[]> => everything<Post>("list_posts", through, args);

/** The calls the view made since `from`, through the host. */
const callsSince = (from: number): ToolCall[] => calls.slice(from);

/** Every post chip the calendar shows: its id, the day of its cell and the time it reads. */
async function chips(frame: Frame): Promise<{ id: string; day: string; time: string }[]> {
  return frame.$$eval(".chip", (elements) =>
    elements.map((element) => ({
      id: element.getAttribute("data-post-id") ?? "",
      day: element.closest("[data-day]")?.getAttribute("data-day") ?? "",
      time: element.querySelector(".time")?.textContent ?? "",
    })),
  );
}

describe("the board in a browser", () => {
  for (const timeZone of ["America/New_York", "Asia/Tokyo"]) {
    it(`puts every scheduled and published post on its day and time in ${timeZone}`, async () => {
      const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone });
      await click(frame, "#mode-month");
      await frame.waitForSelector(".calendar.month");
      expect(await frame.$eval("#time-zone", (element) => element.textContent)).toBe(`Times in ${timeZone}`);
      const shownDays = await frame.$$eval("[data-day]", (cells) => cells.map((cell) => cell.getAttribute("data-day") ?? ""));
      const expected = (await serverPosts())
        .filter((post) => post.status !== "draft" && (post.published_at ?? post.scheduled_at))
        .map((post) => {
          const at = (post.published_at ?? post.scheduled_at) as string;
          return { id: post.id, day: dayIn(at, timeZone), time: timeIn(at, timeZone) };
        })
        .filter((post) => shownDays.includes(post.day));
      expect(expected.length).toBeGreaterThan(3);
      const shown = await chips(frame);
      expect(shown.sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
      await page.close();
    });
  }

  it("shows the same post on different days in New York and Tokyo when the time zone moves it", async () => {
    const posts = await serverPosts();
    const moved = posts.find((post) => {
      const at = post.published_at ?? post.scheduled_at;
      return post.status !== "draft" && at !== undefined && dayIn(at, "America/New_York") !== dayIn(at, "Asia/Tokyo");
    });
    expect(moved, "the sandbox has a post whose day differs between the two zones").toBeDefined();
  });

  it("opens a post with its text, media count and metrics", async () => {
    const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "Europe/London" });
    await click(frame, "#mode-month");
    const shown = new Set((await chips(frame)).map((chip) => chip.id));
    const published = (await serverPosts()).find((post) => post.status === "published" && post.metrics && shown.has(post.id));
    expect(published).toBeDefined();
    await click(frame, `.chip[data-post-id="${published?.id ?? ""}"]`);
    await frame.waitForSelector("#post-detail");
    expect(await frame.$eval("#post-detail .post-text", (element) => element.textContent)).toBe(published?.text);
    expect(await frame.$eval("#post-detail .metrics", (element) => element.textContent)).toContain(new Intl.NumberFormat("en-GB").format(published?.metrics?.impressions ?? -1));
    expect(await frame.$eval("#post-detail .media", (element) => element.textContent)).toMatch(/^Media: \d+$/);
    await page.close();
  });

  it("reschedules a post with the keyboard through update_post and shows the server's answer", async () => {
    const timeZone = "Asia/Tokyo";
    const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone });
    await click(frame, "#mode-month");
    await frame.waitForSelector(".calendar.month");
    const shownDays = await frame.$$eval("[data-day]", (cells) => cells.map((cell) => cell.getAttribute("data-day") ?? ""));
    const scheduled = (await serverPosts()).find((post) => post.status === "scheduled" && post.scheduled_at && shownDays.includes(dayIn(post.scheduled_at, timeZone)));
    expect(scheduled).toBeDefined();
    const post = scheduled as Post & { scheduled_at: string };
    const newDay = shownDays[shownDays.indexOf(dayIn(post.scheduled_at, timeZone)) + 1] ?? "";

    // Keyboard only: focus the post, Enter opens it, fill the day and time, Enter submits.
    await frame.focus(`.chip[data-post-id="${post.id}"]`);
    await page.keyboard.press("Enter");
    await frame.waitForSelector("#move-day");
    await frame.$eval("#move-day", (element, value) => ((element as HTMLInputElement).value = value), newDay);
    await frame.$eval("#move-time", (element) => ((element as HTMLInputElement).value = "10:30"));
    await frame.focus("#move-submit");
    const before = calls.length;
    await page.keyboard.press("Enter");
    await frame.waitForSelector("#answer");

    const update = calls.slice(before).find((call) => call.name === "update_post");
    expect(update?.args.post_id).toBe(post.id);
    const sentAt = String(update?.args.scheduled_at);
    expect(dayIn(sentAt, timeZone)).toBe(newDay);
    expect(timeIn(sentAt, timeZone)).toBe("10:30");
    // The answer shows every sentence of the server's text (its summary and any warning), not its JSON record.
    const answerLines = (update?.result.content ?? []).flatMap((part) => (part.type === "text" ? part.text.split("\n") : []));
    const shownAnswer = (await frame.$eval("#answer", (element) => element.textContent)) ?? "";
    expect(shownAnswer.split("\n")[0]).toBe(answerLines[0]);
    for (const line of answerLines) {
      if (line.startsWith("{")) expect(shownAnswer).not.toContain(line);
      else expect(shownAnswer).toContain(line);
    }
    expect(update?.result.isError).toBeFalsy();
    // The server holds the new time, and the calendar shows the post on its new day.
    const stored = structured<{ data: Post }>(await stack.call("get_post", { post_id: post.id })).data;
    expect(new Date(stored.scheduled_at ?? "").getTime()).toBe(new Date(sentAt).getTime());
    expect((await chips(frame)).find((chip) => chip.id === post.id)).toEqual({ id: post.id, day: newDay, time: "10:30" });
    await page.close();
  });

  it("shows each published post's funnel with the server's numbers and how each was derived", async () => {
    const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "UTC" }, { toolName: "get_post_engagement", toolInput: { post_id: (await serverPosts()).find((post) => post.status === "published")?.id } });
    await click(frame, "#tab-funnel");
    await frame.waitForSelector("#funnel-total");
    const cards = await frame.$$eval("article.funnel", (articles) =>
      articles.map((article) => ({
        id: article.getAttribute("data-post-id") ?? "",
        values: [...article.querySelectorAll(".step")].map((step) => ({
          label: step.getAttribute("data-step"),
          value: step.querySelector(".step-value")?.textContent ?? "",
          derivation: step.querySelector(".derivation")?.textContent ?? "",
        })),
      })),
    );
    expect(cards.length).toBeGreaterThan(0);
    const activity = await everything<{ source: string; keyword?: string; metadata?: { post_id?: string } }>("list_activity");
    const leads = await everything<{ latest_keyword: string | null }>("list_leads");
    const format = (value: number): string => new Intl.NumberFormat("en-GB").format(value);
    for (const card of cards) {
      const engagement = structured<{ data: { impressions: number; reactions: number; comments: number } }>(await stack.call("get_post_engagement", { post_id: card.id })).data;
      expect(card.values[0]).toMatchObject({ label: "Impressions", value: format(engagement.impressions) });
      expect(card.values[1]).toMatchObject({ label: "Reactions + comments", value: format(engagement.reactions + engagement.comments) });
      const keyword = /keyword is (\w+)/.exec(card.values[2]?.derivation ?? "")?.[1];
      if (keyword) {
        const matching = activity.filter((item) => item.source === "comment" && item.metadata?.post_id === card.id && item.keyword === keyword).length;
        expect(card.values[2]?.value).toBe(format(matching));
        expect(card.values[3]?.value).toBe(format(leads.filter((lead) => lead.latest_keyword === keyword).length));
      } else {
        expect(card.values[2]?.value).toBe("—");
        expect(card.values[3]?.value).toBe("—");
      }
      for (const step of card.values) expect(step.derivation.length).toBeGreaterThan(10);
    }
    await page.close();
  });

  it("shows the sandbox's hostile lead names as inert text", async () => {
    const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "UTC" }, { toolName: "list_leads" });
    // Opened by list_leads, the board starts on the Leads view.
    await frame.waitForSelector("table.leads");
    // Every page (through list_leads, as a person pages): each row shows the server's strings as text.
    const shownTexts: string[] = [];
    for (let page = 0; ; page += 1) {
      const leads = structured<{ data: Lead[] }>(await stack.call("list_leads", { limit: 50, offset: page * 50, ...DETAILED })).data;
      const rows = await frame.$$eval("table.leads tbody tr", (elements) =>
        elements.map((row) => ({ id: row.getAttribute("data-lead-id"), name: row.cells[0]?.textContent, headline: row.cells[1]?.textContent })),
      );
      expect(rows).toEqual(leads.map((lead) => ({ id: lead.id, name: lead.name, headline: lead.headline ?? "" })));
      shownTexts.push(...rows.flatMap((row) => [row.name ?? "", row.headline ?? ""]));
      if (await frame.$eval("#leads-next", (button) => (button as HTMLButtonElement).disabled)) break;
      const before = calls.length;
      await click(frame, "#leads-next");
      await frame.waitForFunction((from) => document.querySelector("caption")?.textContent?.includes(`(from ${String(from)})`), {}, (page + 1) * 50 + 1);
      expect(calls.slice(before).map((call) => call.name)).toEqual(["list_leads"]);
    }
    expect(shownTexts.some((value) => value.includes("Ignore previous instructions"))).toBe(true);
    expect(shownTexts.some((value) => /<[^>]*>/.test(value)), "markup-like text shown as text").toBe(true);
    // Nothing a lead wrote became an element or ran.
    expect(await frame.$$eval("#board img, #board script, #board iframe, #board a", (elements) => elements.length)).toBe(0);
    expect(await frame.evaluate(() => document.scripts.length)).toBe(1);
    expect(await frame.evaluate(() => location.href)).toBe("about:srcdoc");
    await page.close();
  });

  it("filters leads on the server (list_leads' filters) and pages with the next_offset it returns", async () => {
    const timeZone = "Asia/Tokyo";
    const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone }, { toolName: "list_leads", through: large });
    await frame.waitForSelector("table.leads");
    const rowIds = (): Promise<(string | null)[]> => frame.$$eval("table.leads tbody tr", (rows) => rows.map((row) => row.getAttribute("data-lead-id")));
    const leadCalls = (from: number): ToolCall[] => callsSince(from).filter((call) => call.name === "list_leads");
    const caption = (): Promise<string> => frame.$eval("table.leads caption", (element) => element.textContent ?? "");

    // Keyword and no intent: one list_leads call with the filters, its rows exactly the server's matches.
    await frame.select("#lead-keyword", "GUIDE");
    await frame.select("#lead-intent", "no");
    let before = calls.length;
    await click(frame, ".filters button[type=submit]");
    await frame.waitForFunction(() => document.querySelector("table.leads caption")?.textContent?.includes("matching"));
    const [first, ...others] = leadCalls(before);
    expect(others).toEqual([]);
    expect(first?.args).toEqual({ limit: 50, offset: 0, keyword: "GUIDE", has_intent: false, response_format: "detailed" });
    const firstPage = structured<{ data: { id: string; latest_keyword: string; has_intent: boolean }[]; next_offset?: number; scanned: number }>(first?.result as CallToolResult);
    expect(firstPage.data.length).toBeGreaterThan(0);
    expect(firstPage.data.every((lead) => lead.latest_keyword === "GUIDE" && !lead.has_intent)).toBe(true);
    expect(await rowIds()).toEqual(firstPage.data.map((lead) => lead.id));
    expect(await caption()).toBe(`${String(firstPage.data.length)} matching leads (from 1; ${new Intl.NumberFormat("en-GB").format(firstPage.scanned)} read to find them)`);

    // Next page: the offset the server returned (not offset + 50), then back to the first.
    expect(firstPage.next_offset, "the sandbox has more than a page of GUIDE leads without intent").toBeDefined();
    before = calls.length;
    await click(frame, "#leads-next");
    await frame.waitForFunction((from) => document.querySelector("table.leads caption")?.textContent?.includes(`(from ${String(from)};`), {}, (firstPage.next_offset ?? 0) + 1);
    const next = leadCalls(before)[0];
    expect(next?.args).toEqual({ limit: 50, offset: firstPage.next_offset, keyword: "GUIDE", has_intent: false, response_format: "detailed" });
    expect(await rowIds()).toEqual(structured<{ data: { id: string }[] }>(next?.result as CallToolResult).data.map((lead) => lead.id));
    before = calls.length;
    await click(frame, "#leads-previous");
    await frame.waitForFunction(() => document.querySelector("table.leads caption")?.textContent?.includes("(from 1;"));
    expect(leadCalls(before)[0]?.args).toMatchObject({ offset: 0 });
    expect(await rowIds()).toEqual(firstPage.data.map((lead) => lead.id));

    // Words, source and days: days are whole days in the person's time zone, sent as instants.
    const since = dayIn(new Date(Date.now() - 60 * 86_400_000).toISOString(), timeZone);
    const until = dayIn(new Date(Date.now() - 86_400_000).toISOString(), timeZone);
    await frame.select("#lead-keyword", "");
    await frame.select("#lead-intent", "");
    await frame.select("#lead-source", "comment");
    await frame.$eval("#lead-since", (element, value) => ((element as HTMLInputElement).value = value), since);
    await frame.$eval("#lead-until", (element, value) => ((element as HTMLInputElement).value = value), until);
    before = calls.length;
    await click(frame, ".filters button[type=submit]");
    await expect.poll(() => leadCalls(before).length).toBe(1);
    const dated = leadCalls(before)[0];
    const startOf = (day: string): string => new Date(`${day}T00:00:00+09:00`).toISOString();
    const dayAfter = (day: string): string => new Date(new Date(`${day}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
    expect(dated?.args).toEqual({ limit: 50, offset: 0, source: "comment", created_after: startOf(since), created_before: startOf(dayAfter(until)), response_format: "detailed" });
    const datedPage = structured<{ data: { id: string; source: string; created_at: string }[] }>(dated?.result as CallToolResult);
    expect(datedPage.data.length).toBeGreaterThan(0);
    for (const lead of datedPage.data) {
      expect(lead.source).toBe("comment");
      expect(dayIn(lead.created_at, timeZone) >= since && dayIn(lead.created_at, timeZone) <= until).toBe(true);
    }
    await frame.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll("table.leads tbody tr")].map((row) => row.getAttribute("data-lead-id"))) === ids, {}, JSON.stringify(datedPage.data.map((lead) => lead.id)));
    await page.close();
  });

  it("asks every list tool for detailed records, so the concise default does not starve the calendar or funnel", async () => {
    const before = calls.length;
    const { page } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "UTC" });
    const listCalls = callsSince(before).filter((call) => call.name.startsWith("list_"));
    expect(new Set(listCalls.map((call) => call.name))).toEqual(new Set(["list_posts", "list_activity", "list_lead_magnets", "list_leads"]));
    for (const call of listCalls) {
      expect(call.args.response_format, call.name).toBe("detailed");
      expect(call.result.isError, call.name).toBeFalsy();
    }
    await page.close();
  });

  describe("with an agency key", () => {
    const accountCalls = (from: number): ToolCall[] => callsSince(from).filter((call) => call.name !== "list_clients");

    it("names the opening call's client_id on every call and shows that client's posts", async () => {
      const timeZone = "Europe/Berlin";
      const before = calls.length;
      const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone }, { through: agency, toolInput: { client_id: DEMO.clients.full } });
      expect(await frame.$("#client-picker")).toBeNull();
      const made = callsSince(before);
      expect(made.length).toBeGreaterThan(3);
      for (const call of made) {
        expect(call.args.client_id, call.name).toBe(DEMO.clients.full);
        expect(call.result.isError, call.name).toBeFalsy();
      }
      await click(frame, "#mode-month");
      await frame.waitForSelector(".calendar.month");
      const shownDays = await frame.$$eval("[data-day]", (cells) => cells.map((cell) => cell.getAttribute("data-day") ?? ""));
      const expected = (await serverPosts(agency, { client_id: DEMO.clients.full }))
        .filter((post) => post.status !== "draft" && (post.published_at ?? post.scheduled_at))
        .map((post) => ({ id: post.id, day: dayIn((post.published_at ?? post.scheduled_at) as string, timeZone), time: timeIn((post.published_at ?? post.scheduled_at) as string, timeZone) }))
        .filter((post) => shownDays.includes(post.day));
      expect(expected.length).toBeGreaterThan(0);
      expect((await chips(frame)).sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
      await page.close();
    });

    it("offers a client picker fed by list_clients when the opening call named no client, then names the chosen one", async () => {
      const before = calls.length;
      const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "UTC" }, { through: agency, toolInput: undefined, readySelector: "#client-picker #client-select" });
      // The one failed call named no client; nothing else was asked of the account before a choice.
      const asked = accountCalls(before);
      expect(asked.map((call) => [call.name, call.args.client_id])).toEqual([["list_posts", undefined]]);
      expect(asked[0]?.result.isError).toBe(true);
      const clients = structured<{ data: { user_id: string; business_name: string; full_name: string; grant: { status: string } }[] }>(
        await agency.call("list_clients", DETAILED),
      ).data;
      const options = await frame.$$eval("#client-select option", (elements) => elements.map((option) => ({ value: option.getAttribute("value"), disabled: (option as HTMLOptionElement).disabled, label: option.textContent })));
      expect(options).toEqual(
        clients.map((client) => ({
          value: client.user_id,
          disabled: client.grant.status !== "active",
          label: `${client.business_name} (${client.full_name})${client.grant.status === "active" ? "" : " — access revoked"}`,
        })),
      );
      await screenshot(page, "client-picker-light");
      await frame.evaluate(() => document.documentElement.setAttribute("data-theme", "dark"));
      await screenshot(page, "client-picker-dark");
      await frame.evaluate(() => document.documentElement.setAttribute("data-theme", "light"));

      const chosen = before + (calls.length - before);
      await frame.select("#client-select", DEMO.clients.full);
      await click(frame, "#client-open");
      await frame.waitForSelector("#client-name");
      await frame.waitForFunction(() => !document.body.textContent?.includes("Loading…"));
      const made = callsSince(chosen);
      expect(made.length).toBeGreaterThan(3);
      for (const call of made) {
        expect(call.args.client_id, call.name).toBe(DEMO.clients.full);
        expect(call.result.isError, call.name).toBeFalsy();
      }
      const full = clients.find((client) => client.user_id === DEMO.clients.full);
      expect(await frame.$eval("#client-name", (element) => element.textContent)).toBe(`Client: ${full?.business_name ?? ""} (${full?.full_name ?? ""})`);
      expect(await frame.$$eval(".chip", (elements) => elements.length)).toBeGreaterThan(0);
      // Change client: back to the picker, without a call.
      const beforeChange = calls.length;
      await click(frame, "#client-change");
      await frame.waitForSelector("#client-picker");
      expect(calls.length).toBe(beforeChange);
      await page.close();
    });

    it("sends no client_id when the key is pinned to a client (LEADPANTHER_CLIENT_ID) and the opening call named none", async () => {
      const before = calls.length;
      const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "UTC" }, { through: pinned });
      expect(await frame.$("#client-picker")).toBeNull();
      const made = callsSince(before);
      expect(made.length).toBeGreaterThan(3);
      for (const call of made) {
        expect("client_id" in call.args, call.name).toBe(false);
        expect(call.result.isError, call.name).toBeFalsy();
      }
      await page.close();
    });
  });

  it("writes screenshots of each view in light and dark", async () => {
    for (const theme of ["light", "dark"]) {
      const { page, frame } = await openBoard({ theme, locale: "en-GB", timeZone: "Europe/Paris" });
      expect(await frame.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await screenshot(page, `calendar-${theme}`);
      await click(frame, "#tab-funnel");
      await screenshot(page, `funnel-${theme}`);
      await click(frame, "#tab-leads");
      await screenshot(page, `leads-${theme}`);
      await page.close();
    }
  });

  it("fits the leads table to the frame: a table when wide, labelled cards when narrow, never a sideways scroll", async () => {
    for (const width of [1100, 420]) {
      const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "Europe/Paris" }, { width });
      await click(frame, "#tab-leads");
      await frame.waitForSelector("table.leads tbody tr");
      const fit = await frame.$eval(".table-scroll", (element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
      expect(fit.scroll, `leads table at ${String(width)} px`).toBeLessThanOrEqual(fit.client);
      const header = await frame.$eval("table.leads thead", (element) => element.getBoundingClientRect().height);
      const firstEmail = await frame.$eval('table.leads tbody tr td[data-label="Email"]', (element) => ({ label: getComputedStyle(element, "::before").content, text: element.textContent }));
      if (width < 760) {
        // The header is hidden (still read by screen readers) and each value carries its column's name.
        expect(header).toBeLessThanOrEqual(1);
        if (firstEmail.text !== "") expect(firstEmail.label).toBe('"Email: "');
      } else {
        expect(header).toBeGreaterThan(10);
        expect(firstEmail.label).toBe("none");
      }
      await screenshot(page, `leads-${String(width)}px`);
      await page.close();
    }
  });

  it("logged no console error, dialog or network request outside the page", () => {
    expect(problems).toEqual([]);
  });
});
