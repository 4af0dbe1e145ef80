/// <reference lib="dom" />
/**
 * The board: Calendar, Funnel and Leads over the same tool results the model sees, fetched
 * through the host. State lives here; rendering rebuilds the visible panel from it.
 */
import {
  addDays,
  dayKey,
  dayLabel,
  firstWords,
  funnelOf,
  hourMinute,
  instantAt,
  isRecord,
  leadFilterArgs,
  messageOf,
  monthGrid,
  NO_LEAD_FILTER,
  pageOf,
  postOf,
  text,
  timeLabel,
  weekStart,
  type Clock,
  type Json,
  type Post,
  type ToolResult,
} from "./data.js";
import { append, h, on, replaceChildren } from "./dom.js";
import { Host, type HostContext } from "./host.js";

type ViewName = "calendar" | "funnel" | "leads";
const VIEWS: { name: ViewName; label: string }[] = [
  { name: "calendar", label: "Calendar" },
  { name: "funnel", label: "Funnel" },
  { name: "leads", label: "Leads" },
];
const PAGE_SIZE = 100;
const LEADS_PAGE_SIZE = 50;

/** How long the view waits for the host to say which call opened it before loading anyway. */
const OPENING_CALL_WAIT_MS = 1000;

interface Loaded<T> {
  value: T;
  /** The server's message when the load failed (missing scope, bad key…). */
  error: string | undefined;
  complete: boolean;
}

/** A client account an agency key can open the board for (list_clients). */
interface ClientChoice {
  id: string;
  name: string;
  active: boolean;
}

const state = {
  view: "calendar" as ViewName,
  /**
   * The client account every call names: the opening call's client_id, or the one chosen in
   * the picker. Undefined for direct keys and pinned agency keys, which take none.
   */
  clientId: undefined as string | undefined,
  /** The agency's clients, once a call asked for a client_id the opening call did not give. */
  clients: undefined as Loaded<ClientChoice[]> | undefined,
  clock: { locale: navigator.language || "en-US", timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone } as Clock,
  calendarMode: "week" as "week" | "month",
  anchor: "",
  selectedPost: undefined as string | undefined,
  answer: undefined as { text: string; error: boolean } | undefined,
  posts: { value: [], error: undefined, complete: false } as Loaded<Post[]>,
  activity: { value: [], error: undefined, complete: false } as Loaded<Json[]>,
  keywords: { value: [], error: undefined, complete: false } as Loaded<string[]>,
  /** The table's page of leads. */
  leads: { value: [], error: undefined, complete: false } as Loaded<Json[]>,
  /** Every lead, for the funnel's counts. */
  allLeads: { value: [], error: undefined, complete: false } as Loaded<Json[]>,
  leadsOffset: 0,
  /** The offsets of the pages before this one (a filtered page's next_offset is not offset + limit). */
  leadsBefore: [] as number[],
  leadsNext: undefined as number | undefined,
  /** How many leads the server read to find the filtered page (undefined when unfiltered). */
  leadsScanned: undefined as number | undefined,
  leadFilter: NO_LEAD_FILTER,
  funnelFrom: "",
  funnelTo: "",
  loading: true,
};

let openingCallKnown: () => void = () => undefined;
/** Settles when the host has said which call opened the view (its input or its result). */
const openingCall = new Promise<void>((resolve) => (openingCallKnown = resolve));

const host = new Host({
  onToolInput(args) {
    // The board shows the account the model asked about: an agency call names it.
    if (typeof args.client_id === "string" && args.client_id !== "") state.clientId = args.client_id;
    openingCallKnown();
  },
  onToolResult(result) {
    openingCallKnown();
    // The result that opened the board picks the view that shows it best (detailed or concise records).
    const first = pageOf(result).records[0];
    if (first && "qualification_status" in first) state.view = "leads";
    else if (first && ("engagement_rate" in first || (("author_name" in first || "author" in first) && "source" in first))) state.view = "funnel";
    render();
  },
  onContext(context) {
    applyContext(context);
    render();
  },
});

function applyContext(context: HostContext): void {
  if (context.theme) document.documentElement.dataset.theme = context.theme;
  if (context.locale) state.clock = { ...state.clock, locale: context.locale };
  if (context.timeZone) state.clock = { ...state.clock, timeZone: context.timeZone };
}

