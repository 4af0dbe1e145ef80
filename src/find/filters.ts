/**
 * The find filters of the list tools (issue 11): for each collection, the tool's optional input
 * fields and the test a record must pass. LeadPanther v1 takes only limit and offset (contract
 * §9), so none of these is ever sent to the API: the scan applies them to the pages it reads.
 */
import { z } from "zod";
import { LEAD_MAGNET_STATUSES, POST_STATUSES } from "../contract.js";
import { isoTimestamp, uuidField } from "../tools/fields.js";
import { isWithin, keywordMatcher, normalizeText, queryWords, wordsMatcher, type TimeWindow } from "./match.js";

export type FindCollection = "posts" | "leads" | "activity" | "lead_magnets" | "clients";

/**
 * Where each fact sits in a record, as a dotted path. The names the contract states are plain;
 * the ones it only implies are marked [inferred] (the sandbox uses them too): correct them here
 * and the filters and the concise projections follow.
 */
export const RECORD_FIELDS = {
  // §14
  leads: {
    id: "id",
    name: "name",
    emails: "emails",
    /** The one email a concise lead shows: the first that is set. */
    emailPreference: ["emails.submitted", "emails.work", "emails.personal"],
    profileUrl: "linkedin_profile_url",
    keyword: "latest_keyword",
    hasIntent: "has_intent",
    qualificationStatus: "qualification_status",
    headline: "headline", // [inferred]
    formName: "form_name", // [inferred]
    source: "source", // [inferred]
    createdAt: "created_at", // [inferred]
  },
  // §15
  activity: {
    id: "id",
    source: "source",
    author: "author_name",
    content: "content",
    keyword: "keyword",
    status: "status",
    postId: "metadata.post_id",
    createdAt: "created_at", // [inferred]
  },
  // §11
  posts: {
    id: "id",
    text: "text",
    status: "status",
    scheduledAt: "scheduled_at",
    publishedAt: "published_at", // [inferred]
    images: "images", // [inferred]
    documentUrl: "document_url", // [inferred]
    impressions: "metrics.impressions", // [inferred]
    reactions: "metrics.reactions", // [inferred]
    comments: "metrics.comments", // [inferred]
  },
  // §12
  lead_magnets: {
    id: "id", // [inferred]
    title: "title", // [inferred]
    status: "status", // [inferred]
    keyword: "keyword", // [inferred]
    deliveryMode: "delivery_mode",
  },
  // §10
  clients: {
    userId: "user_id",
    fullName: "full_name",
    businessName: "business_name",
    grantStatus: "grant.status",
  },
} as const;

/** The value at a dotted path of a record (own properties only), or undefined. */
export function valueAt(record: unknown, path: string): unknown {
  return reader(path)(record);
}

