/**
 * Small, allocation-light validators shared by the route handlers. Every failure is a
 * `bad_request` (§6: no field-level error array, but the message names the field).
 */
import { badRequest } from "./wire.js";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** ISO 8601 in UTC ("Z" only), seconds required, up to 9 fraction digits kept to the millisecond. */
const ISO_UTC_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

export type JsonObject = Record<string, unknown>;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Unknown fields are refused (strict bodies, §17). */
export function rejectUnknownFields(body: JsonObject, allowed: readonly string[], what: string): void {
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) throw badRequest(`Unknown field '${field}' in ${what}.`);
  }
}

export function has(body: JsonObject, field: string): boolean {
  return Object.hasOwn(body, field);
}

/** Length in Unicode code points, which is what a person counts as characters. */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

export function requireString(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== "string") throw badRequest(`'${field}' must be a string.`);
  const length = codePointLength(value);
  if (length < min) throw badRequest(min === 1 ? `'${field}' must not be empty.` : `'${field}' must be at least ${min} characters.`);
  if (length > max) throw badRequest(`'${field}' must be at most ${max} characters (got ${length}).`);
  return value;
}

export function optionalNullableString(value: unknown, field: string, min: number, max: number): string | null {
  if (value === null) return null;
  return requireString(value, field, min, max);
}

export function requireUuid(value: unknown, field: string): string {
  if (typeof value !== "string" || !isUuid(value)) throw badRequest(`'${field}' must be a UUID.`);
  return value.toLowerCase();
}

export function nullableUuid(value: unknown, field: string): string | null {
  return value === null ? null : requireUuid(value, field);
}

export function isHttpsUrl(value: string): boolean {
  if (value.length > 2048 || /\s/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === "https:" && url.hostname !== "" && url.username === "" && url.password === "";
}

export function requireHttpsUrl(value: unknown, field: string): string {
  if (typeof value !== "string" || !isHttpsUrl(value)) throw badRequest(`'${field}' must be an absolute https URL.`);
  return value;
}

export function nullableHttpsUrl(value: unknown, field: string): string | null {
  return value === null ? null : requireHttpsUrl(value, field);
}

/**
 * Parses an ISO 8601 UTC timestamp; returns the Date or throws bad_request. Impossible dates
 * (2026-02-30) are refused rather than rolled over.
 */
export function requireIsoUtc(value: unknown, field: string): Date {
  const shapeMessage = `'${field}' must be an ISO 8601 UTC timestamp such as 2026-05-25T09:00:00.000Z.`;
  if (typeof value !== "string") throw badRequest(shapeMessage);
  const match = ISO_UTC_PATTERN.exec(value);
  if (match === null) throw badRequest(shapeMessage);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = Number((match[7] ?? "0").padEnd(3, "0").slice(0, 3));
  const time = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const date = new Date(time);
  if (
    Number.isNaN(time) ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  ) {
    throw badRequest(shapeMessage);
  }
  return date;
}
