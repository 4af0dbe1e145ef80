import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { FIND_FILTERS, RECORD_FIELDS, valueAt, type FindCollection } from "../../src/find/filters.js";
import { queryWords } from "../../src/find/match.js";
import { maskLeadEmails } from "../../src/safety/pii.js";
import { buildSeed } from "../../src/sandbox/seed.js";

const POST_ID = "10010000-0000-4000-8000-000000000001";
const OTHER_POST_ID = "10010000-0000-4000-8000-000000000002";

function lead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "30010000-0000-4000-8000-000000000001",
    linkedin_profile_url: "https://www.linkedin.com/in/lucia-castillo",
    name: "Lucía Castillo",
    headline: "Head of Growth at Cobalt Freight",
    emails: { submitted: "lucia.castillo@example.com", work: null, personal: "lc@mail.example.org" },
    latest_keyword: "GUIDE",
    has_intent: true,
    qualification_status: "qualified",
    form_name: "Guide download form",
    source: "hosted_page",
    created_at: "2026-11-20T10:00:00.000Z",
    ...overrides,
  };
}

function activity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "40010000-0000-4000-8000-000000000001",
    source: "comment",
    author_name: "Ingrid Osei",
    content: "[redacted: 42 characters]",
    keyword: "GUIDE",
    status: "matched",
    metadata: { post_id: POST_ID, comment_id: "[redacted]" },
    created_at: "2026-11-20T10:00:00.000Z",
    ...overrides,
  };
}

function post(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: POST_ID, text: "Most outbound fails for one boring reason.", status: "scheduled", scheduled_at: "2026-12-08T09:00:00.000Z", ...overrides };
}

/** The tool's input schema as a list tool would build it: its own fields, the filters, their refine. */
function inputSchema(collection: FindCollection) {
  const filter = FIND_FILTERS[collection];
  return z.object({ limit: z.number().optional(), ...filter.shape }).superRefine(filter.refine);
}

