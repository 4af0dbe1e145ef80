/**
 * Secrets never leave the process: the configured API key, signed upload URLs and upload
 * tokens are scrubbed from log lines, error messages and tool results alike (contract §2,
 * §13). Exact registered values are replaced first; shape-based rules then catch what was
 * never registered (a key pasted into a post, a signed URL inside an upstream error).
 *
 * Every rule is linear: registered values are found with indexOf (split/join), and each
 * pattern starts on a literal (`lp_`, `http`, `authorization`, `bearer`) or at a word start.
 */

export const REDACTED = "[REDACTED]";
export const REDACTED_SIGNED_URL = "[REDACTED_SIGNED_URL]";
/** Shorter values would redact ordinary words; real keys and tokens are much longer. */
export const MIN_SECRET_LENGTH = 8;
const MAX_DEEP_DEPTH = 100;

const LEADPANTHER_KEY = /lp_(live|test)_[A-Za-z0-9_-]+/gi;
/** http(s) URLs, also with JSON-escaped slashes (`https:\/\/…`); a backslash ends the URL otherwise. */
const URL = /\b(?:https?|wss?):(?:\\?\/){2}(?:[^\s"'<>`\\]|\\\/)+/gi;
const SIGNED_URL_MARK =
  /(?:[?&;]|%3f|%26)(?:token|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|sig|access_token)(?:=|%3d)|(?:\\?\/|%2f)(?:upload|object)(?:\\?\/|%2f)sign(?:\\?\/|%2f)/i;
/** A signing parameter outside a full URL (a relative path in a message). */
const SIGNING_PARAMETER = /([?&](?:token|signature|x-amz-signature|sig|access_token)=)[^\s&"'<>#]+/gi;
/** `"token": "…"`, `upload_url: '…'`, `\"access_token\":\"…\"` and friends. */
/** Names of fields whose values are secrets (case-sensitive, like the patterns built from it). */
const SECRET_FIELD_NAME = String.raw`[A-Za-z_]*(?:token|Token)|upload_?[uU]rl|signed_?[uU]rl|api_?[kK]ey|password|client_secret`;
const SECRET_FIELD = new RegExp(String.raw`((?<![A-Za-z0-9_])(?:${SECRET_FIELD_NAME})\\?["']?\s*[:=]\s*\\?["'])(?:[^"'\\]|\\\/)*`, "g");
/** `password: hunter2`, `x-api-key=…` written without quotes (a header or a config line pasted into text). */
const UNQUOTED_SECRET = /(\b(?:password|passwd|x-api-key|api[_-]?key|client_secret)\s*[:=]\s*)([^\s"',;}<>]+)/gi;
/** A JSON Web Token: three base64url parts, the first two starting as JSON objects do. */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
/** Every SECRET_FIELD match contains one of these literals (the pattern is case-sensitive); `includes` finds them far faster than a regex. */
const SECRET_FIELD_HINTS = ["oken", "upload", "signed", "api_k", "api_K", "apik", "apiK", "password", "client_secret"];
/**
 * Lower-case literals at least one of which every shape rule's match contains: a key (`lp_`),
 * a signing parameter or signed path (token, signature, sig=, x-amz-…, x-goog-…, sign/ sign%2f
 * sign\/), a secret field name, an Authorization or Bearer value; and `\u`, behind which any of
 * these may be spelled in JSON escapes. Keep in step with the patterns above.
 */
const SHAPE_TRIGGER =
  /lp_|token|signature|sig=|sig%3d|sign[\/%\\]|x-amz|x-goog|upload_?url|signed_?url|api[_-]?key|password|passwd|client_secret|authoriz|bearer|eyj|\\u/;
/** One escape inside a JSON string. */
const JSON_ESCAPE = /\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/g;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function decodeJsonEscape(code: string): string {
  if (code.length === 5) return String.fromCharCode(Number.parseInt(code.slice(1), 16));
  return SIMPLE_ESCAPES[code] ?? code;
}
/** An Authorization value: a scheme and its credentials, or a bare credential (see looksLikeCredential). */
const AUTHORIZATION =
  /(\bauthorization\\?["']?\s*[:=]\s*\\?["']?)(?:(bearer|basic|token|digest|apikey|negotiate|ntlm)\s+([^\s"',;}<>]+)|([A-Za-z0-9._~+/=-]{8,}))/gi;
/** A bearer token (see looksLikeCredential), so "Bearer of good news" and "the bearer 20260501 bond" stay. */
const BEARER = /\bbearer\s+([A-Za-z0-9._~+/=-]{8,})/gi;

/**
 * Whether a word after a bare "bearer" in text is a credential rather than prose: 20+
 * characters; 12+ digits or capitals; or 8+ that mix letters with digits or have a capital
 * after a small letter (base64 and random tokens do; "instruments" and "20260501" do not).
 */
function looksLikeCredential(word: string): boolean {
  if (word.length >= 20) return true;
  if (/^[0-9A-Z]{12,}$/.test(word)) return true;
  if (word.length < 8) return false;
  return (/[0-9]/.test(word) && /[A-Za-z]/.test(word)) || /[a-z][^a-z]*[A-Z]/.test(word);
}

/**
 * After `Authorization: Basic` (basic being an English word too), anything but a plain word
 * (hyphenated words included) is a credential: "Authorization: Basic training starts Monday"
 * is prose, "Basic YTpi" is not. After any other scheme, every word is a credential.
 */
function isPlainWord(word: string): boolean {
  return word.length <= 24 && /^[A-Za-z]?[a-z]+(?:-[a-z]+)*$/.test(word);
}

/** A JSON member named like a secret with a non-empty string value not yet withheld (see SECRET_KEY). */
const SECRET_MEMBER = new RegExp(String.raw`"(?:${SECRET_FIELD_NAME}|[aA]uthorization)"\s*:\s*"(?!\[REDACTED(?:_SIGNED_URL)?\]")[^"]`);

/** Field names whose string values are secrets (as in SECRET_FIELD, plus authorization). */
const SECRET_KEY = new RegExp(String.raw`^(?:${SECRET_FIELD_NAME}|[aA]uthorization)$`);

/**
 * The markers this server puts where it withheld or shortened a value: secrets here, activity
 * text in redact.ts, long strings in a list's text rendering (results.ts).
 */
const WITHHELD_MARKER = /\[REDACTED(?:_SIGNED_URL)?\]|\[redacted: \d+ characters\]|… \(\+\d+ characters\)/;

/** The first marker of a withheld value in a text, if any: never a value to send back to the API. */
export function withheldMarkerIn(text: string): string | undefined {
  return WITHHELD_MARKER.exec(text)?.[0];
}

export class SecretScrubber {
  readonly #variants = new Set<string>();
  #longestFirst: string[] = [];
  /**
   * The registered forms that hold no other registered form (a key's body, not the key): a
   * text holding none of them holds no registered form at all, so the quick look tests these.
   */
  #innermost: string[] = [];

  /** Registers an exact secret (API key, upload URL, upload token); short values are ignored. */
  addSecret(value: string): void {
    if (typeof value !== "string") return;
    let added = false;
    for (const variant of variantsOf(value)) {
      if (variant.length >= MIN_SECRET_LENGTH && !this.#variants.has(variant)) {
        this.#variants.add(variant);
        added = true;
      }
    }
    if (added) this.#sortLongestFirst();
  }

  /** Forgets a secret added earlier (an upload URL once its upload is over), in all its forms. */
  removeSecret(value: string): void {
    if (typeof value !== "string") return;
    let removed = false;
    for (const variant of variantsOf(value)) removed = this.#variants.delete(variant) || removed;
    if (removed) this.#sortLongestFirst();
  }

  #sortLongestFirst(): void {
    this.#longestFirst = [...this.#variants].sort((left, right) => right.length - left.length);
    this.#innermost = this.#longestFirst.filter((form) => !this.#longestFirst.some((other) => other !== form && form.includes(other)));
  }

  /**
   * The text with every secret withheld. A secret split by characters that render as nothing
   * (combining marks, zero-width characters, soft hyphens, variation selectors…) is found too:
   * when the text without them holds a secret the text itself did not show, that folded text,
   * scrubbed, is what is returned (it loses those characters, which hid a secret).
   */
  scrub(text: string): string {
    const plain = this.#scrubPlain(typeof text === "string" ? text : String(text));
    if (isAscii(plain)) return plain;
    const folded = foldSplitting(plain);
    if (folded === plain) return plain;
    const foldedScrubbed = this.#scrubPlain(folded);
    return foldedScrubbed === folded ? plain : foldedScrubbed;
  }

  #scrubPlain(text: string): string {
    let result = text;
    for (const secret of this.#longestFirst) {
      if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    }
    result = result.replace(URL, (url) => (SIGNED_URL_MARK.test(url) ? REDACTED_SIGNED_URL : url));
    // The two patterns that try a match at almost every position run only where the literal
    // they need is present: on a large result without them this halves the cost of a scrub.
    if (result.includes("=")) result = result.replace(SIGNING_PARAMETER, `$1${REDACTED}`);
    if (SECRET_FIELD_HINTS.some((hint) => result.includes(hint))) result = result.replace(SECRET_FIELD, `$1${REDACTED}`);
    return result
      .replace(AUTHORIZATION, (match, prefix: string, scheme: string | undefined, schemeCredential: string | undefined, bare: string | undefined) => {
        // A bare value ("Prior authorization: time-consuming…") is judged like a bearer token.
        const credential =
          schemeCredential !== undefined
            ? scheme?.toLowerCase() !== "basic" || !isPlainWord(schemeCredential)
            : looksLikeCredential(bare ?? "");
        return credential ? `${prefix}Bearer ${REDACTED}` : match;
      })
      .replace(BEARER, (match, token: string) => (looksLikeCredential(token) ? `Bearer ${REDACTED}` : match))
      // "password: reset" is prose; "password: hunter2" is not.
      .replace(UNQUOTED_SECRET, (match, prefix: string, value: string) => (value.length >= 6 && !isPlainWord(value) ? `${prefix}${REDACTED}` : match))
      .replace(JWT, REDACTED)
      .replace(LEADPANTHER_KEY, (_key, environment: string) => `lp_${environment.toLowerCase()}_${REDACTED}`);
  }

  /**
   * Whether scrubbing the strings of this serialised JSON would change any of them. One pass
   * over the serialised result is far cheaper than scrubbing it string by string, and in the
   * common case nothing matches. A secret inside a JSON string may be spelled with escapes
   * (`lp_test\u005f…`, `Bearer\u00a0…`, `https:\/\/…\/sign\/`, a line break as `\n`), so
   * when the text has any, it is looked at once more with every escape read as what it stands
   * for — the form scrub sees string by string.
   */
  containsSecret(text: string): boolean {
    if (!this.#mayContainSecret(text)) return false;
    // A non-empty string under a secret's field name: withheld by scrubDeep, whatever it looks like.
    if (SECRET_MEMBER.test(text)) return true;
    if (this.scrub(text) !== text) return true;
    if (!text.includes("\\")) return false;
    const decoded = text.replace(JSON_ESCAPE, (_escape, code: string) => decodeJsonEscape(code));
    return decoded !== text && this.scrub(decoded) !== decoded;
  }

  /**
   * A quick first look: every rule of scrub needs a registered secret or one of a few words to
   * be present (see SHAPE_TRIGGER), so a text with neither cannot change under scrub, written
   * as is or with escapes read. One pass over the lower-cased text instead of scrub's dozen.
   */
  #mayContainSecret(text: string): boolean {
    if (this.#holdsSecretOrTrigger(text)) return true;
    return !isAscii(text) && this.#holdsSecretOrTrigger(foldSplitting(text));
  }

  #holdsSecretOrTrigger(text: string): boolean {
    for (const form of this.#innermost) if (text.includes(form)) return true;
    return SHAPE_TRIGGER.test(text.toLowerCase());
  }

  /** A copy of a JSON-like value (or an Error) with every string and key scrubbed. */
  scrubDeep<T>(value: T): T {
    return this.#scrubValue(value, new Set<object>(), 0) as T;
  }

  #scrubValue(value: unknown, ancestors: Set<object>, depth: number): unknown {
    if (typeof value === "string") return this.scrub(value);
    if (typeof value !== "object" || value === null) return value;
    if (depth > MAX_DEEP_DEPTH) return "[too deep]";
    if (ancestors.has(value)) return "[circular]";
    ancestors.add(value);
    try {
      if (Array.isArray(value)) return value.map((item: unknown) => this.#scrubValue(item, ancestors, depth + 1));
      if (value instanceof Error) return this.#scrubError(value, ancestors, depth);
      if (value instanceof Date) return new Date(value.getTime());
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        // A string under a secret's field name is withheld whatever it looks like: string by
        // string, scrub would not see the name beside it.
        const withheld = typeof item === "string" && item !== "" && item !== REDACTED && item !== REDACTED_SIGNED_URL && SECRET_KEY.test(key);
        Object.defineProperty(copy, this.scrub(key), {
          value: withheld ? REDACTED : this.#scrubValue(item, ancestors, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return copy;
    } catch {
      return "[unreadable]";
    } finally {
      ancestors.delete(value);
    }
  }

  #scrubError(error: Error, ancestors: Set<object>, depth: number): Error {
    const copy = new Error(this.scrub(String(error.message)));
    copy.name = this.scrub(String(error.name));
    copy.stack = typeof error.stack === "string" ? this.scrub(error.stack) : undefined;
    const record = copy as unknown as Record<string, unknown>;
    for (const [key, item] of Object.entries(error)) {
      if (key === "message" || key === "name" || key === "stack") continue;
      record[this.scrub(key)] = this.#scrubValue(item, ancestors, depth + 1);
    }
    if ("cause" in error) record["cause"] = this.#scrubValue(error.cause, ancestors, depth + 1);
    return copy;
  }
}

/**
 * Every form of a secret to look for: as given, trimmed and unquoted; each also as transformed
 * upstream (transformedForms); each of those in every encodedForms.
 */
function variantsOf(value: string): Set<string> {
  const trimmed = value.trim();
  const unquoted = trimmed.replace(/^["']+|["']+$/g, "").trim();
  return new Set([...new Set([value, trimmed, unquoted])].flatMap(transformedForms).flatMap(encodedForms));
}

const LEADPANTHER_KEY_PREFIX = /^lp_(?:live|test)_/i;
/**
 * A key's body alone (an upstream message may quote the key without its lp_live_/lp_test_
 * prefix) is registered from this length on: long enough that it names that key and no word.
 */
const MIN_KEY_BODY_LENGTH = 16;

/** The secret, its key body, and the base64 forms of each (see base64Cores). */
function transformedForms(secret: string): string[] {
  const body = secret.replace(LEADPANTHER_KEY_PREFIX, "");
  const plain = body !== secret && body.length >= MIN_KEY_BODY_LENGTH ? [secret, body] : [secret];
  return plain.flatMap((form) => [form, ...base64Cores(form)]);
}

/**
 * What base64 of any text containing `secret` must contain, in both alphabets: for each of the
 * three byte alignments the secret can start at, the characters that depend on its bytes
 * alone. So base64 of the key, of `Bearer <key>`, of `user:<key>` (Basic) or of a whole JSON
 * body holding it is found, padded or not.
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const cores: string[] = [];
  for (let alignment = 0; alignment < 3; alignment++) {
    const encoded = Buffer.concat([Buffer.alloc(alignment), bytes]).toString("base64");
    const core = encoded.slice(Math.ceil((alignment * 4) / 3), Math.floor(((alignment + bytes.length) * 4) / 3));
    cores.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return cores;
}

/**
 * Whether every character is ASCII: exactly then is the UTF-8 length the string's length (any
 * other character takes two bytes or more, a lone surrogate three). Node counts UTF-8 bytes
 * with SIMD, many times faster than a regex over a result of tens of kilobytes.
 */
function isAscii(text: string): boolean {
  return Buffer.byteLength(text, "utf8") === text.length;
}
/**
 * Characters that render as nothing and so can split a secret without changing how it reads:
 * combining marks, default-ignorable characters (zero-width space and joiners, soft hyphen,
 * variation selectors, tags…) and other format characters.
 */
const SPLITTING_CHARACTER = /[\p{M}\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;

function foldSplitting(text: string): string {
  return text.replace(SPLITTING_CHARACTER, "");
}

/** The forms a secret takes once embedded: as is, URL-encoded, JSON-escaped, slash-escaped. */
function encodedForms(secret: string): string[] {
  const forms = [secret, JSON.stringify(secret).slice(1, -1)];
  try {
    forms.push(encodeURIComponent(secret), encodeURI(secret));
  } catch {
    // A lone surrogate cannot be URL-encoded; the raw form is still registered.
  }
  for (const form of [...forms]) forms.push(form.replaceAll("/", "\\/"));
  return forms;
}

/** The process-wide scrubber used by the logger and by tool results. */
export const secrets = new SecretScrubber();
