import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONFIRM_TOKEN_TTL_MS,
  canonicalJson,
  checkConfirmToken,
  issueConfirmToken,
  keyFingerprint,
} from "../../src/writes/confirm-token.js";

const secret = "a shared secret of the deployment";
const now = Date.parse("2026-12-04T15:00:00Z");
const inputs = {
  secret,
  tool: "delete_post",
  args: { post_id: "8a1e3c4e-0000-4000-8000-000000000001" },
  keyFingerprint: keyFingerprint("lp_live_example_key_1"),
  now,
};

describe("confirmation tokens", () => {
  it("round-trips: the same call with its token is confirmed", () => {
    const token = issueConfirmToken(inputs);
    expect(token).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    expect(token.length).toBeLessThanOrEqual(32);
    expect(checkConfirmToken(token, inputs)).toEqual({ ok: true });
    expect(checkConfirmToken(token, { ...inputs, args: { ...inputs.args, confirm: token } })).toEqual({ ok: true });
  });

  it("refuses other arguments, another tool and another key", () => {
    const token = issueConfirmToken(inputs);
    expect(checkConfirmToken(token, { ...inputs, args: { post_id: "8a1e3c4e-0000-4000-8000-000000000002" } })).toEqual({ ok: false, reason: "mismatch" });
    expect(checkConfirmToken(token, { ...inputs, args: { ...inputs.args, extra: true } })).toEqual({ ok: false, reason: "mismatch" });
    expect(checkConfirmToken(token, { ...inputs, tool: "archive_lead_magnet" })).toEqual({ ok: false, reason: "mismatch" });
    expect(checkConfirmToken(token, { ...inputs, keyFingerprint: keyFingerprint("lp_live_example_key_2") })).toEqual({ ok: false, reason: "mismatch" });
    expect(checkConfirmToken(token, { ...inputs, secret: "another secret" })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("expires after five minutes by default, or the ttl given", () => {
    const token = issueConfirmToken(inputs);
    expect(checkConfirmToken(token, { ...inputs, now: now + CONFIRM_TOKEN_TTL_MS - 1 })).toEqual({ ok: true });
    expect(checkConfirmToken(token, { ...inputs, now: now + CONFIRM_TOKEN_TTL_MS })).toEqual({ ok: false, reason: "expired" });
    const short = issueConfirmToken({ ...inputs, ttlMs: 10_000 });
    expect(checkConfirmToken(short, { ...inputs, now: now + 9_000 })).toEqual({ ok: true });
    expect(checkConfirmToken(short, { ...inputs, now: now + 10_000 })).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a tampered token: an extended expiry or an altered MAC", () => {
    const token = issueConfirmToken(inputs);
    const [expiry, mac] = token.split(".") as [string, string];
    const later = (parseInt(expiry, 36) + 3600).toString(36);
    expect(checkConfirmToken(`${later}.${mac}`, inputs)).toEqual({ ok: false, reason: "mismatch" });
    const flipped = (mac[0] === "A" ? "B" : "A") + mac.slice(1);
    expect(checkConfirmToken(`${expiry}.${flipped}`, inputs)).toEqual({ ok: false, reason: "mismatch" });
  });

  it.each(["", "yes", "abc", "abc.def", "..", `${"z".repeat(12)}.${"A".repeat(22)}`, "abc.AAAAAAAAAAAAAAAAAAAAA!", "ABC.AAAAAAAAAAAAAAAAAAAAAA"])(
    "calls %j malformed",
    (token) => {
      expect(checkConfirmToken(token, inputs)).toEqual({ ok: false, reason: "malformed" });
    },
  );

  it("is accepted by a second instance that shares only the secret (Buffer or string)", () => {
    const issuedByFirst = issueConfirmToken({ ...inputs, args: { path: "media/a.png", note: { b: 1, a: [1, 2] } } });
    const second = { ...inputs, secret: Buffer.from(secret), args: { note: { a: [1, 2], b: 1 }, path: "media/a.png" } };
    expect(checkConfirmToken(issuedByFirst, second)).toEqual({ ok: true });
    expect(issueConfirmToken(second)).toBe(issuedByFirst);
  });

  it("binds every argument: any change to the arguments is a mismatch", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), fc.jsonValue(), (args, key, value) => {
        const token = issueConfirmToken({ ...inputs, args });
        expect(checkConfirmToken(token, { ...inputs, args })).toEqual({ ok: true });
        const changed = { ...args, [key]: value };
        if (key !== "confirm" && canonicalJson(changed) !== canonicalJson(args)) {
          expect(checkConfirmToken(token, { ...inputs, args: changed })).toEqual({ ok: false, reason: "mismatch" });
        }
      }),
      { numRuns: 200 },
    );
  });

  it("refuses to work with an empty secret", () => {
    expect(() => issueConfirmToken({ ...inputs, secret: "" })).toThrow(/secret must not be empty/);
  });
});

describe("keyFingerprint", () => {
  it("is short, stable, distinct per key and does not contain the key", () => {
    const key = "lp_live_0123456789abcdef";
    expect(keyFingerprint(key)).toBe(keyFingerprint(key));
    expect(keyFingerprint(key)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(keyFingerprint(key)).not.toBe(keyFingerprint(`${key}x`));
    expect(keyFingerprint(key)).not.toContain("0123");
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1}}');
  });

  it("gives equal text for objects that differ only in key order", () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
      const reversed = Object.fromEntries(Object.entries(value).reverse());
      expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    }));
  });
});
