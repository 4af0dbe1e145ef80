/**
 * Shared pieces of the end-to-end safety suites: checks on a whole tool result (shape, hidden
 * characters, markup, secrets), the walk over every string a result carries, and the corpus
 * placed into the sandbox's leads and activity the way third-party text really arrives.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ActivityItem, Lead, Sandbox } from "../../src/sandbox/index.js";
import { hiddenCharacterViolation, markupViolation } from "../safety/helpers.js";

export { hiddenCharacterViolation, markupViolation };

/** Every text part of a result, joined. */
export function resultText(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

/** A description of what is wrong with a result's shape, or undefined when it is a well-formed CallToolResult. */
export function malformedResult(result: unknown): string | undefined {
  if (typeof result !== "object" || result === null || Array.isArray(result)) return "not an object";
  const record = result as Record<string, unknown>;
  if (!Array.isArray(record.content)) return "content is not an array";
  if (record.content.length === 0) return "content is empty";
  for (const [index, part] of record.content.entries()) {
    if (typeof part !== "object" || part === null) return `content[${index}] is not an object`;
    const typed = part as Record<string, unknown>;
    if (typed.type !== "text") return `content[${index}].type is ${String(typed.type)}`;
    if (typeof typed.text !== "string") return `content[${index}].text is not a string`;
  }
  if ("isError" in record && record.isError !== undefined && typeof record.isError !== "boolean") return "isError is not a boolean";
  if ("structuredContent" in record && record.structuredContent !== undefined) {
    const structuredContent = record.structuredContent;
    if (typeof structuredContent !== "object" || structuredContent === null || Array.isArray(structuredContent)) {
      return "structuredContent is not an object";
    }
  }
  return undefined;
}

/** The strings of the data only: structuredContent.data and the text's JSON line (no summary, no notice). */
export function dataStrings(result: CallToolResult): string[] {
  const out: string[] = [];
  for (const value of jsonLinesOf(result)) stringsOf(value, out);
  const structuredContent = result.structuredContent as Record<string, unknown> | undefined;
  stringsOf(structuredContent?.data, out);
  return out;
}

/** Every string in a JSON-like value, object keys included. */
export function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, out);
  else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      stringsOf(item, out);
    }
  }
  return out;
}

/** The JSON values in a result's text (the rendering puts the data on one JSON line). */
export function jsonLinesOf(result: CallToolResult): unknown[] {
  const values: unknown[] = [];
  for (const line of resultText(result).split("\n")) {
    // A detailed list item is a line "- " and the record's JSON.
    const trimmed = line.trim().replace(/^- (?=[[{"])/, "");
    if (!/^[[{"]/.test(trimmed) && trimmed !== "null") continue;
    try {
      values.push(JSON.parse(trimmed) as unknown);
    } catch {
      // Not JSON: a prose line that happens to start with a bracket.
    }
  }
  return values;
}

/**
 * Every string a model could read from the result: the text parts as they are, the strings
 * inside the text's JSON line(s), and every string (and key) of structuredContent.
 */
export function everyReadableString(result: CallToolResult): string[] {
  const out: string[] = [resultText(result)];
  for (const value of jsonLinesOf(result)) stringsOf(value, out);
  stringsOf(result.structuredContent, out);
  return out;
}

/** The server's own untrusted-data markers; the one piece of markup a sanitized result may hold. */
export const UNTRUSTED_MARKER = /<\/?untrusted-data id=\\?"[0-9a-f]{24}\\?"(?: source=\\?"[A-Za-z0-9 _.:-]*\\?")?>/g;

/**
 * The strings of a result as separate values: its prose lines (not the JSON line), every string
 * and key inside the JSON line, every string and key of structuredContent. Unlike the raw text,
 * no run of the server's own JSON punctuation joins two values.
 */
export function separateStrings(result: CallToolResult): string[] {
  const out = resultText(result)
    .split("\n")
    .filter((line) => !/^(- )?[[{"]/.test(line.trim()) && line.trim() !== "null");
  for (const value of jsonLinesOf(result)) stringsOf(value, out);
  stringsOf(result.structuredContent, out);
  return out;
}

/** Where a secret (or any listed needle) occurs in a haystack, for a readable failure. */
export function findNeedles(haystack: string, needles: readonly string[], where: string): string[] {
  const hits: string[] = [];
  for (const needle of needles) {
    if (needle.length === 0) continue;
    let index = haystack.indexOf(needle);
    while (index !== -1) {
      hits.push(`${where}: ${JSON.stringify(needle.slice(0, 12))}… at ${index}: ${JSON.stringify(haystack.slice(Math.max(0, index - 40), index + 40))}`);
      index = haystack.indexOf(needle, index + 1);
      if (hits.length > 20) return hits;
    }
  }
  return hits;
}

// ---------------------------------------------------------------------------------------
// Putting third-party text into the sandbox

/**
 * The live records of an account (Sandbox.records): writing a field changes what the API
 * answers, which is how third-party text reaches the server here the way a stranger's comment
 * does, over the wire.
 */
export function liveActivity(sandbox: Sandbox, userId: string): ActivityItem[] {
  return sandbox.records.activityOf(userId);
}

export function liveLeads(sandbox: Sandbox, userId: string): Lead[] {
  return sandbox.records.leadsOf(userId);
}

/** A deep copy of a JSON-like record, to compare against after the server shaped it. */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}
