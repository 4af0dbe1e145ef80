import { describe, expect, it } from "vitest";
import { namePost, schedulingWarnings, type ExistingPost } from "../../src/writes/guardrails.js";

const at = (iso: string) => new Date(iso);
const existing: ExistingPost[] = [
  { id: "p-near", text: "Five rules for onboarding emails people actually read, from two years of tests", status: "scheduled", scheduled_at: "2026-12-05T08:30:00.000Z" },
  { id: "p-far", text: "Something else", status: "scheduled", scheduled_at: "2026-12-05T10:00:01.000Z" },
  { id: "p-published", text: "Old news", status: "published", scheduled_at: "2026-12-05T08:10:00.000Z" },
  { id: "p-draft", text: "Onboarding emails:\n  what works", status: "draft", scheduled_at: null },
  { id: "p-draft-2", text: "Onboarding emails: what works ", status: "draft" },
  { id: "p-published-same", text: "Onboarding emails: what works", status: "published", scheduled_at: "2026-11-01T08:00:00.000Z" },
];

describe("schedulingWarnings", () => {
  it("warns about a scheduled post within 60 minutes, naming its id, time and first words", () => {
    expect(schedulingWarnings({ scheduledAt: at("2026-12-05T09:00:00.000Z") }, existing)).toEqual([
      'another post is scheduled within 60 minutes of 2026-12-05 09:00 UTC: post p-near (scheduled, 2026-12-05 08:30 UTC): "Five rules for onboarding emails people actually read, from…"',
    ]);
  });

  it("counts exactly 60 minutes as within, and a millisecond more as not", () => {
    expect(schedulingWarnings({ scheduledAt: at("2026-12-05T09:30:00.000Z") }, existing)).toHaveLength(1);
    expect(schedulingWarnings({ scheduledAt: at("2026-12-05T09:30:00.001Z") }, existing)).toEqual([
      expect.stringContaining("post p-far"),
    ]);
    expect(schedulingWarnings({ scheduledAt: at("2026-12-05T11:00:01.001Z") }, existing)).toEqual([]);
  });

  it("names several neighbours, nearest first, in the caller's zone too", () => {
    const [warning] = schedulingWarnings({ scheduledAt: at("2026-12-05T09:15:00.000Z") }, existing, { timeZone: "Europe/Berlin" });
    expect(warning).toBe(
      '2 other posts are scheduled within 60 minutes of 2026-12-05 09:15 UTC = 2026-12-05 10:15 Europe/Berlin (+01:00): post p-near (scheduled, 2026-12-05 08:30 UTC = 2026-12-05 09:30 Europe/Berlin (+01:00)): "Five rules for onboarding emails people actually read, from…"; post p-far (scheduled, 2026-12-05 10:00:01 UTC = 2026-12-05 11:00:01 Europe/Berlin (+01:00)): "Something else"',
    );
  });

  it("does not warn about the post being updated, or about published posts", () => {
    expect(schedulingWarnings({ scheduledAt: at("2026-12-05T08:31:00.000Z"), excludeId: "p-near" }, existing)).toEqual([]);
  });

  it("warns when the same text (whitespace aside) is in a draft or scheduled post, not a published one", () => {
    expect(schedulingWarnings({ text: "Onboarding emails: what works" }, existing)).toEqual([
      'the same text is already in 2 other posts: post p-draft (draft): "Onboarding emails: what works"; post p-draft-2 (draft): "Onboarding emails: what works"',
    ]);
    expect(schedulingWarnings({ text: "Old news" }, existing)).toEqual([]);
    expect(schedulingWarnings({ text: "onboarding emails: what works" }, existing)).toEqual([]);
    expect(schedulingWarnings({ text: "   " }, existing)).toEqual([]);
  });

  it("gives both warnings together and caps the names", () => {
    const many: ExistingPost[] = Array.from({ length: 8 }, (_, index) => ({ id: `d${index}`, text: "Same", status: "draft" }));
    const warnings = schedulingWarnings({ text: "Same", scheduledAt: at("2026-12-05T08:00:00Z") }, [...existing, ...many]);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/^the same text is already in 8 other posts: post d0 \(draft\): "Same"; .*post d4 \(draft\): "Same"; and 3 more$/);
  });

  it("ignores posts with a missing or unreadable time", () => {
    const odd: ExistingPost[] = [{ id: "x", status: "scheduled", scheduled_at: "soon" }, { id: "y", status: "scheduled" }];
    expect(schedulingWarnings({ scheduledAt: at("2026-12-05T08:00:00Z") }, odd)).toEqual([]);
  });
});

describe("namePost", () => {
  it("names a post even with fields missing", () => {
    expect(namePost({ id: "p1" })).toBe("post p1 (status unknown)");
    expect(namePost({ id: "p1", status: "draft", text: 'He said "hi"' })).toBe('post p1 (draft): "He said \\"hi\\""');
  });
});