/** A tool call through the host, naming the client account when there is one (account tools only). */
async function call(name: string, args: Json, options: { account: boolean } = { account: true }): Promise<ToolResult> {
  try {
    return await host.callTool(name, options.account && state.clientId !== undefined ? { ...args, client_id: state.clientId } : args);
  } catch (error) {
    return { isError: true, content: [{ type: "text", text: `${name}: ${error instanceof Error ? error.message : String(error)}` }] };
  }
}

/**
 * One page of a list tool, as full records (`response_format: "detailed"`: the concise default
 * leaves out what the calendar and funnel read), filtered by the server.
 */
async function listPage(name: string, page: Json, filters: Json = {}, options?: { account: boolean }): Promise<ToolResult> {
  return call(name, { ...page, ...filters, response_format: "detailed" }, options);
}

/** Whether a failed call asked for the client account that the view did not name. */
function needsClient(result: Loaded<unknown>): boolean {
  return result.error !== undefined && state.clientId === undefined && /\bclient_id\b/.test(result.error);
}

/** Every page of a list tool, up to a few pages (the board shows weeks, not years). */
async function loadAll(name: string, maxPages = 5, options?: { account: boolean }): Promise<Loaded<Json[]>> {
  const records: Json[] = [];
  let offset: number | undefined = 0;
  for (let page = 0; page < maxPages && offset !== undefined; page += 1) {
    const result = await listPage(name, { limit: PAGE_SIZE, offset }, {}, options);
    if (result.isError) return { value: records, error: messageOf(result), complete: false };
    const loaded = pageOf(result);
    records.push(...loaded.records);
    offset = loaded.nextOffset;
  }
  return { value: records, error: undefined, complete: offset === undefined };
}

/** The table's page of leads from an offset, filtered by the server. */
async function loadLeads(offset: number): Promise<void> {
  const result = await listPage("list_leads", { limit: LEADS_PAGE_SIZE, offset }, leadFilterArgs(state.leadFilter, state.clock.timeZone));
  const page = pageOf(result);
  state.leads = { value: page.records, error: result.isError ? messageOf(result) : undefined, complete: page.nextOffset === undefined };
  state.leadsOffset = offset;
  state.leadsNext = page.nextOffset;
  state.leadsScanned = page.scanned;
}

async function loadEverything(): Promise<void> {
  state.loading = true;
  render();
  // Posts first: with an agency key and no client named, this is where the server asks for one.
  const posts = await loadAll("list_posts");
  if (needsClient(posts)) {
    const clients = await loadAll("list_clients", 5, { account: false });
    state.clients = { ...clients, value: clients.value.map(clientChoiceOf).filter((client) => client.id !== "") };
    state.loading = false;
    say("Choose a client account to open the board for.");
    render();
    return;
  }
  state.leadsBefore = [];
  const [activity, magnets, allLeads] = await Promise.all([loadAll("list_activity"), loadAll("list_lead_magnets"), loadAll("list_leads"), loadLeads(0)]);
  state.allLeads = allLeads;
  state.posts = { ...posts, value: posts.value.map(postOf) };
  state.activity = activity;
  state.keywords = { ...magnets, value: magnets.value.map((magnet) => text(magnet.keyword)).filter((keyword) => keyword !== "") };
  state.loading = false;
  render();
}

function clientChoiceOf(record: Json): ClientChoice {
  const grantStatus = isRecord(record.grant) ? record.grant.status : record.grant_status;
  const business = text(record.business_name);
  const person = text(record.full_name);
  return { id: text(record.user_id), name: business && person ? `${business} (${person})` : business || person || text(record.user_id), active: grantStatus === "active" };
}

// ---------------------------------------------------------------- rendering

const root = document.getElementById("board") as HTMLElement;
const status = document.getElementById("status") as HTMLElement;

function say(message: string): void {
  status.textContent = message;
}