function issuesOf(collection: FindCollection, args: Record<string, unknown>): { path: string; message: string }[] {
  const parsed = inputSchema(collection).safeParse(args);
  return parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

const matches = (collection: FindCollection, args: Record<string, unknown>, record: unknown): boolean => FIND_FILTERS[collection].predicate(args)(record);

describe("list_leads filters", () => {
  test("query: every word, in name, headline, emails or form name, accent- and case-insensitive", () => {
    expect(matches("leads", { query: "lucia" }, lead())).toBe(true);
    expect(matches("leads", { query: "LUCÍA cobalt" }, lead())).toBe(true);
    expect(matches("leads", { query: "castillo@example" }, lead())).toBe(true);
    expect(matches("leads", { query: "lc mail" }, lead())).toBe(true);
    expect(matches("leads", { query: "download" }, lead())).toBe(true);
    expect(matches("leads", { query: "lucia tanaka" }, lead())).toBe(false);
    expect(matches("leads", { query: "lucia" }, lead({ name: null, emails: null, headline: 7 }))).toBe(false);
  });

  test("keyword, qualification_status and source: exact but normalised", () => {
    expect(matches("leads", { keyword: "guide" }, lead())).toBe(true);
    expect(matches("leads", { keyword: "ＧＵＩＤＥ" }, lead())).toBe(true);
    expect(matches("leads", { keyword: "GUID" }, lead())).toBe(false);
    expect(matches("leads", { keyword: "GUIDE" }, lead({ latest_keyword: null }))).toBe(false);
    expect(matches("leads", { qualification_status: "Qualified" }, lead())).toBe(true);
    expect(matches("leads", { qualification_status: "pending" }, lead())).toBe(false);
    expect(matches("leads", { source: "HOSTED_PAGE" }, lead())).toBe(true);
    expect(matches("leads", { source: "comment" }, lead())).toBe(false);
  });

  test("has_intent: true and false both filter; a non-boolean value matches neither", () => {
    expect(matches("leads", { has_intent: true }, lead())).toBe(true);
    expect(matches("leads", { has_intent: false }, lead())).toBe(false);
    expect(matches("leads", { has_intent: false }, lead({ has_intent: false }))).toBe(true);
    expect(matches("leads", { has_intent: true }, lead({ has_intent: "yes" }))).toBe(false);
    expect(matches("leads", { has_intent: false }, lead({ has_intent: "yes" }))).toBe(false);
  });

  test("created_after (inclusive) and created_before (exclusive), with offsets", () => {
    expect(matches("leads", { created_after: "2026-11-20T10:00:00.000Z" }, lead())).toBe(true);
    expect(matches("leads", { created_after: "2026-11-20T11:00:00+01:00" }, lead())).toBe(true);
    expect(matches("leads", { created_after: "2026-11-20T10:00:00.001Z" }, lead())).toBe(false);
    expect(matches("leads", { created_before: "2026-11-20T10:00:00.000Z" }, lead())).toBe(false);
    expect(matches("leads", { created_before: "2026-11-20T10:00:00.001Z" }, lead())).toBe(true);
    expect(matches("leads", { created_after: "2026-01-01T00:00:00Z" }, lead({ created_at: undefined }))).toBe(false);
  });

  test("all filters given must match", () => {
    expect(matches("leads", { query: "lucia", keyword: "GUIDE", has_intent: true, source: "hosted_page" }, lead())).toBe(true);
    expect(matches("leads", { query: "lucia", keyword: "GUIDE", has_intent: false }, lead())).toBe(false);
  });

  test("over the sandbox's seed: Lucia finds exactly the Lucías, in any case", () => {
    const leads = buildSeed(Date.parse("2026-12-04T12:00:00Z")).accounts[0]?.leads ?? [];
    const found = leads.filter(FIND_FILTERS.leads.predicate({ query: "LUCIA" }));
    expect(found.length).toBeGreaterThan(1);
    expect(found.every((record) => /Lucía/.test(`${record.name} ${record.headline ?? ""}`) || /lucia/.test(JSON.stringify(record.emails)))).toBe(true);
    expect(leads.filter((record) => record.name.includes("Lucía")).every(FIND_FILTERS.leads.predicate({ query: "LUCIA" }))).toBe(true);
  });
});

describe("masked PII: the view of a lead only withholds", () => {
  test("property: a query that finds a lead's masked view finds the lead as read (the scan tests the record first)", () => {
    const local = fc.string({ unit: fc.constantFrom(..."abkK.+_-9éØ田"), minLength: 1, maxLength: 8 });
    const domain = fc.constantFrom("example.com", "mail.example.org", "b.co");
    const address = fc.tuple(local, domain).map(([name, host]) => `${name}@${host}`);
    const words = fc.string({ unit: fc.constantFrom(..."abk9é ."), minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(address, fc.option(address), fc.string({ maxLength: 6 }), words, (submitted, personal, headline, query) => {
        fc.pre(queryWords(query).length > 0);
        const record = lead({ emails: { submitted, work: null, personal }, headline: `${headline} ${submitted}`, name: "Kim", form_name: null });
        const test = FIND_FILTERS.leads.predicate({ query });
        return !test(maskLeadEmails(record)) || test(record);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("list_activity filters", () => {
  test("post_id: the UUID in metadata.post_id, any case", () => {
    expect(matches("activity", { post_id: POST_ID }, activity())).toBe(true);
    expect(matches("activity", { post_id: POST_ID.toUpperCase() }, activity())).toBe(true);
    expect(matches("activity", { post_id: OTHER_POST_ID }, activity())).toBe(false);
    expect(matches("activity", { post_id: POST_ID }, activity({ metadata: "[redacted]" }))).toBe(false);
    expect(matches("activity", { post_id: POST_ID }, activity({ metadata: undefined }))).toBe(false);
  });

  test("keyword, source, status", () => {
    expect(matches("activity", { keyword: "guide", source: "Comment", status: "MATCHED" }, activity())).toBe(true);
    expect(matches("activity", { keyword: "PLAYBOOK" }, activity())).toBe(false);
    expect(matches("activity", { source: "message" }, activity())).toBe(false);
    expect(matches("activity", { status: "replied" }, activity())).toBe(false);
  });

  test("author: words in the author's name only", () => {
    expect(matches("activity", { author: "ingrid" }, activity())).toBe(true);
    expect(matches("activity", { author: "osei ingrid" }, activity())).toBe(true);
    expect(matches("activity", { author: "redacted" }, activity())).toBe(false);
  });

  test("created_after and created_before", () => {
    expect(matches("activity", { created_after: "2026-11-20T00:00:00Z", created_before: "2026-11-21T00:00:00Z" }, activity())).toBe(true);
    expect(matches("activity", { created_after: "2026-11-21T00:00:00Z" }, activity())).toBe(false);
    expect(matches("activity", { created_before: "2026-11-20T00:00:00Z" }, activity())).toBe(false);
  });

  test("over the sandbox's seed: who commented GUIDE on one post", () => {
    const seed = buildSeed(Date.parse("2026-12-04T12:00:00Z")).accounts[0];
    const items = seed?.activity ?? [];
    const postId = items[0]?.metadata.post_id ?? "";
    const found = items.filter(FIND_FILTERS.activity.predicate({ post_id: postId, keyword: "guide", source: "comment" }));
    const expected = items.filter((item) => item.metadata.post_id === postId && item.keyword === "GUIDE" && item.source === "comment");
    expect(found).toEqual(expected);
  });
});

describe("list_posts filters", () => {
  test("status and query (words in the text)", () => {
    expect(matches("posts", { status: "scheduled" }, post())).toBe(true);
    expect(matches("posts", { status: "draft" }, post())).toBe(false);
    expect(matches("posts", { query: "boring OUTBOUND" }, post())).toBe(true);
    expect(matches("posts", { query: "inbound" }, post())).toBe(false);
  });

  test("scheduled_after and scheduled_before; a post without a schedule is outside every window", () => {
    const window = { scheduled_after: "2026-12-07T00:00:00Z", scheduled_before: "2026-12-14T00:00:00Z" };
    expect(matches("posts", window, post())).toBe(true);
    expect(matches("posts", window, post({ scheduled_at: "2026-12-14T00:00:00.000Z" }))).toBe(false);
    expect(matches("posts", window, post({ scheduled_at: null, status: "draft" }))).toBe(false);
  });

  test("a schedule window orders matches by scheduled_at, earliest first, unscheduled last", () => {
    const order = FIND_FILTERS.posts.order({ scheduled_after: "2026-12-07T00:00:00Z" });
    expect(order).toBeDefined();
    const posts = [
      post({ id: "c", scheduled_at: "2026-12-09T09:00:00.000Z" }),
      post({ id: "none", scheduled_at: null }),
      post({ id: "a", scheduled_at: "2026-12-08T08:00:00+00:00" }),
      post({ id: "b", scheduled_at: "2026-12-08T10:00:00+01:00" }),
    ];
    expect([...posts].sort(order).map((record) => record.id)).toEqual(["a", "b", "c", "none"]);
    expect(FIND_FILTERS.posts.order({ status: "scheduled" })).toBeUndefined();
    expect(FIND_FILTERS.leads.order({ query: "x" })).toBeUndefined();
  });
});

describe("list_lead_magnets and list_clients filters", () => {
  const magnet = { id: "20010000-0000-4000-8000-000000000001", title: "Outbound guide (1)", keyword: "GUIDE", status: "published", delivery_mode: "hosted_content" };
  const client = { user_id: "00000000-0000-4000-8000-0000000000c2", full_name: "Tomás Ferreira", business_name: "Ferreira Logistics", grant: { status: "active" } };

  test("lead magnets: query (title), status, keyword", () => {
    expect(matches("lead_magnets", { query: "outbound" }, magnet)).toBe(true);
    expect(matches("lead_magnets", { query: "hosted" }, magnet)).toBe(false);
    expect(matches("lead_magnets", { status: "published", keyword: "guide" }, magnet)).toBe(true);
    expect(matches("lead_magnets", { status: "draft" }, magnet)).toBe(false);
    expect(matches("lead_magnets", { keyword: "PLAYBOOK" }, magnet)).toBe(false);
  });

  test("clients: query over full_name and business_name", () => {
    expect(matches("clients", { query: "tomas" }, client)).toBe(true);
    expect(matches("clients", { query: "logistics ferreira" }, client)).toBe(true);
    expect(matches("clients", { query: "active" }, client)).toBe(false);
  });
});

describe("the input schemas", () => {
  test("every filter is optional, and a call without filters is not filtered", () => {
    for (const collection of Object.keys(FIND_FILTERS) as FindCollection[]) {
      expect(issuesOf(collection, {})).toEqual([]);
      expect(FIND_FILTERS[collection].isFiltered({ limit: 5, offset: 10, response_format: "concise" })).toBe(false);
      expect(FIND_FILTERS[collection].predicate({})(null)).toBe(true);
    }
    expect(FIND_FILTERS.leads.isFiltered({ has_intent: false })).toBe(true);
  });

  test("given: the filters given, validated and trimmed, without the other arguments", () => {
    expect(FIND_FILTERS.leads.given({ limit: 5, query: "  ingrid osei ", has_intent: false, keyword: undefined })).toEqual({ query: "ingrid osei", has_intent: false });
  });

  test("a bad date names the field and the expected form", () => {
    const issues = issuesOf("leads", { created_after: "last tuesday" });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((issue) => issue.path === "created_after")).toBe(true);
    expect(issues[0]?.message).toMatch(/ISO 8601 timestamp with a time zone.*created_after/);
    expect(issuesOf("posts", { scheduled_before: "2026-02-30T00:00:00Z" })[0]?.path).toBe("scheduled_before");
    expect(issuesOf("posts", { scheduled_before: "2026-12-08T09:00:00" })[0]?.path).toBe("scheduled_before");
    expect(issuesOf("posts", { scheduled_after: "2026-12-08T09:00:00+05:30" })).toEqual([]);
  });

  test("a window whose start is not before its end is refused at its end", () => {
    const issues = issuesOf("activity", { created_after: "2026-12-08T00:00:00Z", created_before: "2026-12-01T00:00:00Z" });
    expect(issues).toEqual([{ path: "created_before", message: "must be later than created_after (an empty window finds nothing)" }]);
    expect(issuesOf("posts", { scheduled_after: "2026-12-08T00:00:00Z", scheduled_before: "2026-12-08T00:00:00Z" })[0]?.path).toBe("scheduled_before");
  });

  test("other bad values name their field", () => {
    expect(issuesOf("leads", { query: " ?! " })).toEqual([{ path: "query", message: "must contain at least one letter or digit" }]);
    expect(issuesOf("leads", { query: "x".repeat(201) })[0]?.path).toBe("query");
    expect(issuesOf("leads", { keyword: "" })).toEqual([{ path: "keyword", message: "must not be empty" }]);
    expect(issuesOf("leads", { has_intent: "yes" })).toEqual([{ path: "has_intent", message: "must be true or false" }]);
    expect(issuesOf("activity", { post_id: "post-1" })[0]?.path).toBe("post_id");
    expect(issuesOf("posts", { status: "live" })).toEqual([{ path: "status", message: "must be one of draft, scheduled, publishing, published, failed" }]);
    expect(issuesOf("lead_magnets", { status: "archived" })).toEqual([{ path: "status", message: "must be one of draft, published" }]);
  });

  test("descriptions are terse, and left out only where the name and type say it all: the tool list is a token budget", () => {
    // Booleans, enums, ids and time bounds whose name is the whole story.
    const SELF_EXPLANATORY = new Set(["has_intent", "created_after", "created_before", "post_id", "status:enum"]);
    for (const filter of Object.values(FIND_FILTERS)) {
      for (const [name, schema] of Object.entries(filter.shape)) {
        const json = z.toJSONSchema(schema as z.ZodType) as { description?: string; enum?: unknown };
        const description = (schema as z.ZodType).description ?? json.description;
        const key = name === "status" && json.enum !== undefined ? "status:enum" : name;
        if (SELF_EXPLANATORY.has(key)) expect(description, name).toBeUndefined();
        else expect(description, name).toBeTypeOf("string");
        expect((description ?? "").length, name).toBeLessThanOrEqual(60);
      }
    }
  });

  test("the JSON Schema a client receives carries each description once, and no filter is required", () => {
    const schema = z.toJSONSchema(z.object(FIND_FILTERS.leads.shape)) as { properties: Record<string, { description?: string }>; required?: string[] };
    expect(Object.keys(schema.properties)).toEqual(["query", "keyword", "has_intent", "qualification_status", "source", "created_after", "created_before"]);
    expect(schema.properties.query?.description).toBe("Words in name, headline, emails or form name.");
    expect(schema.required ?? []).toEqual([]);
  });
});

describe("the record field table", () => {
  test("valueAt reads own properties along a dotted path, and nothing else", () => {
    expect(valueAt(activity(), RECORD_FIELDS.activity.postId)).toBe(POST_ID);
    expect(valueAt({ metadata: null }, "metadata.post_id")).toBeUndefined();
    expect(valueAt({ metadata: [POST_ID] }, "metadata.0")).toBeUndefined();
    expect(valueAt({}, "constructor")).toBeUndefined();
    expect(valueAt("text", "length")).toBeUndefined();
  });

  test("the sandbox's records carry every field the table names", () => {
    const account = buildSeed(Date.parse("2026-12-04T12:00:00Z")).accounts[0];
    // Missing reads as undefined; a field the record holds as null is there.
    const everyPathIn = (record: unknown, table: Record<string, string | readonly string[]>): string[] =>
      Object.values(table)
        .flat()
        .filter((path) => valueAt(record, path) === undefined);
    const publishedPost = account?.posts.find((record) => record.status === "published");
    expect(everyPathIn(account?.leads[0], RECORD_FIELDS.leads)).toEqual([]);
    expect(everyPathIn(account?.activity[0], RECORD_FIELDS.activity)).toEqual([]);
    expect(everyPathIn(publishedPost, RECORD_FIELDS.posts)).toEqual([]);
    expect(everyPathIn(account?.leadMagnets[0], RECORD_FIELDS.lead_magnets)).toEqual([]);
  });
});
