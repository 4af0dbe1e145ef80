/**
 * `scheduled_at` as people give it: RFC 3339 / ISO 8601 with any offset (`Z`, `+01:00`, the
 * basic `+0100`), or a local wall-clock time plus an IANA `time_zone`, converted with the
 * platform's Intl time-zone data (no library, so the data is as fresh as the Node runtime).
 *
 * Decisions, so that a write never lands at a time the person did not mean:
 * - A local time that does not exist in the zone (the hour skipped when clocks go forward) is
 *   refused, naming the skipped span and the nearest valid times.
 * - A local time that exists twice (the hour repeated when clocks go back) is refused with both
 *   candidate offsets, so the person chooses; picking one silently would be a guess.
 * - An offset together with a `time_zone` is accepted when the offset is the zone's offset at
 *   that instant, and refused when they disagree (the person meant one of two different instants).
 * - Fractions beyond milliseconds are truncated: LeadPanther stores milliseconds.
 */

/** The outcome of {@link parseScheduledAt}: the instant, or one line saying what to send instead. */
export type ScheduledAtResult =
  | { ok: true; utc: Date; iso: string; given: { offset?: string; timeZone?: string } }
  | { ok: false; message: string };

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Date, time, optional seconds and fraction, optional offset (`Z`, `±HH:MM` or `±HHMM`). */
const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d\d):?(\d\d))?$/;

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * Parses a `scheduled_at` value (and an optional `time_zone`) into a future UTC instant.
 * `now` is the reference for "in the future" and for the example in error messages.
 * Never throws: every refusal is one line naming `scheduled_at` or `time_zone`.
 */
export function parseScheduledAt(input: string, options: { timeZone?: string; now: Date }): ScheduledAtResult {
  let timeZone: string | undefined;
  if (options.timeZone !== undefined) {
    timeZone = canonicalTimeZone(options.timeZone);
    if (timeZone === undefined) {
      return {
        ok: false,
        message: `time_zone ${JSON.stringify(options.timeZone)} is not a known IANA time zone: use a name such as Europe/Berlin, America/New_York or UTC`,
      };
    }
  }
  const example = exampleTimestamp(options.now, timeZone);
  const match = TIMESTAMP_PATTERN.exec(input.trim());
  if (!match) {
    return {
      ok: false,
      message: `scheduled_at ${JSON.stringify(input)} is not a date and time: send RFC 3339 with an offset, e.g. ${example}${timeZone ? ", or a local time such as " + example.slice(0, 19) + " with this time_zone" : ""}`,
    };
  }
  const wall = wallClockFrom(match);
  if (!isRealWallClock(wall)) {
    return {
      ok: false,
      message: `scheduled_at ${JSON.stringify(input)} is not a real date and time (no such day, hour or minute): e.g. ${example}`,
    };
  }
  const offsetMinutes = offsetFrom(match);
  if (offsetMinutes === null) {
    return {
      ok: false,
      message: `scheduled_at ${JSON.stringify(input)} has an offset beyond ±23:59: e.g. ${example}`,
    };
  }

  let utcMs: number;
  const given: { offset?: string; timeZone?: string } = {};
  if (offsetMinutes !== undefined) {
    utcMs = wallClockAsUtcMs(wall) - offsetMinutes * MINUTE_MS;
    given.offset = formatOffset(offsetMinutes);
    if (timeZone !== undefined) {
      const zoneOffset = zoneOffsetMinutes(timeZone, utcMs);
      if (zoneOffset !== offsetMinutes) {
        return {
          ok: false,
          message: `scheduled_at ${JSON.stringify(input)} has offset ${given.offset}, but time_zone ${timeZone} is ${formatOffset(zoneOffset)} at that time: send the local time without an offset to mean ${timeZone}, or leave time_zone out to mean ${given.offset}`,
        };
      }
      given.timeZone = timeZone;
    }
  } else if (timeZone === undefined) {
    return {
      ok: false,
      message: `scheduled_at ${JSON.stringify(input)} has no offset: add one, e.g. ${example}, or give time_zone (an IANA name such as Europe/Berlin)`,
    };
  } else {
    const resolved = resolveLocalTime(wall, timeZone);
    if (!resolved.ok) return resolved;
    utcMs = resolved.utcMs;
    given.timeZone = timeZone;
  }

  if (utcMs <= options.now.getTime()) {
    return {
      ok: false,
      message: `scheduled_at must be in the future: ${new Date(utcMs).toISOString()} is not after now (${options.now.toISOString()} UTC)`,
    };
  }
  const utc = new Date(utcMs);
  return { ok: true, utc, iso: utc.toISOString(), given };
}