function render(): void {
  if (state.clients !== undefined && state.clientId === undefined) {
    replaceChildren(root, clientPicker(state.clients));
    host.sizeChanged(document.documentElement.scrollHeight);
    return;
  }
  const tabs = h("div", { role: "tablist", "aria-label": "Board views", class: "tabs" });
  for (const view of VIEWS) {
    const selected = view.name === state.view;
    const tab = h("button", { type: "button", role: "tab", id: `tab-${view.name}`, "aria-selected": String(selected), "aria-controls": "panel", tabindex: selected ? "0" : "-1" }, view.label);
    on(tab, "click", () => {
      state.view = view.name;
      render();
      document.getElementById(`tab-${view.name}`)?.focus();
    });
    on(tab, "keydown", (event) => {
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (step === 0) return;
      const index = (VIEWS.findIndex((candidate) => candidate.name === state.view) + step + VIEWS.length) % VIEWS.length;
      state.view = VIEWS[index]?.name ?? "calendar";
      render();
      document.getElementById(`tab-${state.view}`)?.focus();
    });
    tabs.append(tab);
  }
  const panel = h("section", { id: "panel", role: "tabpanel", "aria-labelledby": `tab-${state.view}`, "data-view": state.view });
  if (state.loading) panel.append(h("p", { class: "muted" }, "Loading…"));
  else if (state.view === "calendar") renderCalendar(panel);
  else if (state.view === "funnel") renderFunnel(panel);
  else renderLeads(panel);
  replaceChildren(root, clientBar(), tabs, panel);
  host.sizeChanged(document.documentElement.scrollHeight);
}

// ---- Client accounts (agency keys)

/** Shown instead of the board when an agency key's calls need a client the opening call did not name. */
function clientPicker(clients: Loaded<ClientChoice[]>): HTMLElement {
  const choices = clients.value;
  const select = h(
    "select",
    { id: "client-select" },
    ...choices.map((client) => h("option", { value: client.id, disabled: !client.active }, client.active ? client.name : `${client.name} — access revoked`)),
  );
  const form = h("form", { class: "toolbar", "aria-label": "Client account" }, h("label", { for: "client-select" }, "Client"), select, h("button", { type: "submit", id: "client-open", disabled: !choices.some((client) => client.active) }, "Open board"));
  on(form, "submit", (event) => {
    event.preventDefault();
    if (select.value === "") return;
    state.clientId = select.value;
    void loadEverything().then(() => say(`Showing ${clientName()}.`));
  });
  const picker = h(
    "section",
    { id: "client-picker", "aria-labelledby": "client-picker-title" },
    h("h2", { id: "client-picker-title" }, "Choose a client account"),
    h("p", { class: "muted" }, "This key works for several client accounts; the board shows one at a time."),
    errorNote("Clients", clients.error),
    choices.length > 0 ? form : h("p", { class: "muted" }, "This key lists no client account."),
  );
  return picker;
}

function clientName(): string {
  return state.clients?.value.find((client) => client.id === state.clientId)?.name ?? "";
}

/** Which client the board shows, with a way back to the picker, when the person chose it here. */
function clientBar(): HTMLElement | undefined {
  if (state.clients === undefined || state.clientId === undefined) return undefined;
  return h(
    "div",
    { class: "toolbar client-bar" },
    h("span", { id: "client-name" }, `Client: ${clientName()}`),
    on(h("button", { type: "button", id: "client-change" }, "Change client"), "click", () => {
      state.clientId = undefined;
      render();
      document.getElementById("client-select")?.focus();
    }),
  );
}

function errorNote(source: string, error: string | undefined): HTMLElement | undefined {
  return error === undefined ? undefined : h("p", { class: "error", role: "alert" }, `${source}: ${error}`);
}

function today(): string {
  return dayKey(new Date(), state.clock.timeZone);
}

// ---- Calendar

function postsByDay(): Map<string, Post[]> {
  const byDay = new Map<string, Post[]>();
  for (const post of state.posts.value) {
    if (post.at === undefined || (post.status !== "scheduled" && post.status !== "published" && post.status !== "publishing" && post.status !== "failed")) continue;
    const key = dayKey(post.at, state.clock.timeZone);
    byDay.set(key, [...(byDay.get(key) ?? []), post]);
  }
  for (const list of byDay.values()) list.sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
  return byDay;
}

