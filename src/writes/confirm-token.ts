import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { setOwn } from "../safety/sanitize.js";

/**
 * A stateless confirmation token for destructive calls on clients without form elicitation:
 * the first call returns a preview and a token; the same call with the token in `confirm`
 * does the deed. The token is an HMAC over the tool, its arguments, the API key's fingerprint
 * and an expiry, keyed by a configured secret, so any server instance sharing the secret
 * accepts it and no instance needs to remember it. Its shape is `<expiry>.<mac>`: the expiry
 * in seconds since the epoch (base 36) and 128 bits of HMAC-SHA256 (base64url), 29 characters.
 */

/** The argument that carries the token; it is left out of what the token is bound to. */
export const CONFIRM_FIELD = "confirm";

/** How long a token stays valid unless the caller says otherwise. */
export const CONFIRM_TOKEN_TTL_MS = 5 * 60_000;

/** What a token is bound to. */
export interface ConfirmTokenInputs {
  /** The shared secret; every instance that must accept the token holds the same one. */
  secret: Buffer | string;
  tool: string;
  /** The call's arguments; the `confirm` field, if present, is ignored. */
  args: Record<string, unknown>;
  /** {@link keyFingerprint} of the API key the call runs under. */
  keyFingerprint: string;
  /** Milliseconds since the epoch. */
  now: number;
}

/** Why {@link checkConfirmToken} refused a token. */
export type ConfirmTokenRefusal = "expired" | "mismatch" | "malformed";

const MAC_BYTES = 16;
const MAC_LENGTH = Math.ceil((MAC_BYTES * 4) / 3);
const TOKEN_PATTERN = new RegExp(`^([0-9a-z]{1,11})\\.([A-Za-z0-9_-]{${MAC_LENGTH}})$`);
const DOMAIN = "leadpanther-mcp confirm v1\n";

/** A token for this tool, these arguments and this key, valid for `ttlMs` (default 5 minutes). */
export function issueConfirmToken(inputs: ConfirmTokenInputs & { ttlMs?: number }): string {
  const expiresAtSeconds = Math.ceil((inputs.now + (inputs.ttlMs ?? CONFIRM_TOKEN_TTL_MS)) / 1000);
  const expiry = expiresAtSeconds.toString(36);
  return `${expiry}.${mac(inputs, expiry).toString("base64url")}`;
}

/**
 * Checks a token against the call it came back with: `mismatch` when the tool, arguments or
 * key differ (or the token was altered), `expired` when it is genuine but past its time,
 * `malformed` when it is not a token at all. The MAC is compared in constant time.
 */
export function checkConfirmToken(
  token: string,
  inputs: ConfirmTokenInputs,
): { ok: true } | { ok: false; reason: ConfirmTokenRefusal } {
  const match = typeof token === "string" ? TOKEN_PATTERN.exec(token.trim()) : null;
  if (!match) return { ok: false, reason: "malformed" };
  const [, expiry, givenMac] = match as unknown as [string, string, string];
  const given = Buffer.from(givenMac, "base64url");
  if (given.length !== MAC_BYTES) return { ok: false, reason: "malformed" };
  if (!timingSafeEqual(given, mac(inputs, expiry))) return { ok: false, reason: "mismatch" };
  if (parseInt(expiry, 36) * 1000 <= inputs.now) return { ok: false, reason: "expired" };
  return { ok: true };
}

/**
 * A short, stable label for an API key that cannot be turned back into the key: 96 bits of
 * SHA-256 over a domain prefix and the key, base64url (16 characters).
 */
export function keyFingerprint(apiKey: string): string {
  return createHash("sha256").update("leadpanther-mcp key fingerprint\n").update(apiKey).digest().subarray(0, 12).toString("base64url");
}

/**
 * JSON with object keys sorted at every depth, so equal values give equal text whatever order
 * their keys were written in. Follows JSON.stringify otherwise (toJSON, undefined dropped).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(JSON.parse(JSON.stringify(value ?? null)) as unknown));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    setOwn(sorted, key, sortKeys((value as Record<string, unknown>)[key]));
  }
  return sorted;
}

function mac(inputs: ConfirmTokenInputs, expiry: string): Buffer {
  if (inputs.secret.length === 0) throw new TypeError("the confirmation secret must not be empty");
  const args = Object.fromEntries(Object.entries(inputs.args).filter(([key]) => key !== CONFIRM_FIELD));
  const bound = canonicalJson({ tool: inputs.tool, args, key: inputs.keyFingerprint, expiry });
  return createHmac("sha256", inputs.secret).update(DOMAIN).update(bound).digest().subarray(0, MAC_BYTES);
}
