import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { EXCERPT_MAX_CHARS, EXCERPT_WORDS, compactTimestamp, excerpt, projectConcise, responseFormatShape } from "../../src/find/concise.js";
import { shapeActivityItem, shapeClient, shapeLead } from "../../src/safety/redact.js";
import { HOSTILE_STRINGS, buildSeed } from "../../src/sandbox/seed.js";

const NOW = Date.parse("2026-12-04T12:00:00.000Z");
const seed = buildSeed(NOW);
const account = seed.accounts[0];
if (account === undefined) throw new Error("the seed has no direct account");

describe("posts", () => {
  test("a scheduled post: id, status, scheduled time to the minute, first words with the rest counted, media", () => {
    const post = {
      id: "10010000-0000-4000-8000-000000000003",
      status: "scheduled",
      scheduled_at: "2026-12-08T09:00:00.000Z",
      published_at: null,
      text: "Most outbound fails for one boring reason.\n\nWe mapped every step a prospect takes before booking a call.",
      images: ["a.png", "https://images.example.com/b.jpg"],
      document_url: null,
      metrics: null,
      followups: [{ id: "x", text: "thanks" }],
    };
    expect(projectConcise("posts", post)).toEqual({
      id: "10010000-0000-4000-8000-000000000003",
      status: "scheduled",
      scheduled_at: "2026-12-08T09:00Z",
      text: "Most outbound fails for one",
      more_chars: "boring reason.\n\nWe mapped every step a prospect takes before booking a call.".length,
      media: 2,
    });
  });

  test("a published post: its published time and headline metrics", () => {
    const published = account.posts.find((post) => post.status === "published" && post.metrics !== null);
    if (published === undefined || published.metrics === null || published.published_at === null) throw new Error("no published post in the seed");
    const item = projectConcise("posts", published);
    expect(item).toMatchObject({
      id: published.id,
      status: "published",
      published_at: `${published.published_at.slice(0, 16)}Z`,
      impressions: published.metrics.impressions,
      reactions: published.metrics.reactions,
      comments: published.metrics.comments,
    });
    expect(item).not.toHaveProperty("scheduled_at");
    expect(item).not.toHaveProperty("reposts");
  });

  test("a document counts as media; a draft has no time; a short text is whole, with nothing remaining", () => {
    expect(projectConcise("posts", { id: "p", status: "draft", scheduled_at: null, text: "Short one.", images: [], document_url: "u/documents/x.pdf" })).toEqual({
      id: "p",
      status: "draft",
      text: "Short one.",
      media: 1,
    });
  });

  test("odd fields are left out, never guessed", () => {
    expect(projectConcise("posts", { id: 7, status: ["scheduled"], scheduled_at: 1765184400000, text: null, images: "a.png", metrics: { impressions: "1204", reactions: Number.NaN, comments: 3 } })).toEqual({
      comments: 3,
    });
  });

  test("a concise post stays small however long the post: a 3,000-character text with 20 images", () => {
    const text = "word ".repeat(600).trim();
    const long = { ...account.posts[0], text, images: Array.from({ length: 20 }, (_, k) => `https://images.example.com/${k}.png`) };
    expect(Buffer.byteLength(JSON.stringify(long))).toBeGreaterThan(3_500);
    const item = projectConcise("posts", long);
    expect(item).toMatchObject({ text: "word word word word word", more_chars: text.length - "word ".repeat(5).length, media: 20 });
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThanOrEqual(250);
  });

  test("a concise page of the sandbox's 50 newest posts is under a quarter of the detailed page's bytes", () => {
    // The sandbox's posts are short (about 250 characters): on longer posts the share is smaller.
    const page = account.posts.slice(0, 50);
    const detailed = Buffer.byteLength(JSON.stringify(page));
    const concise = Buffer.byteLength(JSON.stringify(page.map((post) => projectConcise("posts", post))));
    expect(concise).toBeLessThanOrEqual(detailed * 0.25);
  });
});

