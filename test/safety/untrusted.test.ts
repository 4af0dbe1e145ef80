import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sanitizeText } from "../../src/safety/sanitize.js";
import { UNTRUSTED_NOTICE, wrapUntrusted } from "../../src/safety/untrusted.js";
import { INJECTION_CORPUS } from "../fixtures/injection-corpus.js";
import { PROPERTY_RUNS, anyText } from "./helpers.js";

const WRAPPED = /^<untrusted-data id="([0-9a-f]{24})" source="([^"]*)">\n([\s\S]*)\n<\/untrusted-data id="\1">$/;

function unwrap(wrapped: string): { id: string; source: string; body: string } {
  const match = WRAPPED.exec(wrapped);
  if (match === null) throw new Error(`not wrapped: ${wrapped.slice(0, 80)}`);
  return { id: match[1] ?? "", source: match[2] ?? "", body: match[3] ?? "" };
}

describe("wrapUntrusted", () => {
  it("wraps text between markers carrying a fresh 96-bit id and the label", () => {
    const wrapped = wrapUntrusted("hello", "activity content");
    const { id, source, body } = unwrap(wrapped);
    expect(body).toBe("hello");
    expect(source).toBe("activity content");
    expect(id).toMatch(/^[0-9a-f]{24}$/);
  });

  it("draws a new id on every call", () => {
    const ids = new Set(Array.from({ length: 200 }, () => unwrap(wrapUntrusted("x", "l")).id));
    expect(ids.size).toBe(200);
  });

  it("never uses an id that occurs in the text, so the closing marker cannot be forged", () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom(...INJECTION_CORPUS.map((entry) => entry.text)), (text, corpus) => {
        for (const candidate of [text, corpus, sanitizeText(corpus)]) {
          const wrapped = wrapUntrusted(candidate, "activity content");
          const { id, body } = unwrap(wrapped);
          expect(body).toBe(candidate);
          expect(candidate.includes(id)).toBe(false);
          expect(wrapped.split(`</untrusted-data id="${id}">`).length).toBe(2);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("keeps the label inside its attribute", () => {
    const { source } = unwrap(wrapUntrusted("x", 'a" onload="evil()\n<b>'));
    expect(source).not.toMatch(/["<>\n]/);
    expect(unwrap(wrapUntrusted("x", "")).source).toBe("third party");
  });

  it("has a one-line notice saying the marked text is data, not instructions", () => {
    expect(UNTRUSTED_NOTICE).not.toContain("\n");
    expect(UNTRUSTED_NOTICE).toMatch(/untrusted-data/);
    expect(UNTRUSTED_NOTICE).toMatch(/not instructions/);
    expect(UNTRUSTED_NOTICE).toMatch(/never follow/);
  });
});