/** {@link valueAt} for one path over many records: the path is split once. */
function reader(path: string): (record: unknown) => unknown {
  const keys = path.split(".");
  return (record) => {
    let value: unknown = record;
    for (const key of keys) {
      if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  };
}

/** The strings at a path: the value itself, or the strings directly inside it (`emails`), added to `texts`. */
function textsReader(path: string): (record: unknown, texts: string[]) => void {
  const read = reader(path);
  return (record, texts) => {
    const value = read(record);
    if (typeof value === "string") texts.push(value);
    else if (typeof value === "object" && value !== null) {
      for (const inner of Object.values(value)) if (typeof inner === "string") texts.push(inner);
    }
  };
}

// ---------------------------------------------------------------------------------------
// Field kinds: each pairs an input schema with the test it stands for.

type RecordTest = (record: unknown) => boolean;

interface FilterField<S extends z.ZodType> {
  schema: S;
  test: (wanted: z.output<S>) => RecordTest;
}

function field<S extends z.ZodType>(schema: S, test: (wanted: z.output<S>) => RecordTest): FilterField<S> {
  return { schema, test };
}

// Length guards are refinements rather than min/max: the server still refuses with these messages,
// but tools/list does not spell out bounds no model needs in order to search.
const QUERY_MAX = 200;
const TOKEN_MAX = 100;

/** A field with its description, or none where its name and type say it all (tools/list stays short). */
function described<T extends z.ZodType>(schema: T, description: string | undefined): T {
  return description === undefined ? schema : schema.describe(description);
}

/** Words that must all be found, each in any of the fields at `paths`. */
function words(description: string, ...paths: readonly string[]) {
  return field(
    z
      .string({ error: "must be a string of words to look for" })
      .trim()
      .refine((query) => query.length <= QUERY_MAX, { error: `must be at most ${QUERY_MAX} characters` })
      .refine((query) => queryWords(query).length > 0, { error: "must contain at least one letter or digit" })
      .describe(description),
    (query) => {
      const matches = wordsMatcher(query);
      const readers = paths.map(textsReader);
      return (record) => {
        const texts: string[] = [];
        for (const read of readers) read(record, texts);
        return matches(texts);
      };
    },
  );
}

/** One value compared case-, accent- and width-insensitively: keywords, sources, statuses. */
function token(description: string, path: string) {
  return field(
    z
      .string({ error: "must be a string" })
      .trim()
      // Empty as compared: zero-width characters and lone accents fold away (keywordMatcher).
      .refine((wanted) => normalizeText(wanted).trim().length >= 1, { error: "must not be empty", abort: true })
      .refine((wanted) => wanted.length <= TOKEN_MAX, { error: `must be at most ${TOKEN_MAX} characters` })
      .describe(description),
    (wanted) => keywordTest(path, wanted),
  );
}

/** A value at `path` that is the same keyword as `wanted`. */
function keywordTest(path: string, wanted: string): RecordTest {
  const read = reader(path);
  const same = keywordMatcher(wanted);
  return (record) => same(read(record));
}

function oneOf(description: string | undefined, values: readonly [string, ...string[]], path: string) {
  return field(described(z.enum(values, { error: `must be one of ${values.join(", ")}` }), description), (wanted) => keywordTest(path, wanted));
}

function flag(description: string | undefined, path: string) {
  return field(described(z.boolean({ error: "must be true or false" }), description), (wanted) => {
    const read = reader(path);
    return (record) => read(record) === wanted;
  });
}

function recordId(what: string, description: string | undefined, path: string) {
  return field(described(uuidField(what), description), (wanted) => keywordTest(path, wanted));
}

function atOrAfter(name: string, description: string | undefined, path: string) {
  return field(described(isoTimestamp(name), description), (wanted) => withinTest(path, { after: Date.parse(wanted) }));
}

function before(name: string, description: string | undefined, path: string) {
  return field(described(isoTimestamp(name), description), (wanted) => withinTest(path, { before: Date.parse(wanted) }));
}

function withinTest(path: string, window: TimeWindow): RecordTest {
  const read = reader(path);
  return (record) => isWithin(read(record), window);
}

// ---------------------------------------------------------------------------------------

type FilterFields = Record<string, FilterField<z.ZodType>>;

/** The filter values a call gave, as validated by the tool's schema. */
export type FilterArgs<F extends FilterFields> = { [K in keyof F]?: z.output<F[K]["schema"]> };

type FilterShape<F extends FilterFields> = { [K in keyof F]: z.ZodOptional<F[K]["schema"]> };

export type FilterValue = string | number | boolean;

export interface CollectionFilter<F extends FilterFields> {
  /** The tool's input fields (all optional), to spread into its input shape. */
  shape: FilterShape<F>;
  /** Cross-field rules (a window's start before its end), for the tool's refine. */
  refine: (value: Record<string, unknown>, context: z.RefinementCtx) => void;
  /** The filters a call gave, validated; other arguments (limit, offset, …) are ignored. */
  given: (args: Readonly<Record<string, unknown>>) => FilterArgs<F>;
  isFiltered: (args: Readonly<Record<string, unknown>>) => boolean;
  /** The test of a record against every filter given (all must match). */
  predicate: (args: Readonly<Record<string, unknown>>) => RecordTest;
  /** How matches are ordered for these arguments, when not in the API's order. */
  order: (args: Readonly<Record<string, unknown>>) => ((a: unknown, b: unknown) => number) | undefined;
}

interface FilterOptions<F extends FilterFields> {
  /** [start, end] pairs of one time window: the start must come before the end. */
  windows?: readonly (readonly [keyof F & string, keyof F & string])[];
  order?: (given: FilterArgs<F>) => ((a: unknown, b: unknown) => number) | undefined;
}

function defineFilter<F extends FilterFields>(fields: F, options: FilterOptions<F> = {}): CollectionFilter<F> {
  const shape = Object.fromEntries(Object.entries(fields).map(([name, definition]) => [name, definition.schema.optional()])) as FilterShape<F>;
  const parser = z.object(shape);
  const given = (args: Readonly<Record<string, unknown>>): FilterArgs<F> => {
    const parsed = parser.parse(args) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)) as FilterArgs<F>;
  };
  return {
    shape,
    refine(value, context) {
      for (const [start, end] of options.windows ?? []) {
        const from = value[start];
        const to = value[end];
        if (typeof from === "string" && typeof to === "string" && Date.parse(from) >= Date.parse(to)) {
          context.addIssue({ code: "custom", path: [end], message: `must be later than ${start} (an empty window finds nothing)` });
        }
      }
    },
    given,
    isFiltered: (args) => Object.keys(given(args)).length > 0,
    predicate(args) {
      const tests = Object.entries(given(args)).map(([name, wanted]) => (fields[name] as FilterField<z.ZodType>).test(wanted));
      return (record) => tests.every((test) => test(record));
    },
    order: (args) => options.order?.(given(args)),
  };
}

