/**
 * One record too large for a list result on its own (a lead with hundreds of intent signals, a
 * lead magnet's long hosted page): shown shortened rather than sent whole, because a result of
 * hundreds of kilobytes would not fit a model's context at all. Its largest values are halved,
 * the largest first, until the record fits: a text ends in the marker "… (+N characters)" (a
 * write carrying it is refused, so the cut cannot be written back), a list keeps its first
 * entries. Each cut is named, for the result to say.
 */

/** What was cut: `hosted_page.content: 61,000 of 100,000 characters`. */
export interface Cut {
  path: string;
  kept: number;
  total: number;
  unit: "characters" | "entries";
}

interface Shrinkable {
  path: string;
  /** The value as read (never changed): each cut is taken from it anew, so markers never pile up. */
  original: string | unknown[];
  total: number;
  kept: number;
  set: (value: unknown) => void;
}

/** Rounds of halving at most: each halves the largest value, so even a deep record settles long before. */
const MAX_ROUNDS = 200;

export function fitRecord(record: unknown, maxBytes: number): { record: unknown; cuts: Cut[] } {
  if (byteSize(record) <= maxBytes) return { record, cuts: [] };
  const copy = structuredClone(record);
  const values: Shrinkable[] = [];
  collect(copy, "", values);
  for (let round = 0; round < MAX_ROUNDS && byteSize(copy) > maxBytes; round += 1) {
    const largest = values.filter((value) => currentBytes(value) > 0 && isShown(value.path, values)).sort((a, b) => currentBytes(b) - currentBytes(a))[0];
    if (largest === undefined) break;
    largest.kept = Math.floor(largest.kept / 2);
    largest.set(shortened(largest));
  }
  // A cut inside an entry that a shortened list no longer holds is not shown: it is not named.
  const cuts = values
    .filter((value) => value.kept < value.total && isShown(value.path, values))
    .map((value) => ({ path: value.path, kept: value.kept, total: value.total, unit: typeof value.original === "string" ? ("characters" as const) : ("entries" as const) }));
  return { record: copy, cuts };
}

/** `hosted_page.content: the first 61,000 of 100,000 characters; intent_signals: the first 40 of 380 entries`. */
export function describeCuts(cuts: readonly Cut[]): string {
  const named = cuts.slice(0, MAX_CUTS_NAMED).map((cut) => `${cut.path}: the first ${cut.kept.toLocaleString("en-US")} of ${cut.total.toLocaleString("en-US")} ${cut.unit}`);
  if (cuts.length > MAX_CUTS_NAMED) named.push(`and ${cuts.length - MAX_CUTS_NAMED} more values shortened`);
  return named.join("; ");
}

/** Cuts named one by one in a notice; past these, only counted. */
const MAX_CUTS_NAMED = 8;

function collect(value: unknown, path: string, into: Shrinkable[]): void {
  if (typeof value !== "object" || value === null) return;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    const at = typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;
    const set = (next: unknown): void => {
      (value as Record<string | number, unknown>)[key] = next;
    };
    if (typeof item === "string") {
      const total = [...item].length;
      if (total > MIN_TEXT) into.push({ path: at, original: item, total, kept: total, set });
    } else if (Array.isArray(item)) {
      if (item.length > 1) into.push({ path: at, original: [...item], total: item.length, kept: item.length, set });
      collect(item, at, into);
    } else {
      collect(item, at, into);
    }
  }
}

/** Texts this short are left whole: cutting them would save little and lose a name or an id. */
const MIN_TEXT = 200;

function shortened(value: Shrinkable): unknown {
  if (typeof value.original === "string") {
    const kept = Math.max(value.kept, MIN_TEXT);
    value.kept = kept;
    return `${[...value.original].slice(0, kept).join("")}… (+${value.total - kept} characters)`;
  }
  return value.original.slice(0, value.kept);
}

function currentBytes(value: Shrinkable): number {
  if (value.kept === 0) return 0;
  if (typeof value.original === "string") return value.kept <= MIN_TEXT ? 0 : value.kept;
  return byteSize(value.original.slice(0, value.kept));
}

function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "null");
}

/** Whether the value at `path` is still in the record: no shortened list above it dropped its entry. */
function isShown(path: string, values: readonly Shrinkable[]): boolean {
  return !values.some((list) => {
    if (!Array.isArray(list.original) || list.kept >= list.total || !path.startsWith(`${list.path}[`)) return false;
    const index = Number(/^\[(\d+)\]/.exec(path.slice(list.path.length))?.[1]);
    return index >= list.kept;
  });
}
