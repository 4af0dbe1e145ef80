import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  describeInstant,
  formatInZone,
  formatUtc,
  listTimeZones,
  matchTimeZones,
  parseScheduledAt,
} from "../../src/writes/time.js";

const now = new Date("2026-12-04T15:00:00.000Z");
const RUNS = { numRuns: 200 } as const;

function accepted(input: string, timeZone?: string) {
  const result = parseScheduledAt(input, { now, timeZone });
  if (!result.ok) throw new Error(`refused ${input}: ${result.message}`);
  return result;
}

function refused(input: string, timeZone?: string): string {
  const result = parseScheduledAt(input, { now, timeZone });
  if (result.ok) throw new Error(`accepted ${input} as ${result.iso}`);
  return result.message;
}

describe("parseScheduledAt: offsets", () => {
  it.each([
    ["2026-12-05T09:00:00+01:00", "2026-12-05T08:00:00.000Z", "+01:00"],
    ["2026-12-05T09:00:00+0100", "2026-12-05T08:00:00.000Z", "+01:00"],
    ["2026-12-05T09:00+01:00", "2026-12-05T08:00:00.000Z", "+01:00"],
    ["2026-12-05T09:00:00Z", "2026-12-05T09:00:00.000Z", "+00:00"],
    ["2026-12-05t09:00:00z", "2026-12-05T09:00:00.000Z", "+00:00"],
    ["2026-12-05 09:00:00Z", "2026-12-05T09:00:00.000Z", "+00:00"],
    ["2026-12-05T09:00:00-05:30", "2026-12-05T14:30:00.000Z", "-05:30"],
    ["2026-12-05T09:00:00.5-0530", "2026-12-05T14:30:00.500Z", "-05:30"],
    ["2026-12-05T09:00:00.123456789+00:00", "2026-12-05T09:00:00.123Z", "+00:00"],
    ["  2026-12-05T09:00:00Z  ", "2026-12-05T09:00:00.000Z", "+00:00"],
  ])("%s is %s", (input, iso, offset) => {
    const result = accepted(input);
    expect(result.iso).toBe(iso);
    expect(result.utc.toISOString()).toBe(iso);
    expect(result.given).toEqual({ offset });
  });

  it("reads any offset and its basic form as the same instant Date.parse gives", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2027-01-01T00:00:00Z"), max: Date.parse("2099-12-31T00:00:00Z") }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (epochMs, offsetMinutes) => {
          const wall = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 23);
          const sign = offsetMinutes < 0 ? "-" : "+";
          const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, "0");
          const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, "0");
          const extended = accepted(`${wall}${sign}${hours}:${minutes}`);
          const basic = accepted(`${wall}${sign}${hours}${minutes}`);
          expect(extended.utc.getTime()).toBe(epochMs);
          expect(basic.utc.getTime()).toBe(epochMs);
          expect(basic.given.offset).toBe(`${sign}${hours}:${minutes}`);
        },
      ),
      RUNS,
    );
  });

  it("never throws and refuses in one line whatever the string", () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.constantFrom("Europe/Berlin", "Nowhere/Else", "", "UTC"), { nil: undefined }), (input, timeZone) => {
        const result = parseScheduledAt(input, { now, timeZone });
        if (!result.ok) expect(result.message).not.toMatch(/\n/);
      }),
      RUNS,
    );
  });
});

describe("parseScheduledAt: refusals", () => {
  it.each(["tomorrow", "9am", "", "2026-12-05", "12/05/2026 09:00", "2026-12-05T9:00Z", "2026-12-05T09:00:00+1"])(
    "%j is refused in one line with one example that has an offset",
    (input) => {
      const message = refused(input);
      expect(message).toMatch(/^scheduled_at /);
      expect(message).not.toMatch(/\n/);
      expect(message.match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d/g)).toEqual(["2026-12-05T09:00:00+00:00"]);
      expect(message).not.toMatch(/future/);
    },
  );

  it("takes its example from the time zone when one is given", () => {
    expect(refused("tomorrow 9am", "Europe/Berlin")).toBe(
      'scheduled_at "tomorrow 9am" is not a date and time: send RFC 3339 with an offset, e.g. 2026-12-05T09:00:00+01:00, or a local time such as 2026-12-05T09:00:00 with this time_zone',
    );
    expect(refused("soon", "America/New_York")).toContain("e.g. 2026-12-05T09:00:00-05:00");
  });

  it.each(["2026-02-30T09:00:00Z", "2026-12-05T24:00:00Z", "2026-12-05T09:60:00Z", "2026-12-05T09:00:60Z", "2026-13-01T09:00:00Z"])(
    "%s is not a real date and time",
    (input) => {
      expect(refused(input)).toMatch(/is not a real date and time/);
    },
  );

  it("refuses an offset beyond ±23:59", () => {
    expect(refused("2026-12-05T09:00:00+24:00")).toMatch(/offset beyond ±23:59/);
    expect(refused("2026-12-05T09:00:00+01:60")).toMatch(/offset beyond ±23:59/);
  });

  it("refuses a past or present time, showing now in UTC", () => {
    expect(refused("2026-12-04T15:00:00Z")).toBe(
      "scheduled_at must be in the future: 2026-12-04T15:00:00.000Z is not after now (2026-12-04T15:00:00.000Z UTC)",
    );
    expect(refused("2026-12-04T15:59:59+01:00")).toMatch(/^scheduled_at must be in the future: 2026-12-04T14:59:59\.000Z/);
    expect(accepted("2026-12-04T15:00:00.001Z").iso).toBe("2026-12-04T15:00:00.001Z");
  });

  it("refuses a local time without an offset or time_zone, naming both ways out", () => {
    expect(refused("2026-12-05T09:00")).toBe(
      'scheduled_at "2026-12-05T09:00" has no offset: add one, e.g. 2026-12-05T09:00:00+00:00, or give time_zone (an IANA name such as Europe/Berlin)',
    );
  });

  it("refuses an unknown time_zone by name", () => {
    for (const zone of ["Europe/Berlim", "Berlin", "", "CET+1"]) {
      expect(refused("2026-12-05T09:00", zone)).toBe(
        `time_zone ${JSON.stringify(zone)} is not a known IANA time zone: use a name such as Europe/Berlin, America/New_York or UTC`,
      );
    }
  });
});