function postChip(post: Post): HTMLElement {
  const at = post.at ? timeLabel(post.at, state.clock) : "";
  const chip = h(
    "button",
    {
      type: "button",
      class: `chip status-${post.status}`,
      "data-post-id": post.id,
      "data-status": post.status,
      draggable: post.status === "scheduled" ? "true" : undefined,
      "aria-label": `${post.status} post at ${at}: ${firstWords(post.text, 12)}`,
    },
    h("span", { class: "time" }, at),
    " ",
    h("span", { class: "words" }, firstWords(post.text)),
  );
  on(chip, "click", () => {
    state.selectedPost = post.id;
    state.answer = undefined;
    render();
    document.getElementById("post-detail")?.focus();
  });
  on(chip, "dragstart", (event) => event.dataTransfer?.setData("text/plain", post.id));
  return chip;
}

function dropTarget(cell: HTMLElement, day: string): void {
  on(cell, "dragover", (event) => event.preventDefault());
  on(cell, "drop", (event) => {
    event.preventDefault();
    const post = state.posts.value.find((candidate) => candidate.id === event.dataTransfer?.getData("text/plain"));
    if (!post?.at || post.status !== "scheduled") return;
    const { hour, minute } = hourMinute(post.at, state.clock.timeZone);
    void reschedule(post, instantAt(day, hour, minute, state.clock.timeZone));
  });
}

function renderCalendar(panel: HTMLElement): void {
  state.anchor ||= today();
  const byDay = postsByDay();
  const step = state.calendarMode === "week" ? 7 : 0;
  const move = (direction: number): void => {
    state.anchor = step ? addDays(state.anchor, direction * step) : shiftMonth(state.anchor, direction);
    render();
  };
  const toolbar = h(
    "div",
    { class: "toolbar" },
    on(h("button", { type: "button" }, "‹ Previous"), "click", () => move(-1)),
    on(h("button", { type: "button" }, "Today"), "click", () => {
      state.anchor = today();
      render();
    }),
    on(h("button", { type: "button" }, "Next ›"), "click", () => move(1)),
    on(h("button", { type: "button", id: "mode-week", "aria-pressed": String(state.calendarMode === "week") }, "Week"), "click", () => {
      state.calendarMode = "week";
      render();
    }),
    on(h("button", { type: "button", id: "mode-month", "aria-pressed": String(state.calendarMode === "month") }, "Month"), "click", () => {
      state.calendarMode = "month";
      render();
    }),
    h("span", { class: "muted", id: "time-zone" }, `Times in ${state.clock.timeZone}`),
  );
  append(panel, [toolbar, errorNote("Posts", state.posts.error)]);

  const days = state.calendarMode === "week" ? Array.from({ length: 7 }, (_, index) => addDays(weekStart(state.anchor), index)) : monthGrid(state.anchor).days;
  const month = state.anchor.slice(0, 7);
  const grid = h("div", { class: `calendar ${state.calendarMode}`, role: "grid", "aria-label": state.calendarMode === "week" ? "Week" : "Month" });
  const row = (): HTMLElement => h("div", { role: "row", class: "row" });
  let current = row();
  days.forEach((day, index) => {
    const cell = h(
      "div",
      { role: "gridcell", class: `day${day === today() ? " today" : ""}${state.calendarMode === "month" && day.slice(0, 7) !== month ? " outside" : ""}`, "data-day": day },
      h("div", { class: "day-label" }, state.calendarMode === "week" ? dayLabel(day, state.clock) : String(Number(day.slice(8)))),
    );
    for (const post of byDay.get(day) ?? []) cell.append(postChip(post));
    dropTarget(cell, day);
    current.append(cell);
    if (index % 7 === 6) {
      grid.append(current);
      current = row();
    }
  });
  panel.append(grid);
  const selected = state.posts.value.find((post) => post.id === state.selectedPost);
  if (selected) panel.append(postDetail(selected));
}

function shiftMonth(day: string, months: number): string {
  const [year = 1970, month = 1] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1 + months, 1)).toISOString().slice(0, 10);
}