describe("excerpt", () => {
  test("five words at most, on one line, with the characters not shown", () => {
    const text = "one two  three\nfour five six seven";
    expect(excerpt(text)).toEqual({ text: "one two three four five", moreChars: "six seven".length });
    expect(excerpt("one two")).toEqual({ text: "one two", moreChars: 0 });
    expect(excerpt("")).toEqual({ text: "", moreChars: 0 });
  });

  test("cut at a word boundary: a word that would pass 32 characters ends the excerpt", () => {
    expect(excerpt("Supercalifragilistic expialidocious word")).toEqual({ text: "Supercalifragilistic", moreChars: "expialidocious word".length });
    expect(EXCERPT_MAX_CHARS).toBe(32);
  });

  test("a first word longer than the excerpt is cut, counting code points, never splitting a surrogate pair", () => {
    const word = "😀".repeat(300);
    const shown = excerpt(word);
    expect(Array.from(shown.text)).toHaveLength(EXCERPT_MAX_CHARS);
    expect(shown.moreChars).toBe(300 - EXCERPT_MAX_CHARS);
    // A lone surrogate would not survive a round trip through UTF-8.
    expect(Buffer.from(shown.text).toString()).toBe(shown.text);
  });

  test("property: the text's first words, whole, as many as fit; shown plus remaining is the whole text", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-zé😀]{1,40}$/), { maxLength: 40 }), fc.constantFrom(" ", "\n", "  \t"), (words, gap) => {
        const text = words.join(gap);
        const shown = excerpt(text);
        const shownWords = shown.text === "" ? [] : shown.text.split(" ");
        expect(shownWords.length).toBeLessThanOrEqual(EXCERPT_WORDS);
        expect(Array.from(shown.text).length).toBeLessThanOrEqual(EXCERPT_MAX_CHARS);
        const firstTooLong = Array.from(words[0] ?? "").length > EXCERPT_MAX_CHARS;
        if (firstTooLong) {
          // The one case a word is cut: the first, to the excerpt's length.
          expect(shown.text).toBe(Array.from(words[0] ?? "").slice(0, EXCERPT_MAX_CHARS).join(""));
        } else {
          expect(shownWords).toEqual(words.slice(0, shownWords.length));
          // As many as fit: the next word would pass the word or character limit.
          const next = words[shownWords.length];
          if (next !== undefined) {
            const widthWithNext = Array.from([...shownWords, next].join(" ")).length;
            expect(shownWords.length === EXCERPT_WORDS || widthWithNext > EXCERPT_MAX_CHARS).toBe(true);
          }
        }
        const consumed = firstTooLong ? shown.text : shownWords.join(gap);
        expect(shown.moreChars).toBe(Array.from(text.slice(consumed.length).trim()).length);
      }),
    );
  });
});

describe("compactTimestamp", () => {
  test("to the minute, the zone kept: seconds and milliseconds cut, never rounded", () => {
    expect(compactTimestamp("2026-12-04T11:40:41.532Z")).toBe("2026-12-04T11:40Z");
    expect(compactTimestamp("2026-12-08T09:00:00.000Z")).toBe("2026-12-08T09:00Z");
    expect(compactTimestamp("2026-12-08T09:00:07Z")).toBe("2026-12-08T09:00Z");
    expect(compactTimestamp("2026-12-08T09:00:59.999Z")).toBe("2026-12-08T09:00Z");
    expect(compactTimestamp("2026-12-08T09:00:00+01:00")).toBe("2026-12-08T09:00+01:00");
    expect(compactTimestamp("2026-12-08T09:00Z")).toBe("2026-12-08T09:00Z");
    expect(compactTimestamp("2026-12-08")).toBe("2026-12-08");
    expect(compactTimestamp("soon")).toBe("soon");
  });

  test("property: the start of the instant's minute, still ISO 8601", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }), (date) => {
        const compact = compactTimestamp(date.toISOString());
        expect(compact).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
        expect(Date.parse(compact)).toBe(Math.floor(date.getTime() / 60_000) * 60_000);
      }),
    );
  });
});