describe("parseScheduledAt: local times in a time_zone", () => {
  it("converts with the zone's offset on that date", () => {
    const winter = accepted("2026-12-05T09:00", "Europe/Berlin");
    expect(winter.iso).toBe("2026-12-05T08:00:00.000Z");
    expect(winter.given).toEqual({ timeZone: "Europe/Berlin" });
    expect(accepted("2027-07-05T09:00:00", "Europe/Berlin").iso).toBe("2027-07-05T07:00:00.000Z");
    expect(accepted("2026-12-05T09:00", "America/New_York").iso).toBe("2026-12-05T14:00:00.000Z");
    expect(accepted("2026-12-05T09:00", "Asia/Kolkata").iso).toBe("2026-12-05T03:30:00.000Z");
    expect(accepted("2026-12-05T09:00", "UTC").iso).toBe("2026-12-05T09:00:00.000Z");
  });

  it("accepts the zone name in any case and reports the canonical spelling", () => {
    expect(accepted("2026-12-05T09:00", "europe/berlin").given).toEqual({ timeZone: "Europe/Berlin" });
    expect(accepted("2026-12-05T09:00", "Etc/UTC").given).toEqual({ timeZone: "UTC" });
  });

  it("refuses a time inside a daylight-saving gap, naming the skipped hour and the nearest valid times", () => {
    expect(refused("2027-03-28T02:30", "Europe/Berlin")).toBe(
      "scheduled_at 2027-03-28T02:30:00 does not exist in Europe/Berlin: clocks jump from 02:00 to 03:00 that night; the nearest valid times are 2027-03-28T01:59:00+01:00 and 2027-03-28T03:00:00+02:00",
    );
    expect(refused("2027-03-14T02:15", "America/New_York")).toContain(
      "clocks jump from 02:00 to 03:00 that night; the nearest valid times are 2027-03-14T01:59:00-05:00 and 2027-03-14T03:00:00-04:00",
    );
    // Lord Howe Island moves its clocks by 30 minutes.
    expect(refused("2027-10-03T02:15", "Australia/Lord_Howe")).toContain("clocks jump from 02:00 to 02:30");
    expect(accepted("2027-03-28T03:00", "Europe/Berlin").iso).toBe("2027-03-28T01:00:00.000Z");
    expect(accepted("2027-03-28T01:59", "Europe/Berlin").iso).toBe("2027-03-28T00:59:00.000Z");
  });

  it("refuses a time that happens twice, showing both offsets so the person chooses", () => {
    expect(refused("2027-10-31T02:30", "Europe/Berlin")).toBe(
      "scheduled_at 2027-10-31T02:30:00 happens twice in Europe/Berlin (clocks go back that night): send it with the offset you mean, 2027-10-31T02:30:00+02:00 (the first time) or 2027-10-31T02:30:00+01:00 (the second)",
    );
    expect(accepted("2027-10-31T02:30:00+02:00", "Europe/Berlin").iso).toBe("2027-10-31T00:30:00.000Z");
    expect(accepted("2027-10-31T02:30:00+01:00", "Europe/Berlin").iso).toBe("2027-10-31T01:30:00.000Z");
    expect(refused("2027-11-07T01:30", "America/New_York")).toContain("2027-11-07T01:30:00-04:00 (the first time) or 2027-11-07T01:30:00-05:00 (the second)");
  });

  it("takes an offset that agrees with the time_zone and refuses one that does not", () => {
    expect(accepted("2026-12-05T09:00:00+01:00", "Europe/Berlin").given).toEqual({ offset: "+01:00", timeZone: "Europe/Berlin" });
    expect(refused("2026-12-05T09:00:00Z", "Europe/Berlin")).toBe(
      'scheduled_at "2026-12-05T09:00:00Z" has offset +00:00, but time_zone Europe/Berlin is +01:00 at that time: send the local time without an offset to mean Europe/Berlin, or leave time_zone out to mean +00:00',
    );
  });

  it("round-trips every unambiguous local time in several zones", () => {
    const zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham"];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2027-01-01T00:00:00Z"), max: Date.parse("2040-01-01T00:00:00Z") }),
        fc.constantFrom(...zones),
        (epochMinutes, zone) => {
          const instant = new Date(Math.floor(epochMinutes / 60_000) * 60_000);
          const [date, time] = formatInZone(instant, zone).split(" ") as [string, string];
          const result = parseScheduledAt(`${date}T${time}`, { now, timeZone: zone });
          if (result.ok) expect(result.utc.getTime()).toBe(instant.getTime());
          else expect(result.message).toMatch(/happens twice/);
        },
      ),
      RUNS,
    );
  });
});

