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
let browser: Browser;
let launchMs = 0;
const calls: ToolCall[] = [];
const problems: string[] = [];

beforeAll(async () => {
  stack = await startStack({ key: DEMO.keys.directAll });
  ({ browser, launchMs } = await launchBrowser());
  console.info(`Chromium launched in ${String(launchMs)} ms`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Loads the host page with the view, opened by a call of `toolName`, and waits for its data. */
async function openBoard(hostContext: Record<string, unknown>, toolName = "list_posts"): Promise<{ page: Page; frame: Frame }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 800 });
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
    const result = await stack.call(name, args);
    calls.push({ name, args, result });
    return result;
  });
  await page.goto(HOST_PAGE);
  const toolResult = await stack.call(toolName, {});
  await page.evaluate((options) => (window as unknown as { startHost(options: unknown): void }).startHost(options), { html: boardHtml(), hostContext, toolResult });
  const frame = await viewFrame(page);
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

/** Every record of a list tool, page after page (the view loads them all too). */
async function everything<T>(tool: string): Promise<T[]> {
  const records: T[] = [];
  for (let offset: number | undefined = 0; offset !== undefined; ) {
    const page: { data: T[]; next_offset?: number } = structured(await stack.call(tool, { limit: 100, offset, response_format: "detailed" }));
    records.push(...page.data);
    offset = page.next_offset;
  }
  return records;
}

const serverPosts = (): Promise<Post[]> => everything<Post>("list_posts");

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
    const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "UTC" }, "get_post_engagement");
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
    const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "UTC" }, "list_leads");
    // Opened by list_leads, the board starts on the Leads view.
    await frame.waitForSelector("table.leads");
    // Every page (through list_leads, as a person pages): each row shows the server's strings as text.
    const shownTexts: string[] = [];
    for (let page = 0; ; page += 1) {
      const leads = structured<{ data: Lead[] }>(await stack.call("list_leads", { limit: 50, offset: page * 50, response_format: "detailed" })).data;
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

  it("filters leads by keyword and intent", async () => {
    const { page, frame } = await openBoard({ theme: "light", locale: "en-GB", timeZone: "UTC" }, "list_leads");
    await frame.waitForSelector("table.leads");
    await frame.select("#lead-keyword", "GUIDE");
    await frame.select("#lead-intent", "yes");
    await click(frame, ".filters button[type=submit]");
    const leads = structured<{ data: { id: string; latest_keyword: string | null; has_intent: boolean }[] }>(await stack.call("list_leads", { limit: 50, response_format: "detailed" })).data;
    const expected = leads.filter((lead) => lead.latest_keyword === "GUIDE" && lead.has_intent).map((lead) => lead.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(await frame.$$eval("table.leads tbody tr", (rows) => rows.map((row) => row.getAttribute("data-lead-id")))).toEqual(expected);
    await page.close();
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

  it("logged no console error, dialog or network request outside the page", () => {
    expect(problems).toEqual([]);
  });
});
