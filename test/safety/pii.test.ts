import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MASK, maskEmail, maskEmailsInText, maskLeadEmails } from "../../src/safety/pii.js";

describe("maskEmail", () => {
  it.each([
    ["kim@example.com", "k•••@example.com"],
    ["kim+leads@example.com", "k•••@example.com"],
    ["  Kim.Lee@Sub.Example.co.uk ", "K•••@Sub.Example.co.uk"],
    ["k@example.com", "•••@example.com"],
    ["🦊fox@example.com", "🦊•••@example.com"],
    ['"a@b"@example.com', '"•••@example.com'],
    ["no-at-sign", "•••"],
    ["@example.com", "•••"],
    ["kim@", "•••"],
    ["", ""],
  ])("%j → %j", (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it("never shows more of the local part than its first character", () => {
    fc.assert(fc.property(fc.emailAddress(), (email) => {
      const masked = maskEmail(email);
      const at = email.lastIndexOf("@");
      expect(masked).toBe(`${at > 1 ? email[0] : ""}${MASK}@${email.slice(at + 1)}`);
    }));
  });
});

describe("maskEmailsInText", () => {
  it("masks each address in a text and keeps the rest", () => {
    expect(maskEmailsInText("Write to kim@example.com or <lee@example.org>.")).toBe("Write to k•••@example.com or <l•••@example.org>.");
    expect(maskEmailsInText("mailto:kim@example.com")).toBe("mailto:k•••@example.com");
    expect(maskEmailsInText("Kim Lee, @kimlee, example.com")).toBe("Kim Lee, @kimlee, example.com");
  });
});

describe("maskLeadEmails", () => {
  const lead = {
    id: "5b0c6c1e-0000-4000-8000-000000000001",
    linkedin_profile_url: "https://www.linkedin.com/in/kim-lee",
    name: "Kim Lee",
    emails: { submitted: "kim@example.com", work: "kim.lee@acme.io", personal: null, other: "kim at home" },
    form: { answers: [{ question: "Best email?", answer: "k.lee+x@mail.example" }] },
    note: "reached via lee@acme.io",
    latest_keyword: "GUIDE",
  };

  it("masks every email field and every address elsewhere, keeping names and other fields", () => {
    expect(maskLeadEmails(lead)).toEqual({
      ...lead,
      emails: { submitted: "k•••@example.com", work: "k•••@acme.io", personal: null, other: MASK },
      form: { answers: [{ question: "Best email?", answer: "k•••@mail.example" }] },
      note: "reached via l•••@acme.io",
    });
  });

  it("does not modify the lead it was given", () => {
    const copy = structuredClone(lead);
    maskLeadEmails(lead);
    expect(lead).toEqual(copy);
  });

  it("leaves no address unmasked in any lead-shaped record", () => {
    fc.assert(fc.property(fc.emailAddress(), fc.string().filter((name) => !name.includes("@")), fc.emailAddress(), (email, name, other) => {
      const masked = maskLeadEmails({ name, emails: { submitted: email, work: null }, extra: [other] });
      expect(JSON.stringify(masked)).not.toContain(email);
      expect(masked.emails.submitted).toBe(maskEmail(email));
      expect(masked.name).toBe(name);
    }));
  });

  it("passes through values that are not records", () => {
    expect(maskLeadEmails(null)).toBeNull();
    expect(maskLeadEmails("kim@example.com")).toBe("k•••@example.com");
    expect(maskLeadEmails([{ emails: { submitted: "kim@example.com" } }])).toEqual([{ emails: { submitted: "k•••@example.com" } }]);
  });
});
