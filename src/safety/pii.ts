import { setOwn, transformStrings } from "./sanitize.js";

/**
 * Lead emails masked by operator choice: `kim@example.com` → `k•••@example.com`. The first
 * character and the domain stay, enough for a person to tell leads apart and see the company;
 * names and everything else stay as they are.
 */

/** What stands for the hidden characters. */
export const MASK = "•••";

/** An address inside any text: a local part, `@`, and a dotted domain (letters, digits, hyphens). */
const EMAIL_IN_TEXT = /[^\s@<>()[\]"',;:]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

/**
 * Masks one email address: keeps the first character of the local part (none when the local
 * part is a single character, which would otherwise be shown whole) and the full domain, so
 * `kim+leads@example.com` → `k•••@example.com`. A string without a usable `@` is masked whole.
 */
export function maskEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed === "") return trimmed;
  const at = trimmed.lastIndexOf("@");
  const local = at > 0 ? trimmed.slice(0, at) : "";
  const domain = at > 0 ? trimmed.slice(at + 1) : "";
  if (local === "" || domain === "") return MASK;
  const [first = "", ...rest] = [...local];
  return `${rest.length === 0 ? "" : first}${MASK}@${domain}`;
}

/** Masks every email address found inside a text, leaving the rest of it as it is. */
export function maskEmailsInText(text: string): string {
  return text.replace(EMAIL_IN_TEXT, (email) => maskEmail(email));
}

/**
 * A copy of a lead with its emails masked: every string under `emails` (submitted, work,
 * personal, any other) masked whole, and every address anywhere else in the record masked
 * where it appears. Names, ids and other fields are unchanged; the lead itself is not modified.
 */
export function maskLeadEmails<Lead>(lead: Lead): Lead {
  const masked = transformStrings(lead, maskEmailsInText);
  if (masked === null || typeof masked !== "object" || Array.isArray(masked)) return masked as Lead;
  const emails = (lead as Record<string, unknown>).emails;
  if (emails !== null && typeof emails === "object" && !Array.isArray(emails)) {
    const maskedEmails = (masked as Record<string, unknown>).emails as Record<string, unknown>;
    for (const [kind, value] of Object.entries(emails)) {
      if (typeof value === "string") setOwn(maskedEmails, kind, maskEmail(value));
    }
  }
  return masked as Lead;
}
