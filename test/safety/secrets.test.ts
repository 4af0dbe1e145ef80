import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, REDACTED_SIGNED_URL, SecretScrubber, secrets } from "../../src/safety/secrets.js";
import { INJECTION_CORPUS } from "../fixtures/injection-corpus.js";
import { PROPERTY_RUNS, anyText, medianMilliseconds } from "./helpers.js";

const API_KEY = "lp_live_9fQ2xR7tLm3Np8Vb_Kd-4Ws6Yh1Jc";
const UPLOAD_URL =
  "https://abc.supabase.co/storage/v1/object/upload/sign/media/u-1/photo.png?token=eyJhbGciOiJIUzI1NiJ9.eyJ1cmwiOiJtZWRpYSJ9.c2lnbmF0dXJl";
const UPLOAD_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1cmwiOiJtZWRpYSJ9.c2lnbmF0dXJl";

function scrubberWithSecrets(): SecretScrubber {
  const scrubber = new SecretScrubber();
  scrubber.addSecret(API_KEY);
  scrubber.addSecret(UPLOAD_URL);
  scrubber.addSecret(UPLOAD_TOKEN);
  return scrubber;
}

/** Where a leaked secret may hide: raw, URL-encoded, JSON-escaped, slash-escaped. */
function leakForms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), secret.replaceAll("/", "\\/")];
}

/** encodeURIComponent throws on lone surrogates, which the arbitrary texts include. */
function encodeLoosely(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, "?"));
}

function expectNoLeak(text: string, ...secretValues: string[]): void {
  for (const secret of secretValues) for (const form of leakForms(secret)) expect(text).not.toContain(form);
}