/**
 * Renders an instant for a person: `2026-12-05 09:00 Europe/Berlin (+01:00)` for a zone name,
 * `2026-12-05 09:00 (+01:00)` for an offset (`Z`, `±HH:MM`, `±HHMM`), `2026-12-05 08:00 UTC`
 * for `UTC`. Seconds appear only when not zero. Throws a RangeError naming `time_zone` for a
 * zone the platform does not know (callers pass values {@link parseScheduledAt} accepted).
 */
export function formatInZone(date: Date, zoneOrOffset: string): string {
  const offsetMatch = /^(?:([Zz])|([+-])(\d\d):?(\d\d))$/.exec(zoneOrOffset);
  if (offsetMatch) {
    const offsetMinutes = offsetMatch[1] ? 0 : signedMinutes(offsetMatch[2]!, offsetMatch[3]!, offsetMatch[4]!);
    return `${formatWallClock(date.getTime() + offsetMinutes * MINUTE_MS)} (${formatOffset(offsetMinutes)})`;
  }
  const timeZone = canonicalTimeZone(zoneOrOffset);
  if (timeZone === undefined) {
    throw new RangeError(`time_zone ${JSON.stringify(zoneOrOffset)} is not a known IANA time zone`);
  }
  if (timeZone === "UTC") return formatUtc(date);
  const offsetMinutes = zoneOffsetMinutes(timeZone, date.getTime());
  return `${formatWallClock(date.getTime() + offsetMinutes * MINUTE_MS)} ${timeZone} (${formatOffset(offsetMinutes)})`;
}

/** `2026-12-05 08:00 UTC`: an instant in UTC, in the same shape as {@link formatInZone}. */
export function formatUtc(date: Date): string {
  return `${formatWallClock(date.getTime())} UTC`;
}

/**
 * An instant in UTC and, when a zone or offset is given, also there:
 * `2026-12-05 08:00 UTC = 2026-12-05 09:00 Europe/Berlin (+01:00)`. A zone the platform does
 * not know is left out rather than thrown on, so a result is never lost over how it is worded.
 */
export function describeInstant(instant: Date, zoneOrOffset?: string): string {
  const utc = formatUtc(instant);
  if (zoneOrOffset === undefined) return utc;
  try {
    const local = formatInZone(instant, zoneOrOffset);
    return local === utc ? utc : `${utc} = ${local}`;
  } catch {
    return utc;
  }
}

/** Every IANA zone name the platform knows (plus `UTC`), sorted: for completions and hints. */
export function listTimeZones(): readonly string[] {
  return ALL_TIME_ZONES;
}

const ALL_TIME_ZONES: readonly string[] = [...new Set([...Intl.supportedValuesOf("timeZone"), "UTC"])].sort();

/**
 * Zone names for a completion: case-insensitive, spaces match underscores. Names that start
 * with the query, or whose city part does (`berl` → Europe/Berlin), come first; then names that
 * merely contain it. At most `max` names.
 */
export function matchTimeZones(prefix: string, max = 20): string[] {
  const query = prefix.trim().toLowerCase().replace(/\s+/g, "_");
  if (max <= 0) return [];
  if (query === "") return ALL_TIME_ZONES.slice(0, max);
  const starting: string[] = [];
  const containing: string[] = [];
  for (const name of ALL_TIME_ZONES) {
    const lower = name.toLowerCase();
    if (lower.startsWith(query) || lower.split("/").some((part) => part.startsWith(query))) starting.push(name);
    else if (lower.includes(query)) containing.push(name);
  }
  return [...starting, ...containing].slice(0, max);
}

/** The platform's canonical spelling of a zone name, or undefined when it does not know it. */
function canonicalTimeZone(name: string): string | undefined {
  if (name.trim() === "") return undefined;
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name.trim() }).resolvedOptions().timeZone;
    return resolved === "Etc/UTC" || resolved === "Etc/GMT" ? "UTC" : resolved;
  } catch {
    return undefined;
  }
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall clock an instant shows in a zone (year astronomical: 1 BC is 0), to the second.
 * Pure (Intl only, no other import): the board view bundles it for its calendar days.
 */
export function wallClockIn(timeZone: string, utcMs: number): Omit<WallClock, "millisecond"> {
  let formatter = zoneFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
    zoneFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(new Date(utcMs))) parts[part.type] = part.value;
  const year = parts.era === "BC" || parts.era === "B" ? 1 - Number(parts.year) : Number(parts.year);
  return { year, month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
}

/** The zone's offset from UTC at an instant, in minutes (east positive). */
function zoneOffsetMinutes(timeZone: string, utcMs: number): number {
  const wall = wallClockIn(timeZone, utcMs);
  const wallMs = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const secondsFloor = utcMs - (((utcMs % 1000) + 1000) % 1000);
  return Math.round((wallMs - secondsFloor) / MINUTE_MS);
}

/**
 * The instant a local wall-clock time names in a zone. Offsets a day either side bound the
 * candidates (zones change offset at most once within a day); each candidate offset that the
 * zone really has at its instant is a reading of the wall clock: none is a gap, two an overlap.
 */