function postDetail(post: Post): HTMLElement {
  const metrics = post.metrics;
  const detail = h(
    "aside",
    { id: "post-detail", class: "detail", tabindex: "-1", "aria-label": "Post" },
    h("h2", {}, `${post.status[0]?.toUpperCase() ?? ""}${post.status.slice(1)} post`),
    h("p", { class: "when" }, post.at ? `${dayLabel(dayKey(post.at, state.clock.timeZone), state.clock, "long")} ${timeLabel(post.at, state.clock)}` : "Not scheduled"),
    h("p", { class: "post-text" }, post.text),
    h("p", { class: "media" }, `Media: ${String(post.mediaCount)}`),
    metrics
      ? h(
          "dl",
          { class: "metrics" },
          ...(["impressions", "reactions", "comments", "reposts", "clicks"] as const).flatMap((name) => [h("dt", {}, name), h("dd", {}, formatCount(metrics[name]))]),
        )
      : h("p", { class: "muted" }, "No metrics yet."),
  );
  if (post.status === "scheduled" && post.at) {
    const { hour, minute } = hourMinute(post.at, state.clock.timeZone);
    const dayInput = h("input", { type: "date", id: "move-day", value: dayKey(post.at, state.clock.timeZone) });
    const timeInput = h("input", { type: "time", id: "move-time", value: `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}` });
    const form = h(
      "form",
      { class: "move", "aria-label": "Move this post" },
      h("label", { for: "move-day" }, "Day"),
      dayInput,
      h("label", { for: "move-time" }, "Time"),
      timeInput,
      h("button", { type: "submit", id: "move-submit" }, "Reschedule"),
    );
    on(form, "submit", (event) => {
      event.preventDefault();
      const [newHour = 0, newMinute = 0] = timeInput.value.split(":").map(Number);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(dayInput.value)) return say("Choose a day to move the post to.");
      void reschedule(post, instantAt(dayInput.value, newHour, newMinute, state.clock.timeZone));
    });
    detail.append(form);
  }
  if (state.answer) detail.append(h("p", { id: "answer", class: state.answer.error ? "error" : "answer", role: state.answer.error ? "alert" : "status" }, state.answer.text));
  return detail;
}

async function reschedule(post: Post, at: Date): Promise<void> {
  say("Rescheduling…");
  const result = await call("update_post", { post_id: post.id, scheduled_at: at.toISOString() });
  const answer = readableLines(result).join("\n");
  state.selectedPost = post.id;
  state.answer = { text: answer || (result.isError ? "The server refused the change." : "Done."), error: result.isError === true };
  const updated = pageOf(result).records[0];
  if (!result.isError && updated) {
    state.posts.value = state.posts.value.map((candidate) => (candidate.id === post.id ? { ...candidate, ...pick(postOf(updated), candidate) } : candidate));
  }
  say(result.isError ? "The server refused the change." : "Rescheduled.");
  render();
}

/** The server's answer as a person reads it: its sentences and warnings, without the JSON record. */
function readableLines(result: ToolResult): string[] {
  const lines = (result.content ?? []).flatMap((part) => text(part.text).split("\n"));
  return lines.filter((line) => line.trim() !== "" && !isJsonValue(line));
}

