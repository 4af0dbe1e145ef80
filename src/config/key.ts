/** The API key's copy-and-paste checks and their wording (LeadPanther's troubleshooting guide). */
import { KEY_PREFIXES } from "../contract.js";
import { SETTINGS } from "./settings.js";

export type KeyProblem =
  | { kind: "missing" }
  | { kind: "quoted" }
  | { kind: "whitespace"; where: "start" | "end" | "inside" }
  | { kind: "line_break" }
  | { kind: "bearer_prefix" }
  | { kind: "prefix" }
  | { kind: "characters" };

/**
 * Checks a key for the copy-and-paste mistakes LeadPanther lists as causes of `unauthorized`,
 * before it is ever sent. Never returns or prints the key itself.
 */
export function checkKeyHygiene(key: string | undefined): KeyProblem | undefined {
  if (key === undefined || key === "") return { kind: "missing" };
  if (/[\r\n]/.test(key)) return { kind: "line_break" };
  const trimmed = key.trim();
  if (/^["'`].*["'`]$/s.test(trimmed) || /^["'`]/.test(trimmed)) return { kind: "quoted" };
  if (/^\s/.test(key)) return { kind: "whitespace", where: "start" };
  if (/\s$/.test(key)) return { kind: "whitespace", where: "end" };
  if (/^bearer\s/i.test(trimmed)) return { kind: "bearer_prefix" };
  if (/\s/.test(key)) return { kind: "whitespace", where: "inside" };
  if (!KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) return { kind: "prefix" };
  if (!/^[A-Za-z0-9_\-.]+$/.test(key)) return { kind: "characters" };
  return undefined;
}

/** What to check when LeadPanther answers `unauthorized` (its troubleshooting guide's list). */
export const KEY_CHECKS =
  "Check that LEADPANTHER_API_KEY holds the whole key (lp_live_… or lp_test_…) without extra spaces, quotes or line breaks, and that the key is still active: revoked and inactive keys are refused. The person who configured this server has to fix it; retrying will not help.";

/** Problems that make a request certain to fail: the key is not sent at all. */
export function isBlockingKeyProblem(problem: KeyProblem): boolean {
  return problem.kind !== "prefix" && problem.kind !== "characters";
}

/** What a person should read about a key problem. Mentions at most the key's prefix and length. */
export function describeKeyProblem(problem: KeyProblem, key: string | undefined): string {
  const shape = key ? ` (the configured value is ${[...key].length} characters long${describePrefix(key)})` : "";
  switch (problem.kind) {
    case "missing":
      return `No API key is set. Put your LeadPanther key in the ${SETTINGS.apiKey.env} environment variable of this server's configuration, or start with --sandbox to try the bundled sandbox without a key.`;
    case "quoted":
      return `${SETTINGS.apiKey.env} is wrapped in quote characters${shape}. Remove the quotes: the value must be the bare key starting with lp_live_ or lp_test_.`;
    case "whitespace":
      return `${SETTINGS.apiKey.env} has a space ${problem.where === "inside" ? "inside it" : `at the ${problem.where}`}${shape}. Copy the key again without spaces.`;
    case "line_break":
      return `${SETTINGS.apiKey.env} contains a line break${shape}. Copy the key again as one line.`;
    case "bearer_prefix":
      return `${SETTINGS.apiKey.env} starts with "Bearer"${shape}. Set only the key; the server adds "Bearer" itself.`;
    case "prefix":
      return `${SETTINGS.apiKey.env} does not start with lp_live_ or lp_test_${shape}, the prefixes LeadPanther documents. Check that you copied a LeadPanther API key; it is tried anyway.`;
    case "characters":
      return `${SETTINGS.apiKey.env} contains characters other than letters, digits, "_", "-" and "."${shape}. If LeadPanther refuses it, copy the key again; it is tried anyway.`;
  }
}

function describePrefix(key: string): string {
  const prefix = KEY_PREFIXES.find((candidate) => key.trim().replace(/^["'`]/, "").startsWith(candidate));
  return prefix ? `, starting with ${prefix}` : "";
}
