/**
 * Query strings (§9 and §17): every route declares the parameters it takes; an unknown or
 * repeated parameter is a bad_request. List routes take `limit` (1..100, default 50) and
 * `offset` (integer ≥ 0, default 0); anything else — "", "1.5", "abc", "-1", "+5" — is
 * refused.
 */
import { PAGINATION } from "../contract.js";
import type { Page } from "./context.js";
import { badRequest, type HandlerResult } from "./wire.js";

const DIGITS = /^[0-9]+$/;

export function rejectUnknownQuery(query: URLSearchParams, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (!allowed.includes(name)) {
      throw badRequest(
        allowed.length === 0
          ? `Unknown query parameter '${name}': this route takes no query parameters.`
          : `Unknown query parameter '${name}'; allowed: ${allowed.join(", ")}.`,
      );
    }
    if (seen.has(name)) throw badRequest(`Query parameter '${name}' is given more than once.`);
    seen.add(name);
  }
}

function parseNonNegativeInteger(raw: string, name: string, rule: string): number {
  const value = DIGITS.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw badRequest(`'${name}' must be ${rule} (got '${raw.slice(0, 40)}').`);
  return value;
}

export function parsePage(query: URLSearchParams): Page {
  const rawLimit = query.get("limit");
  const rawOffset = query.get("offset");
  const limitRule = `an integer from 1 to ${PAGINATION.maxLimit}`;
  const limit = rawLimit === null ? PAGINATION.defaultLimit : parseNonNegativeInteger(rawLimit, "limit", limitRule);
  if (limit < 1 || limit > PAGINATION.maxLimit) throw badRequest(`'limit' must be ${limitRule} (got ${limit}).`);
  const offset = rawOffset === null ? 0 : parseNonNegativeInteger(rawOffset, "offset", "an integer of 0 or more");
  return { limit, offset };
}

/** One list page in the §6 list envelope; O(limit). */
export function paginate<T>(items: readonly T[], page: Page): HandlerResult {
  return {
    data: items.slice(page.offset, page.offset + page.limit),
    pagination: { limit: page.limit, offset: page.offset, has_more: page.offset + page.limit < items.length },
  };
}