describe("SecretScrubber with registered secrets", () => {
  it("removes each registered secret in every embedding", () => {
    const scrubber = scrubberWithSecrets();
    const embeddings = [
      `key=${API_KEY}`,
      `Authorization: Bearer ${API_KEY}`,
      JSON.stringify({ headers: { authorization: `Bearer ${API_KEY}` }, url: UPLOAD_URL, token: UPLOAD_TOKEN }),
      JSON.stringify(JSON.stringify({ upload_url: UPLOAD_URL, token: UPLOAD_TOKEN })),
      `https://proxy.example/?target=${encodeURIComponent(UPLOAD_URL)}&k=${encodeURIComponent(API_KEY)}`,
      new Error(`PUT ${UPLOAD_URL} failed: 403 (token ${UPLOAD_TOKEN})`).message,
      `"${API_KEY}"`,
      `url: '${UPLOAD_URL.replaceAll("/", "\\/")}'`,
    ];
    for (const text of embeddings) {
      const scrubbed = scrubber.scrub(text);
      expectNoLeak(scrubbed, API_KEY, UPLOAD_URL, UPLOAD_TOKEN);
      expect(scrubbed).toMatch(/\[REDACTED/);
    }
  });

  it("registers the key as pasted with quotes or spaces too, and ignores short values", () => {
    const scrubber = new SecretScrubber();
    scrubber.addSecret(` "${API_KEY}"\n`);
    expect(scrubber.scrub(`x ${API_KEY} y`)).toBe(`x ${REDACTED} y`);
    scrubber.addSecret("short");
    scrubber.addSecret("");
    expect(scrubber.scrub("a short note")).toBe("a short note");
  });

  it("removes any registered secret wherever it is embedded (property)", () => {
    const secretValue = fc
      .stringMatching(/^[A-Za-z0-9.~+=-]{8,48}$/)
      .filter((value) => !["[REDACTED]", "[REDACTED_SIGNED_URL]", "lp_live_[REDACTED]", "Bearer [REDACTED]"].some((marker) => marker.includes(value)));
    fc.assert(
      fc.property(secretValue, anyText, anyText, fc.constantFrom("raw", "uri", "json", "jsonDouble", "error", "url"), (secret, before, after, form) => {
        const scrubber = new SecretScrubber();
        scrubber.addSecret(secret);
        const embedded =
          form === "raw" ? `${before}${secret}${after}`
          : form === "uri" ? `${before}${encodeLoosely(secret)}${after}`
          : form === "json" ? JSON.stringify({ before, value: secret, after })
          : form === "jsonDouble" ? JSON.stringify(JSON.stringify({ value: `${before}${secret}` }))
          : form === "error" ? String(new Error(`${before} failed with ${secret}: ${after}`))
          : `https://x.example/a?q=${encodeLoosely(before)}&key=${secret}`;
        expect(scrubber.scrub(embedded)).not.toContain(secret);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe("SecretScrubber shape rules", () => {
  const scrubber = new SecretScrubber();

  it("redacts anything shaped like a LeadPanther key", () => {
    expect(scrubber.scrub("use lp_live_abc123-XYZ_9 now")).toBe("use lp_live_[REDACTED] now");
    expect(scrubber.scrub('{"k":"lp_test_zz"}')).toBe('{"k":"lp_test_[REDACTED]"}');
    expect(scrubber.scrub("LP_LIVE_ABC")).toBe("lp_live_[REDACTED]");
    expect(scrubber.scrub("keys start with lp_live_ or lp_test_")).toBe("keys start with lp_live_ or lp_test_");
  });

  it("redacts every key-shaped string in any surrounding text (property)", () => {
    fc.assert(
      fc.property(anyText, fc.stringMatching(/^lp_(live|test)_[A-Za-z0-9_-]{1,40}$/), anyText, (before, key, after) => {
        for (const text of [`${before}${key}${after}`, JSON.stringify({ before, key, after }), `https://x.example/?k=${key}`, String(new Error(`${before}${key}`))]) {
          expect(scrubber.scrub(text)).not.toMatch(/lp_(?:live|test)_[A-Za-z0-9_-]/i);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("redacts Authorization headers and bearer tokens, not prose", () => {
    expect(scrubber.scrub("Authorization: Bearer abc.def-123_xyz")).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(scrubber.scrub('{"authorization":"Basic dXNlcjpwYXNzd29yZA=="}')).toBe(`{"authorization":"Bearer ${REDACTED}"}`);
    expect(scrubber.scrub("headers: { authorization: 'Bearer s3cr3t-t0ken' }")).toBe(`headers: { authorization: 'Bearer ${REDACTED}' }`);
    expect(scrubber.scrub("sent bearer eyJhbGciOiJIUzI1NiJ9.x.y")).toBe(`sent Bearer ${REDACTED}`);
    expect(scrubber.scrub("I am the bearer of good news")).toBe("I am the bearer of good news");
    // Prose in a post is not a credential: a word after the scheme must look like one.
    for (const prose of [
      "Authorization: Basic training starts Monday",
      "Authorization: Basic Training",
      "Authorization: basic understanding of the rules",
      "Prior authorization: time-consuming, paper-based and slow.",
      "Authorization: pre-approved by the board",
      "The bearer 20260501 bond",
      "Bearer Instructions",
      "send 'Authorization: Bearer <API key>' with every request",
    ]) {
      expect(scrubber.scrub(prose)).toBe(prose);
    }
    // …but anything else after an explicit Authorization is, short or long, and so are long
    // digit or capital runs after a bare bearer.
    for (const credential of [
      "Authorization: Basic dXNlcjpwYXNz",
      "Authorization: Bearer abcdefghijklmno",
      "Authorization: Token supersecretpassword",
      "Authorization: Bearer s3cr3t",
      "Authorization: Basic YTpi",
      "Authorization: 1234567890123",
      "Authorization: Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1",
    ]) {
      expect(scrubber.scrub(credential), credential).toBe(`Authorization: Bearer ${REDACTED}`);
    }
    expect(scrubber.scrub("bearer abcdefghijklmnopqrstu")).toBe(`Bearer ${REDACTED}`);
    expect(scrubber.scrub("bearer 1234567890123456789")).toBe(`Bearer ${REDACTED}`);
    expect(scrubber.scrub("bearer ABCDEFGHJKLMNPQR")).toBe(`Bearer ${REDACTED}`);
  });

  it("redacts unquoted passwords and API keys, and JSON Web Tokens anywhere, not prose", () => {
    const scrubber = new SecretScrubber();
    expect(scrubber.scrub("wifi password: hunter2 (ask Sam)")).toBe(`wifi password: ${REDACTED} (ask Sam)`);
    expect(scrubber.scrub("x-api-key: 9f8e7d6c5b4a")).toBe(`x-api-key: ${REDACTED}`);
    expect(scrubber.scrub("API-KEY=abcDEF123456")).toBe(`API-KEY=${REDACTED}`);
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    expect(scrubber.scrub(`Cookie: session=${jwt}; theme=dark`)).toBe(`Cookie: session=${REDACTED}; theme=dark`);
    for (const prose of ["Forgot your password: reset it here", "password: 1234", "the api-key rotation is monthly", "Use a password manager"]) {
      expect(scrubber.scrub(prose), prose).toBe(prose);
    }
    expect(scrubber.containsSecret(JSON.stringify({ notes: "wifi password: hunter2" }))).toBe(true);
    expect(scrubber.containsSecret(JSON.stringify({ notes: `session ${jwt}` }))).toBe(true);
    expect(scrubber.scrub("Authorization: required for this call")).toBe("Authorization: required for this call");
  });

  it("redacts signed URLs: token, signature, X-Amz-Signature, sig, sign paths, escaped and encoded", () => {
    const signed = [
      "https://abc.supabase.co/storage/v1/object/upload/sign/media/a.png?token=eyJx",
      "https://abc.supabase.co/storage/v1/object/sign/media/a.png",
      "https://bucket.s3.amazonaws.com/a.png?X-Amz-Algorithm=AWS4&X-Amz-Signature=0a1b2c",
      "https://acct.blob.core.windows.net/c/a.png?sv=2024&sig=abc%2Fdef",
      "https://cdn.example/a.png?expires=1&signature=abcdef",
      "https:\\/\\/abc.supabase.co\\/storage\\/v1\\/object\\/upload\\/sign\\/m\\/a.png",
    ];
    for (const url of signed) {
      expect(scrubber.scrub(`PUT ${url} failed`)).toBe(`PUT ${REDACTED_SIGNED_URL} failed`);
    }
    expect(scrubber.scrub(`go https://x.example/?next=${encodeURIComponent(signed[0] ?? "")}`)).toBe(`go ${REDACTED_SIGNED_URL}`);
    expect(scrubber.scrub("see https://www.linkedin.com/in/ada?trk=x and https://app.leadpanther.ai/api/v1/posts")).toBe(
      "see https://www.linkedin.com/in/ada?trk=x and https://app.leadpanther.ai/api/v1/posts",
    );
    expect(scrubber.scrub("path /storage/v1/object/upload/sign/m/a.png?token=eyJabc&x=1")).toBe(
      `path /storage/v1/object/upload/sign/m/a.png?token=${REDACTED}&x=1`,
    );
  });

  it("redacts token and upload_url values in JSON-ish text", () => {
    expect(scrubber.scrub('{"upload_url": "https://x/y", "token": "abc", "path": "u/a.png"}')).toBe(
      `{"upload_url": "${REDACTED}", "token": "${REDACTED}", "path": "u/a.png"}`,
    );
    expect(scrubber.scrub('{\\"token\\":\\"abc\\",\\"n\\":1}')).toBe(`{\\"token\\":\\"${REDACTED}\\",\\"n\\":1}`);
    expect(scrubber.scrub("{ token: 'abc', access_token: \"def\" }")).toBe(`{ token: '${REDACTED}', access_token: "${REDACTED}" }`);
    expect(scrubber.scrub('{"max_tokens": "5", "tokens": "x"}')).toBe('{"max_tokens": "5", "tokens": "x"}');
  });

  it("is idempotent and leaves the hostile corpus free of key shapes", () => {
    const registered = scrubberWithSecrets();
    for (const entry of INJECTION_CORPUS) {
      const once = registered.scrub(entry.text);
      expect(registered.scrub(once)).toBe(once);
      expect(once).not.toMatch(/lp_(?:live|test)_[A-Za-z0-9_-]/i);
    }
  });

  it("runs in linear time on adversarial 100 KB inputs", () => {
    const registered = scrubberWithSecrets();
    const size = 100 * 1024;
    const inputs = [
      "lp_live_".repeat(size / 8),
      "https://".repeat(size / 8),
      "authorization: ".repeat(size / 15),
      "bearer ".repeat(size / 7),
      '"token":"'.repeat(size / 9),
      "a".repeat(size),
      "abc_token".repeat(size / 9),
      `https://x.example/${"a".repeat(size)}`,
      "eyJhbGciOiJIUzI1NiJ9.".repeat(size / 21),
    ];
    for (const input of inputs) {
      expect(medianMilliseconds(() => registered.scrub(input)), input.slice(0, 20)).toBeLessThan(50);
    }
  });
});

describe("SecretScrubber.scrubDeep", () => {
  it("withholds a string under a secret's field name even when the string alone looks harmless", () => {
    const scrubber = new SecretScrubber();
    // The one-pass check sees the field name alone, so the deep scrub runs.
    expect(scrubber.containsSecret(JSON.stringify({ authorization: "Token abc" }))).toBe(true);
    expect(scrubber.containsSecret(JSON.stringify({ authorization: "[REDACTED]", note: "no secret here" }))).toBe(false);
    const value = { headers: { authorization: "abcd1234efgh" }, access_token: "short", keyword: "GUIDE", note: "token bucket" };
    expect(scrubber.containsSecret(JSON.stringify(value))).toBe(true);
    expect(scrubber.scrubDeep(value)).toEqual({ headers: { authorization: REDACTED }, access_token: REDACTED, keyword: "GUIDE", note: "token bucket" });
  });

  it("returns a scrubbed copy of nested values, keys and errors", () => {
    const scrubber = scrubberWithSecrets();
    const original = {
      data: { upload_url: UPLOAD_URL, token: UPLOAD_TOKEN, path: "u/a.png", size: 10, ok: true, none: null },
      list: [`Bearer ${API_KEY}`, { [API_KEY]: "as a key" }],
      error: new Error(`failed with ${API_KEY}`),
    };
    const scrubbed = scrubber.scrubDeep(original);
    expect(scrubbed).not.toBe(original);
    expect(original.data.token).toBe(UPLOAD_TOKEN);
    expect(scrubbed.data).toEqual({ upload_url: REDACTED, token: REDACTED, path: "u/a.png", size: 10, ok: true, none: null });
    expect(scrubbed.error).toBeInstanceOf(Error);
    expect(scrubbed.error.message).toBe(`failed with ${REDACTED}`);
    expectNoLeak(JSON.stringify(scrubbed), API_KEY, UPLOAD_URL, UPLOAD_TOKEN);
    expectNoLeak(String(scrubbed.error.stack), API_KEY);
  });

  it("survives cycles and odd values", () => {
    const cyclic: Record<string, unknown> = { k: API_KEY };
    cyclic["self"] = cyclic;
    expect(scrubberWithSecrets().scrubDeep(cyclic)).toEqual({ k: REDACTED, self: "[circular]" });
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withNullPrototype: true }), (value) => {
        expect(() => secrets.scrubDeep(value)).not.toThrow();
      }),
      PROPERTY_RUNS,
    );
  });
});

describe("SecretScrubber.containsSecret", () => {
  it("agrees with scrub on serialised results, escaped line breaks included", () => {
    const scrubber = scrubberWithSecrets();
    expect(scrubber.containsSecret(JSON.stringify({ text: "a clean post", n: 1 }))).toBe(false);
    expect(scrubber.containsSecret(JSON.stringify({ text: `key ${API_KEY}` }))).toBe(true);
    expect(scrubber.containsSecret(JSON.stringify({ text: "lp_test_unregistered1" }))).toBe(true);
    expect(scrubber.containsSecret(JSON.stringify({ h: "Authorization:\nBearer abc123def456" }))).toBe(true);
    expect(scrubber.containsSecret(JSON.stringify({ already: `Bearer ${REDACTED}` }))).toBe(false);
  });

  it("finds every registered form on its own, where no shape rule would (its quick look tests only the innermost forms)", () => {
    const scrubber = new SecretScrubber();
    // An opaque upload secret: no key prefix, no token word; its URL-, JSON- and slash-escaped forms differ.
    const opaque = "Zq8/Rt1+Vx3\"Yw5 Ab7Cd9Ef";
    scrubber.addSecret(opaque);
    scrubber.addSecret(API_KEY);
    const forms = [opaque, encodeURIComponent(opaque), encodeURI(opaque), JSON.stringify(opaque).slice(1, -1), opaque.replaceAll("/", "\\/"), API_KEY.slice("lp_live_".length)];
    for (const form of forms) {
      const text = `a post quoting ${form} in passing`;
      expect(new SecretScrubber().containsSecret(text), form).toBe(false);
      expect(scrubber.containsSecret(text), form).toBe(true);
      expect(scrubber.scrub(text), form).toBe(`a post quoting ${REDACTED} in passing`);
    }
  });

  it("flags every value whose string-by-string scrub would change it (property)", () => {
    const scrubber = scrubberWithSecrets();
    const value = fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.oneof(anyText, fc.constantFrom(API_KEY, UPLOAD_URL, UPLOAD_TOKEN, "lp_live_x1", "Bearer abcdef123456"), fc.integer()),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(value, (record) => {
        const changed = JSON.stringify(scrubber.scrubDeep(record)) !== JSON.stringify(record);
        if (changed) expect(scrubber.containsSecret(JSON.stringify(record))).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });

  it("has no blind spot in its quick first look: values built from every pattern's pieces (property)", () => {
    const scrubber = scrubberWithSecrets();
    const pieces = fc.constantFrom(
      "Authorization", "AUTHORIZATION", ":", "=", " ", "\n", "\t", "\"", "'", "Bearer", "bearer", "Basic", "abc123def456ghi", "x",
      "token", "Token", "access_token", "signature", "sig", "%3D", "%3d", "?", "&", ";", "%3F", "%26", "https://", "http:\\/\\/", "wss://",
      "cdn.example/", "upload", "object", "/sign/", "%2Fsign%2F", "\\/sign\\/", "x-amz-signature", "X-Goog-Signature", "api_key", "apiKey",
      "password", "client_secret", "uploadUrl", "signed_url", "lp_live_", "LP_TEST_", "lp_test_", "\\u005f", "\\u0020", API_KEY.slice(0, 12),
    );
    const value = fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("text", "note", "upload_url", "h"), value, { maxKeys: 3 }), (record) => {
        const changed = JSON.stringify(scrubber.scrubDeep(record)) !== JSON.stringify(record);
        if (changed) expect(scrubber.containsSecret(JSON.stringify(record))).toBe(true);
      }),
      { numRuns: Number(process.env.SECRET_PROPERTY_RUNS ?? 2_000) },
    );
  });
});

describe("SecretScrubber.removeSecret", () => {
  it("forgets a secret in every form it was added in", () => {
    const scrubber = new SecretScrubber();
    const url = "https://storage.example/upload/sign/b/p.png?token=abcdef123456";
    scrubber.addSecret(url);
    scrubber.addSecret("tok_abcdef123456");
    scrubber.removeSecret("tok_abcdef123456");
    expect(scrubber.scrub("tok_abcdef123456")).toBe("tok_abcdef123456");
    expect(scrubber.scrub(`x ${url}`)).not.toContain("abcdef123456");
    scrubber.removeSecret(url);
    // The shape rule still catches a signed URL once its exact value is forgotten.
    expect(scrubber.scrub(`x ${url}`)).toBe("x [REDACTED_SIGNED_URL]");
  });
});

describe("SecretScrubber: secrets transformed on the way", () => {
  const KEY_BODY = API_KEY.slice("lp_live_".length);

  /** Whether any run of `min` characters of `encoded` that only the key's bytes decide survived. */
  function leaksBase64(text: string, secret: string): boolean {
    const bytes = Buffer.from(secret);
    for (let alignment = 0; alignment < 3; alignment++) {
      const encoded = Buffer.concat([Buffer.alloc(alignment), bytes]).toString("base64");
      const core = encoded.slice(Math.ceil((alignment * 4) / 3), Math.floor(((alignment + bytes.length) * 4) / 3));
      for (const form of [core, core.replaceAll("+", "-").replaceAll("/", "_")]) {
        // Any 12 characters of the core decode to 9 bytes of the key.
        for (let start = 0; start + 12 <= form.length; start++) if (text.includes(form.slice(start, start + 12))) return true;
      }
    }
    return false;
  }

  it("withholds the key's body quoted without its prefix, in a message", () => {
    const scrubber = scrubberWithSecrets();
    expect(scrubber.scrub(`API key ${KEY_BODY} was not recognised`)).toBe(`API key ${REDACTED} was not recognised`);
    expect(scrubber.containsSecret(JSON.stringify({ message: `key ${KEY_BODY}` }))).toBe(true);
  });

  it("does not register a key body too short to be unambiguous", () => {
    const scrubber = new SecretScrubber();
    scrubber.addSecret("lp_test_shortbody");
    expect(scrubber.scrub("the word shortbody stays")).toBe("the word shortbody stays");
  });

  it("withholds base64 and URL-safe base64 of the key and of 'Bearer <key>', padded or not, at every alignment", () => {
    const scrubber = scrubberWithSecrets();
    const plainTexts = [API_KEY, `Bearer ${API_KEY}`, `x${API_KEY}`, `xy${API_KEY}`, `user:${API_KEY}`, JSON.stringify({ authorization: `Bearer ${API_KEY}` })];
    for (const plain of plainTexts) {
      const standard = Buffer.from(plain).toString("base64");
      const urlSafe = Buffer.from(plain).toString("base64url");
      for (const encoded of [standard, standard.replace(/=+$/, ""), urlSafe, `${urlSafe}==`]) {
        const scrubbed = scrubber.scrub(`header: Basic ${encoded} end`);
        expect(scrubbed, encoded).toContain(REDACTED);
        expect(leaksBase64(scrubbed, API_KEY), encoded).toBe(false);
        expect(scrubber.containsSecret(JSON.stringify({ echo: encoded })), encoded).toBe(true);
      }
    }
  });

  it("withholds the key split by combining marks or invisible characters", () => {
    const scrubber = scrubberWithSecrets();
    const splitters = ["\u0301", "\u0300\u0327", "\u200B", "\u200C", "\u200D", "\u00AD", "\uFE0F", "\uFE00", "\u2060", "\uFEFF", "\u{E0041}"];
    for (const splitter of splitters) {
      const afterPrefix = `lp_live_${splitter}${KEY_BODY}`;
      const everywhere = [...API_KEY].join(splitter);
      for (const hidden of [afterPrefix, everywhere]) {
        const scrubbed = scrubber.scrub(`your key: ${hidden}.`);
        expect(scrubbed, JSON.stringify(hidden)).not.toContain(KEY_BODY.slice(0, 8));
        expect(scrubbed.replace(SPLITTERS, "")).not.toContain(KEY_BODY.slice(0, 8));
        expect(scrubber.containsSecret(JSON.stringify({ text: hidden })), JSON.stringify(hidden)).toBe(true);
      }
    }
    // An unregistered key is caught by its shape the same way.
    const fresh = new SecretScrubber();
    expect(fresh.scrub("lp_test_\u0301abcdefghijklmnop1234")).toBe(`lp_test_${REDACTED}`);
  });

  it("leaves prose with combining marks and invisible characters as it is", () => {
    const scrubber = scrubberWithSecrets();
    for (const prose of ["cafe\u0301 au lait", "👨‍👩‍👧 family", "می‌خواهم", "soft\u00ADhyphen and ❤️", "Ba\u0301sic training, bearer of news"]) {
      expect(scrubber.scrub(prose)).toBe(prose);
      expect(scrubber.containsSecret(JSON.stringify({ prose }))).toBe(false);
    }
  });
});

const SPLITTERS = /[\p{M}\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
