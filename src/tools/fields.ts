import { z } from "zod";
import { MEDIA_PATH_PATTERN, PAGINATION } from "../contract.js";

/**
 * Building blocks shared by the input schemas. Every message names what is wrong and what to
 * send instead: the API itself only answers `bad_request`, so these messages are the only
 * field-level help a model gets.
 */

export function uuidField(what: string) {
  return z.guid({ error: `must be a UUID (${what}), e.g. 00000000-0000-4000-8000-000000000000` });
}

export function httpsUrl(what: string) {
  return z
    .string({ error: `must be a string: ${what}` })
    .refine(isHttpsUrl, { error: `must be an absolute https:// URL (${what})` });
}

export function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Half of a surrogate pair with no other half: no path LeadPanther returns holds one, and it cannot be URL-encoded. */
const LONE_SURROGATE = /\p{Cs}/u;

export function isMediaPath(value: string): boolean {
  return MEDIA_PATH_PATTERN.test(value) && !LONE_SURROGATE.test(value);
}

/**
 * A file on the caller's own machine: a file:// URL, a home-relative or relative path, a
 * Windows drive path, or an absolute path under a directory every desktop OS has. LeadPanther
 * cannot read it; upload_media can.
 */
const LOCAL_FILE = /^(?:file:|~[\\/]|\.\.?[\\/]|[A-Za-z]:[\\/]|\\\\|\/(?:Users|home|tmp|var|private|Volumes|mnt|root|opt|media|srv|etc)\/)/i;

export function isLocalFilePath(value: string): boolean {
  return LOCAL_FILE.test(value);
}

/** An https URL, or a media path returned by upload_media; a local file is pointed to upload_media. */
export function mediaReference(what: string) {
  return z.string({ error: `must be a string: ${what}` }).superRefine((value, context) => {
    if (isLocalFilePath(value)) {
      context.addIssue({
        code: "custom",
        message: `is a file on your machine (${JSON.stringify(value.slice(0, 120))}), which LeadPanther cannot read: upload it first with upload_media and put the path it returns here (${what})`,
      });
    } else if (!isHttpsUrl(value) && !isMediaPath(value)) {
      context.addIssue({ code: "custom", message: `must be an https:// URL or a media path returned by upload_media (${what})` });
    }
  });
}

export const paginationShape = {
  limit: z
    .int({ error: `must be a whole number from 1 to ${PAGINATION.maxLimit}` })
    .min(1, { error: `must be at least 1` })
    .max(PAGINATION.maxLimit, { error: `must be at most ${PAGINATION.maxLimit} (LeadPanther's cap)` })
    .optional()
    .describe(`Default ${PAGINATION.defaultLimit}.`),
  offset: z
    .int({ error: "must be a whole number, 0 or more" })
    .min(0, { error: "must be 0 or more" })
    .optional(),
};

/**
 * ISO 8601 timestamp with an explicit zone, e.g. 2026-06-01T09:00:00.000Z: a pattern (shown to
 * clients as `format: date-time`, which says the same) plus a real calendar check.
 */
export const ISO_TIMESTAMP_PATTERN = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/;

export function isoTimestamp(what: string) {
  const error = `must be an ISO 8601 timestamp with a time zone, e.g. 2026-06-01T09:00:00.000Z (${what})`;
  return z
    .string({ error })
    .regex(ISO_TIMESTAMP_PATTERN, { error })
    .refine((value) => isRealDate(value), { error });
}

/** Date.parse accepts 2026-02-30 by rolling over; a real date reads back the same day. */
function isRealDate(value: string): boolean {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return false;
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  const zone = /([+-])(\d\d):(\d\d)$/.exec(value);
  const offsetMinutes = zone ? (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
  const local = new Date(time + offsetMinutes * 60_000);
  return local.getUTCFullYear() === year && local.getUTCMonth() + 1 === month && local.getUTCDate() === day;
}

/** The token a delete or archive's preview returned, sent back once the person agreed. */
export const confirmShape = {
  confirm: z.string({ error: "must be a string: the token from this tool's preview" }).optional().describe("Token from the preview, only after the person agreed."),
};

/** Said in each confirmed tool's description: the model shows the preview and waits. */
export const CONFIRM_NOTE = " Asks first (a dialog, or a preview and confirm token): show the preview to the person, await their answer.";