const LEAD = RECORD_FIELDS.leads;
const ACTIVITY = RECORD_FIELDS.activity;
const POST = RECORD_FIELDS.posts;
const LEAD_MAGNET = RECORD_FIELDS.lead_magnets;
const CLIENT = RECORD_FIELDS.clients;

const leadFilter = defineFilter(
  {
    query: words("Words in name, headline, emails or form name.", LEAD.name, LEAD.headline, LEAD.emails, LEAD.formName),
    keyword: token("Latest keyword, e.g. GUIDE.", LEAD.keyword),
    has_intent: flag(undefined, LEAD.hasIntent),
    qualification_status: token("e.g. qualified, pending, unqualified.", LEAD.qualificationStatus),
    source: token("e.g. comment, message, hosted_page.", LEAD.source),
    created_after: atOrAfter("created_after", undefined, LEAD.createdAt),
    created_before: before("created_before", undefined, LEAD.createdAt),
  },
  { windows: [["created_after", "created_before"]] },
);

const activityFilter = defineFilter(
  {
    post_id: recordId("a post's id from list_posts", undefined, ACTIVITY.postId),
    keyword: token("Keyword, e.g. GUIDE.", ACTIVITY.keyword),
    source: token("comment or message.", ACTIVITY.source),
    status: token("e.g. matched, unmatched, replied, delivered.", ACTIVITY.status),
    author: words("Words in the author's name.", ACTIVITY.author),
    created_after: atOrAfter("created_after", undefined, ACTIVITY.createdAt),
    created_before: before("created_before", undefined, ACTIVITY.createdAt),
  },
  { windows: [["created_after", "created_before"]] },
);

/** Earliest scheduled first; posts without a schedule last; otherwise the API's order. */
function byScheduledAt(a: unknown, b: unknown): number {
  const at = (post: unknown): number => {
    const value = valueAt(post, POST.scheduledAt);
    const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
    return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
  };
  const difference = at(a) - at(b);
  return Number.isNaN(difference) ? 0 : difference;
}

const postFilter = defineFilter(
  {
    status: oneOf(undefined, POST_STATUSES, POST.status),
    query: words("Words in the post text.", POST.text),
    scheduled_after: atOrAfter("scheduled_after", "Scheduled at or after.", POST.scheduledAt),
    scheduled_before: before("scheduled_before", "Scheduled before.", POST.scheduledAt),
  },
  {
    windows: [["scheduled_after", "scheduled_before"]],
    order: (given) => (given.scheduled_after !== undefined || given.scheduled_before !== undefined ? byScheduledAt : undefined),
  },
);

const leadMagnetFilter = defineFilter({
  query: words("Words in the title.", LEAD_MAGNET.title),
  status: oneOf(undefined, LEAD_MAGNET_STATUSES, LEAD_MAGNET.status),
  keyword: token("Keyword, e.g. GUIDE.", LEAD_MAGNET.keyword),
});

const clientFilter = defineFilter({
  query: words("Words in full or business name.", CLIENT.fullName, CLIENT.businessName),
});

/** The find filters of each list tool's collection. */
export const FIND_FILTERS = {
  leads: leadFilter,
  activity: activityFilter,
  posts: postFilter,
  lead_magnets: leadMagnetFilter,
  clients: clientFilter,
} as const satisfies Record<FindCollection, CollectionFilter<FilterFields>>;