describe("leads (after sanitizing)", () => {
  test("id, name, headline, one email, profile URL, keyword, intent, qualification", () => {
    const lead = account.leads.find((record) => record.emails.submitted !== null && record.headline !== null && !HOSTILE_STRINGS.includes(record.name));
    if (lead === undefined) throw new Error("no plain lead in the seed");
    expect(projectConcise("leads", shapeLead(lead))).toEqual({
      id: lead.id,
      name: lead.name,
      headline: lead.headline,
      email: lead.emails.submitted,
      profile_url: lead.linkedin_profile_url,
      ...(lead.latest_keyword === null ? {} : { keyword: lead.latest_keyword }),
      has_intent: lead.has_intent,
      qualification_status: lead.qualification_status,
    });
  });

  test("the email shown: submitted, else work, else personal", () => {
    const emails = (submitted: string | null, work: string | null, personal: string | null): unknown => projectConcise("leads", { emails: { submitted, work, personal } }).email;
    expect(emails("s@x.example", "w@x.example", "p@x.example")).toBe("s@x.example");
    expect(emails(null, "w@x.example", "p@x.example")).toBe("w@x.example");
    expect(emails(null, null, "p@x.example")).toBe("p@x.example");
    expect(emails("", null, "p@x.example")).toBe("p@x.example");
    expect(emails(null, null, null)).toBeUndefined();
    expect(projectConcise("leads", { emails: "s@x.example" })).toEqual({});
  });

  test("a hostile name stays as sanitizing left it: one line, its invisible characters gone", () => {
    const hostile = account.leads.find((record) => record.name.includes("\u200B"));
    if (hostile === undefined) throw new Error("no lead with a zero-width character in the seed");
    const item = projectConcise("leads", shapeLead(hostile));
    expect(item.name).toBe((shapeLead(hostile) as { name: string }).name);
    expect(String(item.name)).not.toMatch(/[\u200B\n]/);
  });
});

describe("activity (after redaction)", () => {
  test("id, source, author, keyword, status, post id, time and the content marker", () => {
    const raw = account.activity.find((item) => item.source === "comment" && item.keyword !== null && !HOSTILE_STRINGS.includes(item.author_name));
    if (raw === undefined) throw new Error("no plain comment in the seed");
    const item = projectConcise("activity", shapeActivityItem(raw, "redact"));
    expect(item).toEqual({
      id: raw.id,
      source: "comment",
      author: raw.author_name,
      keyword: raw.keyword,
      status: raw.status,
      post_id: raw.metadata.post_id,
      created_at: `${raw.created_at.slice(0, 16)}Z`,
      content: `[redacted: ${Array.from(raw.content).length} characters]`,
    });
  });

  test("never un-redacts: no item holds a hostile content, a platform id or a profile URL", () => {
    for (const raw of account.activity) {
      const text = JSON.stringify(projectConcise("activity", shapeActivityItem(raw, "redact")));
      expect(text).not.toContain(raw.content.slice(0, 40));
      expect(text).not.toContain("urn:li");
      expect(text).not.toContain("sbx-chat");
      expect(text).not.toContain("linkedin.com");
    }
  });

  test("in sanitized mode the wrapped content is kept as it is", () => {
    const raw = account.activity[1];
    if (raw === undefined) throw new Error("no activity in the seed");
    const shaped = shapeActivityItem(raw, "sanitized") as { content: string };
    expect(projectConcise("activity", shaped).content).toBe(shaped.content);
    expect(shaped.content).toMatch(/^<untrusted-data id="/);
  });
});

describe("lead magnets and clients", () => {
  test("a lead magnet: id, title, status, keyword, delivery mode", () => {
    const magnet = account.leadMagnets[0];
    if (magnet === undefined) throw new Error("no lead magnet in the seed");
    expect(projectConcise("lead_magnets", magnet)).toEqual({ id: magnet.id, title: magnet.title, status: magnet.status, keyword: magnet.keyword, delivery_mode: magnet.delivery_mode });
  });

  test("a client: user id, names and the grant's status; a direct listing has no grant", () => {
    const grant = seed.grants[0]?.grant;
    const profile = seed.users.find((user) => user.user_id === seed.grants[0]?.clientUserId);
    if (grant === undefined || profile === undefined) throw new Error("no grant in the seed");
    expect(projectConcise("clients", shapeClient({ ...profile, grant }))).toEqual({
      user_id: profile.user_id,
      full_name: profile.full_name,
      business_name: profile.business_name,
      grant_status: "active",
    });
    expect(projectConcise("clients", shapeClient(profile))).not.toHaveProperty("grant_status");
  });
});

describe("anything else", () => {
  test("a record that is not an object projects to an empty item, for every collection", () => {
    for (const collection of ["posts", "leads", "activity", "lead_magnets", "clients"] as const) {
      for (const odd of [null, undefined, "[redacted]", 42, ["id"]]) expect(projectConcise(collection, odd)).toEqual({});
    }
  });

  test("response_format: concise or detailed, optional, and a bad value is named", () => {
    const schema = z.object(responseFormatShape);
    expect(schema.parse({})).toEqual({});
    expect(schema.parse({ response_format: "detailed" })).toEqual({ response_format: "detailed" });
    const refused = schema.safeParse({ response_format: "full" });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({ path: ["response_format"], message: "must be concise or detailed" });
  });
});