describe("formatInZone and describeInstant", () => {
  const instant = new Date("2026-12-05T08:00:00.000Z");

  it("renders in a zone, an offset or UTC", () => {
    expect(formatInZone(instant, "Europe/Berlin")).toBe("2026-12-05 09:00 Europe/Berlin (+01:00)");
    expect(formatInZone(instant, "America/New_York")).toBe("2026-12-05 03:00 America/New_York (-05:00)");
    expect(formatInZone(instant, "+01:00")).toBe("2026-12-05 09:00 (+01:00)");
    expect(formatInZone(instant, "-0530")).toBe("2026-12-05 02:30 (-05:30)");
    expect(formatInZone(instant, "Z")).toBe("2026-12-05 08:00 (+00:00)");
    expect(formatInZone(instant, "UTC")).toBe("2026-12-05 08:00 UTC");
    expect(formatInZone(new Date("2026-12-05T08:00:30Z"), "Europe/Berlin")).toBe("2026-12-05 09:00:30 Europe/Berlin (+01:00)");
    expect(formatUtc(instant)).toBe("2026-12-05 08:00 UTC");
  });

  it("throws a RangeError naming time_zone for an unknown zone", () => {
    expect(() => formatInZone(instant, "Mars/Olympus")).toThrow(new RangeError('time_zone "Mars/Olympus" is not a known IANA time zone'));
  });

  it("describes an instant in UTC and the caller's zone, never throwing", () => {
    expect(describeInstant(instant)).toBe("2026-12-05 08:00 UTC");
    expect(describeInstant(instant, "Europe/Berlin")).toBe("2026-12-05 08:00 UTC = 2026-12-05 09:00 Europe/Berlin (+01:00)");
    expect(describeInstant(instant, "UTC")).toBe("2026-12-05 08:00 UTC");
    expect(describeInstant(instant, "Mars/Olympus")).toBe("2026-12-05 08:00 UTC");
  });
});

describe("time zone names", () => {
  it("lists the platform's zones, sorted, with UTC", () => {
    const zones = listTimeZones();
    expect(zones.length).toBeGreaterThan(300);
    expect(zones).toContain("Europe/Berlin");
    expect(zones).toContain("UTC");
    expect([...zones].sort()).toEqual(zones);
  });

  it("matches prefixes and city names first, then substrings, case-insensitively", () => {
    expect(matchTimeZones("berl")).toEqual(["Europe/Berlin"]);
    expect(matchTimeZones("Europe/Ber")).toEqual(["Europe/Berlin"]);
    expect(matchTimeZones("new york")).toEqual(["America/New_York"]);
    const york = matchTimeZones("york");
    expect(york).toContain("America/New_York");
    const europe = matchTimeZones("europe/", 5);
    expect(europe).toHaveLength(5);
    expect(europe.every((zone) => zone.startsWith("Europe/"))).toBe(true);
    expect(matchTimeZones("", 3)).toEqual(listTimeZones().slice(0, 3));
    expect(matchTimeZones("berlin", 0)).toEqual([]);
    expect(matchTimeZones("zzzz")).toEqual([]);
  });

  it("puts names that start with the query before names that only contain it", () => {
    const matches = matchTimeZones("an");
    const firstContaining = matches.findIndex((zone) => !zone.toLowerCase().split("/").some((part) => part.startsWith("an")));
    if (firstContaining >= 0) {
      expect(matches.slice(firstContaining).every((zone) => !zone.toLowerCase().split("/").some((part) => part.startsWith("an")))).toBe(true);
    }
    expect(matches[0]!.toLowerCase().split("/").some((part) => part.startsWith("an"))).toBe(true);
  });
});