function resolveLocalTime(wall: WallClock, timeZone: string): { ok: true; utcMs: number } | { ok: false; message: string } {
  const wallMs = wallClockAsUtcMs(wall);
  const offsetBefore = zoneOffsetMinutes(timeZone, wallMs - DAY_MS);
  const offsetAfter = zoneOffsetMinutes(timeZone, wallMs + DAY_MS);
  const readings = [...new Set([offsetBefore, offsetAfter])]
    .filter((offset) => zoneOffsetMinutes(timeZone, wallMs - offset * MINUTE_MS) === offset)
    .sort((a, b) => b - a);
  const local = formatIsoWallClock(wallMs);
  if (readings.length === 1) return { ok: true, utcMs: wallMs - readings[0]! * MINUTE_MS };
  if (readings.length === 2) {
    const [earlier, later] = readings as [number, number];
    return {
      ok: false,
      message: `scheduled_at ${local} happens twice in ${timeZone} (clocks go back that night): send it with the offset you mean, ${local}${formatOffset(earlier)} (the first time) or ${local}${formatOffset(later)} (the second)`,
    };
  }
  // A gap: the transition lies between the two readings of the skipped wall clock.
  const transitionMs = findTransition(timeZone, wallMs - offsetAfter * MINUTE_MS, wallMs - offsetBefore * MINUTE_MS);
  const lastBefore = transitionMs - MINUTE_MS;
  const gapStart = formatWallClock(transitionMs + offsetBefore * MINUTE_MS).slice(11);
  const gapEnd = formatWallClock(transitionMs + offsetAfter * MINUTE_MS).slice(11);
  return {
    ok: false,
    message: `scheduled_at ${local} does not exist in ${timeZone}: clocks jump from ${gapStart} to ${gapEnd} that night; the nearest valid times are ${formatIsoWallClock(lastBefore + offsetBefore * MINUTE_MS)}${formatOffset(offsetBefore)} and ${formatIsoWallClock(transitionMs + offsetAfter * MINUTE_MS)}${formatOffset(offsetAfter)}`,
  };
}

/** The first instant (to the millisecond) in (from, to] at which the zone has its later offset. */
function findTransition(timeZone: string, fromMs: number, toMs: number): number {
  const offsetAtEnd = zoneOffsetMinutes(timeZone, toMs);
  let low = fromMs;
  let high = toMs;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zoneOffsetMinutes(timeZone, middle) === offsetAtEnd) high = middle;
    else low = middle;
  }
  return high;
}

function wallClockFrom(match: RegExpExecArray): WallClock {
  const fraction = (match[7] ?? "").padEnd(3, "0").slice(0, 3);
  return {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6] ?? 0),
    millisecond: Number(fraction),
  };
}

/** Offset in minutes; undefined when none was written; null when out of range. */
function offsetFrom(match: RegExpExecArray): number | undefined | null {
  if (match[8]) return 0;
  if (!match[9]) return undefined;
  if (Number(match[10]) > 23 || Number(match[11]) > 59) return null;
  return signedMinutes(match[9], match[10]!, match[11]!);
}

function signedMinutes(sign: string, hours: string, minutes: string): number {
  return (sign === "-" ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

function isRealWallClock(wall: WallClock): boolean {
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) return false;
  const date = new Date(wallClockAsUtcMs(wall));
  return date.getUTCFullYear() === wall.year && date.getUTCMonth() + 1 === wall.month && date.getUTCDate() === wall.day;
}

function wallClockAsUtcMs(wall: WallClock): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
}

/** `+01:00`, `-05:30`, `+00:00`. */
function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const absolute = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

/** `2026-12-05 09:00` (`:SS` when seconds are not zero) for wall-clock milliseconds. */
function formatWallClock(wallMs: number): string {
  const iso = new Date(wallMs).toISOString();
  const seconds = iso.slice(17, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === "00" ? "" : ":" + seconds}`;
}

/** `2026-12-05T09:00:00` for wall-clock milliseconds. */
function formatIsoWallClock(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 19);
}

/** Tomorrow at 09:00 in the zone (or UTC), written with its offset: an example that would work. */
function exampleTimestamp(now: Date, timeZone: string | undefined): string {
  const offsetToday = timeZone ? zoneOffsetMinutes(timeZone, now.getTime()) : 0;
  const tomorrow = new Date(now.getTime() + offsetToday * MINUTE_MS + DAY_MS);
  const wallMs = Date.UTC(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth(), tomorrow.getUTCDate(), 9);
  const offset = timeZone ? zoneOffsetMinutes(timeZone, wallMs - offsetToday * MINUTE_MS) : 0;
  return `${formatIsoWallClock(wallMs)}${formatOffset(offset)}`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