function isJsonValue(line: string): boolean {
  if (!/^\s*[[{]/.test(line)) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** A partial answer (e.g. only changed fields) keeps what the view already knew. */
function pick(updated: Post, known: Post): Partial<Post> {
  return {
    status: updated.status === "unknown" ? known.status : updated.status,
    at: updated.at ?? known.at,
    text: updated.text || known.text,
  };
}

function formatCount(value: number | undefined): string {
  return value === undefined ? "—" : new Intl.NumberFormat(state.clock.locale).format(value);
}

// ---- Funnel

function renderFunnel(panel: HTMLElement): void {
  const published = state.posts.value.filter((post) => post.status === "published" && post.at);
  state.funnelTo ||= today();
  state.funnelFrom ||= addDays(state.funnelTo, -30);
  const from = h("input", { type: "date", id: "funnel-from", value: state.funnelFrom });
  const to = h("input", { type: "date", id: "funnel-to", value: state.funnelTo });
  const range = h("form", { class: "toolbar", "aria-label": "Date range" }, h("label", { for: "funnel-from" }, "From"), from, h("label", { for: "funnel-to" }, "To"), to, h("button", { type: "submit" }, "Apply"));
  on(range, "submit", (event) => {
    event.preventDefault();
    state.funnelFrom = from.value;
    state.funnelTo = to.value;
    render();
  });
  append(panel, [range, errorNote("Posts", state.posts.error), errorNote("Activity", state.activity.error), errorNote("Leads", state.allLeads.error)]);
  const sources = {
    keywords: state.keywords.value,
    posts: state.posts.value,
    activity: state.activity.value,
    leads: state.allLeads.value,
    activityComplete: state.activity.complete,
    leadsComplete: state.allLeads.complete,
  };
  const inRange = published.filter((post) => {
    const day = dayKey(post.at as Date, state.clock.timeZone);
    return day >= state.funnelFrom && day <= state.funnelTo;
  });
  const funnels = inRange.map((post) => funnelOf(post, sources));
  const total = (index: number): number => funnels.reduce((sum, funnel) => sum + (funnel.steps[index]?.value ?? 0), 0);
  const keywords = new Set(funnels.map((funnel) => funnel.keyword).filter((keyword) => keyword !== undefined));
  const rangeLeads = state.allLeads.value.filter((lead) => keywords.has(text(lead.latest_keyword))).length;
  panel.append(
    h(
      "div",
      { class: "funnel-total", id: "funnel-total" },
      h("h2", {}, `${String(funnels.length)} published post(s) in range`),
      h("p", {}, `Impressions ${formatCount(total(0))} → reactions + comments ${formatCount(total(1))} → keyword comments ${formatCount(total(2))} → leads ${formatCount(rangeLeads)}`),
      h("p", { class: "muted" }, "Sums over the posts below; leads are counted once per keyword, since a lead carries a keyword, not a post."),
    ),
  );
  if (funnels.length === 0) panel.append(h("p", { class: "muted" }, "No published post in this range."));
  for (const funnel of funnels) {
    const top = funnel.steps[0]?.value;
    const card = h(
      "article",
      { class: "funnel", "data-post-id": funnel.post.id },
      h("h3", {}, firstWords(funnel.post.text, 10)),
      h("p", { class: "muted" }, `${funnel.post.at ? dayLabel(dayKey(funnel.post.at, state.clock.timeZone), state.clock, "long") : ""} · keyword ${funnel.keyword ?? "none"}`),
    );
    for (const step of funnel.steps) {
      const width = top && step.value !== undefined ? Math.max(2, Math.round((step.value / top) * 100)) : 0;
      card.append(
        h(
          "div",
          { class: "step", "data-step": step.label },
          h("span", { class: "step-label" }, step.label),
          h("span", { class: "bar", style: `width:${String(width)}%`, "aria-hidden": "true" }),
          h("span", { class: "step-value" }, formatCount(step.value)),
          h("p", { class: "derivation" }, step.derivation),
          step.partial ? h("p", { class: "partial" }, `Partial: ${step.partial}`) : undefined,
        ),
      );
    }
    panel.append(card);
  }
}

// ---- Leads

/** An address that may wrap before its "@" (and nowhere else) when the column is narrow. */
function breakableEmail(address: string): (HTMLElement | string)[] {
  const at = address.lastIndexOf("@");
  return at > 0 ? [address.slice(0, at), h("wbr"), address.slice(at)] : [address];
}

const LEAD_COLUMNS = ["Name", "Headline", "Email", "Keyword", "Intent", "Qualification", "Source", "Captured"] as const;

function renderLeads(panel: HTMLElement): void {
  const filter = state.leadFilter;
  const keywordOptions = [...new Set([...state.keywords.value, ...state.leads.value.map((lead) => text(lead.latest_keyword)).filter(Boolean)])].sort();
  const field = (id: string, label: string, control: HTMLElement): HTMLElement => h("span", { class: "field" }, h("label", { for: id }, label), control);
  const select = (id: string, label: string, value: string, options: [string, string][]): HTMLElement =>
    field(id, label, h("select", { id }, ...options.map(([optionValue, optionLabel]) => h("option", { value: optionValue, selected: optionValue === value }, optionLabel))));
  const form = h(
    "form",
    { class: "toolbar filters", "aria-label": "Filter leads" },
    field("lead-words", "Words", h("input", { id: "lead-words", type: "search", value: filter.words })),
    select("lead-keyword", "Keyword", filter.keyword, [["", "Any"], ...keywordOptions.map((keyword): [string, string] => [keyword, keyword])]),
    select("lead-intent", "Intent", filter.intent, [["", "Any"], ["yes", "With intent"], ["no", "Without"]]),
    select("lead-qualification", "Qualification", filter.qualification, [["", "Any"], ["qualified", "Qualified"], ["pending", "Pending"], ["unqualified", "Unqualified"]]),
    select("lead-source", "Source", filter.source, [["", "Any"], ["comment", "Comment"], ["message", "Message"], ["hosted_page", "Hosted page"]]),
    field("lead-since", "Since", h("input", { id: "lead-since", type: "date", value: filter.since })),
    field("lead-until", "Until", h("input", { id: "lead-until", type: "date", value: filter.until })),
    h("button", { type: "submit" }, "Filter"),
  );
  on(form, "submit", (event) => {
    event.preventDefault();
    const value = (id: string): string => (document.getElementById(id) as HTMLInputElement | null)?.value ?? "";
    const intent = value("lead-intent");
    state.leadFilter = {
      words: value("lead-words"),
      keyword: value("lead-keyword"),
      intent: intent === "yes" || intent === "no" ? intent : "",
      qualification: value("lead-qualification"),
      source: value("lead-source"),
      since: value("lead-since"),
      until: value("lead-until"),
    };
    state.leadsBefore = [];
    void pageLeads(0);
  });
  append(panel, [form, errorNote("Leads", state.leads.error)]);
  const shown = state.leads.value;
  const filtered = Object.keys(leadFilterArgs(filter, state.clock.timeZone)).length > 0;
  const scan = state.leadsScanned === undefined ? "" : `; ${formatCount(state.leadsScanned)} read to find them`;
  const table = h(
    "table",
    { class: "leads" },
    h("caption", {}, `${String(shown.length)} ${filtered ? "matching " : ""}leads (from ${String(state.leadsOffset + 1)}${scan})`),
    h("thead", {}, h("tr", {}, ...LEAD_COLUMNS.map((title) => h("th", { scope: "col" }, title)))),
  );
  // Each cell names its column, for the narrow layout where a row is shown as a card without the header.
  const cell = (column: (typeof LEAD_COLUMNS)[number], ...children: (HTMLElement | string)[]): HTMLElement => h("td", { "data-label": column }, ...children);
  const body = h("tbody");
  for (const lead of shown) {
    const created = typeof lead.created_at === "string" ? new Date(lead.created_at) : undefined;
    body.append(
      h(
        "tr",
        { "data-lead-id": text(lead.id) },
        cell("Name", h("div", { class: "clip" }, text(lead.name))),
        cell("Headline", h("div", { class: "clip" }, text(lead.headline))),
        cell("Email", ...breakableEmail(isRecord(lead.emails) ? text(lead.emails.submitted) : "")),
        cell("Keyword", text(lead.latest_keyword)),
        cell("Intent", lead.has_intent === true ? "yes" : lead.has_intent === false ? "no" : ""),
        cell("Qualification", text(lead.qualification_status)),
        cell("Source", text(lead.source)),
        cell("Captured", created && !Number.isNaN(created.getTime()) ? `${dayLabel(dayKey(created, state.clock.timeZone), state.clock)} ${timeLabel(created, state.clock)}` : ""),
      ),
    );
  }
  table.append(body);
  panel.append(h("div", { class: "table-scroll" }, table));
  const pager = h(
    "div",
    { class: "toolbar" },
    on(h("button", { type: "button", id: "leads-previous", disabled: state.leadsBefore.length === 0 }, "‹ Previous page"), "click", () => void pageLeads(state.leadsBefore.pop() ?? 0)),
    on(h("button", { type: "button", id: "leads-next", disabled: state.leadsNext === undefined }, "Next page ›"), "click", () => {
      if (state.leadsNext === undefined) return;
      state.leadsBefore.push(state.leadsOffset);
      void pageLeads(state.leadsNext);
    }),
  );
  panel.append(pager);
}

async function pageLeads(offset: number): Promise<void> {
  say("Loading leads…");
  await loadLeads(offset);
  say(`Leads from ${String(offset + 1)}.`);
  render();
}

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  try {
    applyContext(await host.initialize());
  } catch (error) {
    say(`The host did not start the board: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  render();
  // An agency call names its client in its arguments: wait (briefly) for the host to say them.
  await Promise.race([openingCall, new Promise((resolve) => setTimeout(resolve, OPENING_CALL_WAIT_MS))]);
  await loadEverything();
  if (state.clients !== undefined && state.clientId === undefined) return;
  say(`Times in ${state.clock.timeZone}. ${String(state.posts.value.length)} posts loaded.`);
}

void start();
