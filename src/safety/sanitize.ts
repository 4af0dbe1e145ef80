/**
 * The sanitizer for every third-party string (lead names, headlines, form names, activity
 * content, client names…) before it reaches a language model.
 *
 * What it guarantees about its output, whatever the input:
 * - no invisible characters, bidi controls, Unicode tag characters, variation selectors,
 *   private-use characters, the braille blank or C0/C1 control characters other than `\n` and
 *   `\t` (see `removeHiddenCharacters` for the three narrow, documented exceptions that keep
 *   emoji and Persian/Indic text intact);
 * - no markdown image, link, reference definition, HTML tag or HTML comment: images become
 *   `[image removed]`, links become `text (url)`, tags and comments disappear (words in angle
 *   brackets that cannot be a tag, "Founder <Acme Corp>", stay as inert text), and whatever
 *   could still be read as markup gets a space that makes it inert (`<a` → `< a`,
 *   `](` → `] (`, `![` → `! [`);
 * - NFC (canonically equivalent to the input's visible text; NFKC would rewrite legitimate
 *   text such as `ﬁ`, `²` or full-width forms, so it is not used);
 * - at most `maxLength` code points in total, suffix included, never a split surrogate pair;
 * - idempotent: `sanitizeText(sanitizeText(x)) === sanitizeText(x)`.
 *
 * Every step is linear in the input: regular expressions are anchored on a literal or a
 * single character, and every "find the closing delimiter" search is cached so that a long
 * run of openers without a closer is scanned once, not once per opener.
 */

export interface SanitizeOptions {
  /** Maximum length of the result in code points, the truncation notice included. */
  maxLength?: number;
}

export const DEFAULT_MAX_LENGTH = 2_000;
/** Beyond this depth, `sanitizeDeep` replaces objects and arrays by this marker. */
export const MAX_DEPTH = 20;
export const TOO_DEEP = "[too deep]";
export const IMAGE_REMOVED = "[image removed]";
export const REFERENCE_REMOVED = "[reference removed]";
export const UNSAFE_LINK_REMOVED = "unsafe link removed";
/** Zalgo text is legitimate Unicode but a rendering hazard; real scripts stay well below. */
export const MAX_COMBINING_MARKS = 8;

export function sanitizeText(input: string, options?: SanitizeOptions): string {
  const maxLength = resolveMaxLength(options);
  let text = typeof input === "string" ? input : String(input);
  if (text.length <= maxLength && INERT_ASCII.test(text)) return text;
  text = text.replace(/\r\n?|[\u0085\u2028\u2029]/g, "\n");
  text = replaceLoneSurrogates(text);
  text = removeHiddenCharacters(text);
  text = text.normalize("NFC");
  text = stripHtml(text);
  text = stripMarkdown(text);
  text = neutraliseMarkup(text);
  // Removing markup can join a base letter with a combining mark, or a mark run with another.
  text = text.normalize("NFC");
  text = capCombiningMarks(text);
  // The few characters kept by context (joiners, emoji presentation) are checked again
  // against their final neighbours.
  text = removeHiddenCharacters(text);
  text = collapseBlankLines(text);
  return truncate(text, maxLength);
}

/**
 * Printable ASCII and tab without `!`, `<`, `[`, `]`: every step below is the identity on it
 * (most names, emails, URLs and statuses), so it is returned as is.
 */
const INERT_ASCII = /^[\t\x20\x22-\x3B\x3D-\x5A\x5C\x5E-\x7E]*$/;

export function sanitizeDeep(value: unknown, options?: SanitizeOptions): unknown {
  const maxLength = resolveMaxLength(options);
  return transformStrings(value, (text) => sanitizeText(text, { maxLength }));
}

/**
 * Rebuilds a JSON-like value with every string passed through `sanitizeString`, which gets
 * the nearest enclosing object key (arrays inherit their parent's key) so callers can pick a
 * per-field cap. Numbers, booleans and null are kept; keys are kept (also `__proto__`, as an
 * own property) unless `transformKey` is given; cycles become "[circular]", values deeper
 * than MAX_DEPTH become TOO_DEEP, values that cannot be read become "[unreadable]".
 * Never throws.
 */
export function transformStrings(
  value: unknown,
  sanitizeString: (text: string, key: string | undefined) => string,
  transformKey: (key: string) => string = (key) => key,
): unknown {
  const ancestors = new Set<object>();

  const visit = (current: unknown, key: string | undefined, depth: number): unknown => {
    switch (typeof current) {
      case "string":
        return sanitizeString(current, key);
      case "number":
      case "boolean":
      case "undefined":
        return current;
      case "bigint":
        return current.toString();
      case "function":
      case "symbol":
        return undefined;
      default:
        break;
    }
    if (current === null) return null;
    const container = current as object;
    if (depth > MAX_DEPTH) return TOO_DEEP;
    if (ancestors.has(container)) return "[circular]";
    ancestors.add(container);
    try {
      if (container instanceof Date) {
        return Number.isNaN(container.getTime()) ? null : container.toISOString();
      }
      if (Array.isArray(container)) {
        const items: unknown[] = [];
        for (let index = 0; index < container.length; index++) {
          items.push(visit(readSafely(() => container[index] as unknown), key, depth + 1));
        }
        return items;
      }
      const result: Record<string, unknown> = {};
      for (const ownKey of Object.keys(container)) {
        const ownValue = readSafely(() => (container as Record<string, unknown>)[ownKey]);
        setOwn(result, transformKey(ownKey), visit(ownValue, ownKey, depth + 1));
      }
      return result;
    } catch {
      return UNREADABLE;
    } finally {
      ancestors.delete(container);
    }
  };

  return visit(value, undefined, 0);
}

const UNREADABLE = "[unreadable]";

function readSafely(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return UNREADABLE;
  }
}

/** Defines an own enumerable property, so that a `__proto__` key stays data. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function resolveMaxLength(options: SanitizeOptions | undefined): number {
  const requested = options?.maxLength;
  if (typeof requested === "number" && Number.isFinite(requested) && requested >= 1) {
    return Math.floor(requested);
  }
  return DEFAULT_MAX_LENGTH;
}

function replaceLoneSurrogates(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

// ---------------------------------------------------------------------------------------
// Hidden characters

/**
 * Default_Ignorable_Code_Point covers the zero-width characters, bidi controls, soft hyphen,
 * CGJ, Hangul fillers, variation selectors (both blocks) and the whole tag block; Cf adds the
 * remaining format controls (Arabic number signs, interlinear annotation…); Co the private-use
 * characters (U+E000–U+F8FF and planes 15–16), which have no agreed glyph and render as blanks
 * or as whatever a font puts there; then U+2800 (the braille blank, a space that is not
 * whitespace), noncharacters and the C0/C1 controls. Tab and line feed are the only controls
 * that free text keeps.
 */
const INVISIBLE_CLASS = String.raw`\p{Default_Ignorable_Code_Point}\p{Cf}\p{Co}\p{Noncharacter_Code_Point}\u2800`;

/**
 * The one test for characters that hide or reorder text, for single-line text (file names,
 * messages, log fields): every invisible character above, every C0/C1 control (tab and line
 * feed included) and the line and paragraph separators.
 */
const CONTROL_OR_INVISIBLE = new RegExp(String.raw`[${INVISIBLE_CLASS}\p{Cc}\u2028\u2029]`, "gu");
const CONTROL_OR_INVISIBLE_ONE = new RegExp(CONTROL_OR_INVISIBLE.source, "u");

/** Whether a single-line text holds a control, bidi, zero-width or other invisible character. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL_OR_INVISIBLE_ONE.test(text);
}

/**
 * Single-line text with every control and invisible character replaced by `replacement`, or by
 * what it returns for the character (an escape, say).
 */
export function stripControlCharacters(text: string, replacement: string | ((character: string) => string) = ""): string {
  return typeof replacement === "string"
    ? text.replace(CONTROL_OR_INVISIBLE, replacement)
    : text.replace(CONTROL_OR_INVISIBLE, (character) => replacement(character));
}

/** `\uXXXX` (or `\u{XXXXX}`) for a character: how a message shows one it must not render. */
export function escapeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Free text keeps tab and line feed. The four characters that may be kept (ZWNJ, ZWJ, VS15,
 * VS16) are judged in a second step, against the neighbours they have once everything else
 * hidden is gone.
 */
const HIDDEN_CHARACTER = new RegExp(
  String.raw`(?![\u200C\u200D\uFE0E\uFE0F])[${INVISIBLE_CLASS}\u0000-\u0008\u000B-\u001F\u007F-\u009F]`,
  "gu",
);
/** Kept or dropped depending on their neighbours once everything else hidden is gone. */
const CONTEXTUAL_CHARACTER = /[\u200C\u200D\uFE0E\uFE0F]/g;

const ZWJ = 0x200d;
const TEXT_PRESENTATION = 0xfe0e;
const EMOJI_PRESENTATION = 0xfe0f;

const EMOJI_CHARACTER = /^[\p{Emoji}\p{Extended_Pictographic}]$/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const EMOJI_MODIFIER = /^\p{Emoji_Modifier}$/u;
/** Scripts whose orthography needs ZWNJ/ZWJ between letters (Persian, Urdu, Hindi, Sinhala…). */
const JOINING_SCRIPT_CHARACTER =
  /^[\p{scx=Arab}\p{scx=Syrc}\p{scx=Thaa}\p{scx=Nkoo}\p{scx=Mand}\p{scx=Deva}\p{scx=Beng}\p{scx=Guru}\p{scx=Gujr}\p{scx=Orya}\p{scx=Taml}\p{scx=Telu}\p{scx=Knda}\p{scx=Mlym}\p{scx=Sinh}]$/u;
const LETTER = /^\p{L}$/u;
const LETTER_OR_MARK = /^[\p{L}\p{M}]$/u;
const SINGLE_HIDDEN = /^[\p{Default_Ignorable_Code_Point}\p{Cf}]$/u;

/**
 * Removes every hidden character, with three exceptions that carry at most one bit per
 * visible neighbour (so they cannot smuggle text, nor split an ASCII word to dodge a filter):
 * - U+FE0E/U+FE0F directly after an emoji character (emoji presentation, e.g. ❤️);
 * - U+200D between two pictographs (ZWJ emoji such as 👨‍👩‍👧, 🏳️‍🌈, 🧑🏽‍💻), because removing it
 *   would split a family into three people;
 * - U+200C/U+200D between letters of the Arabic-family and Indic scripts, where they are
 *   orthography (Persian می‌خواهم, Sinhala ශ්‍රී).
 * Everything else listed above goes, tags included (so subdivision flags such as 🏴󠁧󠁢󠁳󠁣󠁴󠁿 degrade
 * to 🏴: tag characters are the classic ASCII smuggling channel).
 */
export function removeHiddenCharacters(text: string): string {
  const visible = text.replace(HIDDEN_CHARACTER, "");
  return visible.replace(CONTEXTUAL_CHARACTER, (character: string, offset: number, whole: string) => {
    switch (character.charCodeAt(0)) {
      case TEXT_PRESENTATION:
      case EMOJI_PRESENTATION:
        return isEmojiCharacter(codePointBefore(whole, offset)) ? character : "";
      case ZWJ:
        return keepZeroWidthJoiner(whole, offset) ? character : "";
      default:
        return joinsScriptLetters(whole, offset) ? character : "";
    }
  });
}

function keepZeroWidthJoiner(text: string, offset: number): boolean {
  const next = codePointAt(text, offset + 1);
  if (matches(PICTOGRAPH, next)) {
    const previous = codePointBefore(text, offset);
    if (matches(PICTOGRAPH, previous) || matches(EMOJI_MODIFIER, previous)) return true;
    if (previous === EMOJI_PRESENTATION) {
      // The U+FE0F itself is kept only after an emoji character; check that, not just its presence.
      return isEmojiCharacter(codePointBefore(text, offset - 1));
    }
    return false;
  }
  return joinsScriptLetters(text, offset);
}

function joinsScriptLetters(text: string, offset: number): boolean {
  const previous = codePointBefore(text, offset);
  const next = codePointAt(text, offset + 1);
  return (
    isJoiningScript(previous) && matches(LETTER_OR_MARK, previous) && isJoiningScript(next) && matches(LETTER, next)
  );
}

function isJoiningScript(codePoint: number | undefined): boolean {
  return matches(JOINING_SCRIPT_CHARACTER, codePoint) && !matches(SINGLE_HIDDEN, codePoint);
}

function isEmojiCharacter(codePoint: number | undefined): boolean {
  return matches(EMOJI_CHARACTER, codePoint);
}

const propertyCache = new Map<RegExp, Map<number, boolean>>();
const PROPERTY_CACHE_LIMIT = 4_096;

/** Whether a code point has a Unicode property, memoised (floods repeat the same few characters). */
function matches(pattern: RegExp, codePoint: number | undefined): boolean {
  if (codePoint === undefined) return false;
  let cache = propertyCache.get(pattern);
  if (cache === undefined) {
    cache = new Map();
    propertyCache.set(pattern, cache);
  }
  const known = cache.get(codePoint);
  if (known !== undefined) return known;
  const result = pattern.test(String.fromCodePoint(codePoint));
  if (cache.size >= PROPERTY_CACHE_LIMIT) cache.clear();
  cache.set(codePoint, result);
  return result;
}

function codePointAt(text: string, index: number): number | undefined {
  return index < text.length ? text.codePointAt(index) : undefined;
}

function codePointBefore(text: string, index: number): number | undefined {
  if (index <= 0) return undefined;
  const last = text.charCodeAt(index - 1);
  if (last >= 0xdc00 && last <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(index - 2);
  }
  return last;
}

// ---------------------------------------------------------------------------------------
// HTML

/** Elements whose content is never text a person would read. */
const RAW_TEXT_ELEMENT = /<(script|style)(?=[\s/>])/iy;
const TAG_NAME = /<\/?([A-Za-z][A-Za-z0-9-]*)/y;
const URI_AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/y;
/**
 * Starts with an ASCII letter like every other construct recognised here, so that any "<"
 * left behind can be made inert by neutraliseMarkup (a `<1x@y.z>` simply stays text).
 */
const EMAIL_AUTOLINK = /<([A-Za-z][^\s<>@]*@[^\s<>@]+)>/y;
const LINE_BREAKING_TAGS = new Set([
  "br", "p", "div", "li", "ul", "ol", "tr", "table", "blockquote", "hr",
  "h1", "h2", "h3", "h4", "h5", "h6", "pre", "section", "article",
]);

/**
 * Element names of HTML (and SVG/MathML roots): `<Acme Corp>` in a name is text, `<div class>`
 * is markup. See looksLikeText.
 */
const HTML_ELEMENTS = new Set([
  "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo", "big", "blink",
  "blockquote", "body", "br", "button", "canvas", "caption", "center", "cite", "code", "col", "colgroup",
  "data", "datalist", "dd", "del", "details", "dfn", "dialog", "div", "dl", "dt", "em", "embed", "fieldset",
  "figcaption", "figure", "font", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6",
  "head", "header", "hr", "html", "i", "iframe", "img", "input", "ins", "kbd", "label", "legend", "li",
  "link", "main", "map", "mark", "marquee", "math", "menu", "meta", "meter", "nav", "noscript", "object",
  "ol", "optgroup", "option", "output", "p", "param", "picture", "pre", "progress", "q", "rp", "rt",
  "ruby", "s", "samp", "script", "search", "section", "select", "slot", "small", "source", "span",
  "strike", "strong", "style", "sub", "summary", "sup", "svg", "table", "tbody", "td", "template",
  "textarea", "tfoot", "th", "thead", "time", "title", "tr", "track", "tt", "u", "ul", "var", "video", "wbr",
]);

/**
 * A `<…>` that is text, not a tag: words with a space between them, no attribute (`=`) and no
 * quote, and a first word that is not an HTML element — "Founder <Acme Corp>". Kept (made
 * inert by neutraliseMarkup) instead of dropped with its words. Anything with attributes, a
 * single word (`<system>`) or an HTML element name is still removed as a tag.
 */
function looksLikeText(inside: string): boolean {
  if (!/\s/.test(inside) || /[="'`]/.test(inside)) return false;
  const first = /^[A-Za-z][A-Za-z0-9-]*/.exec(inside)?.[0]?.toLowerCase();
  return first !== undefined && !HTML_ELEMENTS.has(first);
}

/**
 * Finds `needle` at or after a position, caching the last answer. Callers ask with
 * non-decreasing positions, so a string is scanned about once however many openers it has.
 */
function cachedFinder(search: (from: number) => number): (from: number) => number {
  let searchedFrom = Number.POSITIVE_INFINITY;
  let found = -1;
  return (from) => {
    if (from >= searchedFrom && (found === -1 || found >= from)) return found;
    searchedFrom = from;
    found = search(from);
    return found;
  };
}

function literalFinder(text: string, needle: string): (from: number) => number {
  return cachedFinder((from) => text.indexOf(needle, from));
}

function patternFinder(text: string, pattern: RegExp): (from: number) => number {
  const global = new RegExp(pattern.source, "gi");
  return cachedFinder((from) => {
    global.lastIndex = from;
    const match = global.exec(text);
    return match === null ? -1 : match.index;
  });
}

function isAsciiLetter(character: string | undefined): boolean {
  return character !== undefined && /^[A-Za-z]$/.test(character);
}

/**
 * Drops HTML comments and tags (script and style with their content; an unclosed comment or
 * script hides the rest of the text from a browser, so the rest goes too) and turns autolinks
 * into their plain URL. Entities are never decoded: `&lt;script&gt;` stays inert text.
 */
function stripHtml(text: string): string {
  if (!text.includes("<")) return text;
  const nextGreaterThan = literalFinder(text, ">");
  const nextCommentEnd = literalFinder(text, "-->");
  const nextClose: Record<string, (from: number) => number> = {
    script: patternFinder(text, /<\/script(?=[\s/>])/),
    style: patternFinder(text, /<\/style(?=[\s/>])/),
  };
  const output: string[] = [];
  let position = 0;

  while (position < text.length) {
    const open = text.indexOf("<", position);
    if (open === -1) {
      output.push(text.slice(position));
      break;
    }
    output.push(text.slice(position, open));
    position = open + 1;

    if (text.startsWith("<!--", open)) {
      const end = nextCommentEnd(open + 4);
      position = end === -1 ? text.length : end + 3;
      continue;
    }

    RAW_TEXT_ELEMENT.lastIndex = open;
    const rawText = RAW_TEXT_ELEMENT.exec(text);
    if (rawText !== null) {
      const elementName = (rawText[1] ?? "").toLowerCase();
      const findClose = nextClose[elementName];
      const close = findClose === undefined ? -1 : findClose(open + 1);
      const closeEnd = close === -1 ? -1 : nextGreaterThan(close);
      position = closeEnd === -1 ? text.length : closeEnd + 1;
      continue;
    }

    URI_AUTOLINK.lastIndex = open;
    const uri = URI_AUTOLINK.exec(text);
    if (uri !== null) {
      output.push(safeUrl(uri[1] ?? ""));
      position = URI_AUTOLINK.lastIndex;
      continue;
    }
    EMAIL_AUTOLINK.lastIndex = open;
    const email = EMAIL_AUTOLINK.exec(text);
    if (email !== null) {
      output.push(email[1] ?? "");
      position = EMAIL_AUTOLINK.lastIndex;
      continue;
    }

    const following = text[open + 1];
    const startsTag =
      isAsciiLetter(following) ||
      following === "!" ||
      following === "?" ||
      (following === "/" && isAsciiLetter(text[open + 2]));
    if (startsTag) {
      const end = nextGreaterThan(open + 1);
      // Bounded, so that many openers before one far ">" stay linear.
      const textual = isAsciiLetter(following) && end - open <= 120 && looksLikeText(text.slice(open + 1, end));
      if (end !== -1 && !textual) {
        TAG_NAME.lastIndex = open;
        const name = TAG_NAME.exec(text)?.[1]?.toLowerCase();
        if (name !== undefined && LINE_BREAKING_TAGS.has(name)) output.push("\n");
        position = end + 1;
        continue;
      }
    }
    // Not markup: keep the "<"; neutraliseMarkup makes sure it cannot open a tag later.
    output.push("<");
  }
  return output.join("");
}

// ---------------------------------------------------------------------------------------
// Markdown

/** Link text or image alt: anything up to the next bracket (nested brackets are not links here). */
const LABEL = /[^[\]]*/y;
const LINK_DESTINATION = /[^\s()[\]<>]*/y;
/** An image's parenthesised part may hold a title with spaces; it ends at the first bracket or paren. */
const IMAGE_DESTINATION = /\([^()[\]\n]*\)/y;
const UNSAFE_SCHEME = /^(?:javascript|vbscript|data|file):/i;

function safeUrl(url: string): string {
  return UNSAFE_SCHEME.test(url) ? UNSAFE_LINK_REMOVED : url;
}

/** Index of the `]` closing a label that starts at `labelStart`, or -1. */
function labelEnd(text: string, labelStart: number): number {
  LABEL.lastIndex = labelStart;
  LABEL.exec(text);
  const end = LABEL.lastIndex;
  return text[end] === "]" ? end : -1;
}

/**
 * Images (inline, reference and shortcut) → IMAGE_REMOVED; reference definitions at the
 * start of a line → REFERENCE_REMOVED; links → `text (url)`. Anything else is kept as is.
 */
function stripMarkdown(text: string): string {
  if (!text.includes("[")) return text;
  const output: string[] = [];
  // Plain text is copied in runs: `pending` is where the text not yet copied starts.
  let pending = 0;
  // Spaces written since the last line feed, or -1 once anything else was (for what is in
  // `output`): a reference definition is one only where the *result* has it at a line start.
  let lineIndent = 0;
  const write = (chunk: string): void => {
    if (chunk.length === 0) return;
    output.push(chunk);
    const lastLineFeed = chunk.lastIndexOf("\n");
    const rest = lastLineFeed === -1 ? chunk : chunk.slice(lastLineFeed + 1);
    const onlySpaces = /^ *$/.test(rest);
    if (lastLineFeed !== -1) lineIndent = onlySpaces ? rest.length : -1;
    else lineIndent = lineIndent >= 0 && onlySpaces ? lineIndent + rest.length : -1;
  };
  const replace = (from: number, to: number, replacement: string): void => {
    write(text.slice(pending, from));
    write(replacement);
    pending = to;
  };
  /** At most three spaces since a line feed; looks back four characters at most. */
  const atLineStart = (at: number): boolean => {
    let spaces = 0;
    for (let index = at - 1; index >= pending; index--) {
      const character = text[index];
      if (character === "\n") return true;
      if (character !== " " || ++spaces > 3) return false;
    }
    return lineIndent >= 0 && lineIndent + spaces <= 3;
  };
  const special = /[![]/g;
  let position = 0;

  while (position < text.length) {
    special.lastIndex = position;
    const found = special.exec(text);
    if (found === null) break;
    const at = found.index;
    position = at + 1;

    if (text[at] === "!") {
      if (text[at + 1] !== "[") continue;
      const altEnd = labelEnd(text, at + 2);
      if (altEnd === -1) continue;
      let imageEnd = altEnd + 1;
      IMAGE_DESTINATION.lastIndex = imageEnd;
      if (IMAGE_DESTINATION.exec(text) !== null) {
        imageEnd = IMAGE_DESTINATION.lastIndex;
      } else if (text[imageEnd] === "[") {
        const referenceEnd = labelEnd(text, imageEnd + 1);
        if (referenceEnd !== -1) imageEnd = referenceEnd + 1;
      }
      replace(at, imageEnd, IMAGE_REMOVED);
      position = imageEnd;
      continue;
    }

    // "["
    const end = labelEnd(text, at + 1);
    if (end === -1) continue;
    if (text[end + 1] === ":" && atLineStart(at)) {
      const lineEnd = text.indexOf("\n", end);
      position = lineEnd === -1 ? text.length : lineEnd;
      replace(at, position, REFERENCE_REMOVED);
      continue;
    }
    if (text[end + 1] === "(") {
      LINK_DESTINATION.lastIndex = end + 2;
      LINK_DESTINATION.exec(text);
      const destinationEnd = LINK_DESTINATION.lastIndex;
      if (text[destinationEnd] === ")") {
        const label = text.slice(at + 1, end);
        const url = safeUrl(text.slice(end + 2, destinationEnd));
        position = destinationEnd + 1;
        replace(at, position, label.trim().length > 0 ? `${label} (${url})` : url);
      }
    }
  }
  write(text.slice(pending));
  return output.join("");
}

/**
 * Whatever markup survived (or was formed by joining text around removed markup) is made
 * inert with one space: `<a` `<!` `</` `<?` cannot open a tag, `](` `][` `]:` cannot close a
 * link or define a reference, `![` cannot start an image. Nothing in the output of this step
 * is markup for stripHtml or stripMarkdown, which is what makes the sanitizer idempotent.
 */
function neutraliseMarkup(text: string): string {
  // `<|` too: chat-template tokens such as <|im_start|> are shown as text, never as one.
  return text.replace(/!(?=\[)|\](?=[([:])|<(?=[A-Za-z!/?|])/g, "$& ");
}

// ---------------------------------------------------------------------------------------
// Shape and length

const COMBINING_MARK_FLOOD = new RegExp(`(\\p{M}{${MAX_COMBINING_MARKS}})\\p{M}+`, "gu");

function capCombiningMarks(text: string): string {
  return text.replace(COMBINING_MARK_FLOOD, "$1");
}

function collapseBlankLines(text: string): string {
  return text.replace(/\n(?:[ \t]*\n){2,}/g, "\n\n");
}

export function countCodePoints(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index++;
    }
    count++;
  }
  return count;
}

/** The first `count` code points of `text`. */
function headCodePoints(text: string, count: number): string {
  let index = 0;
  for (let taken = 0; taken < count && index < text.length; taken++) {
    const unit = text.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length ? 2 : 1;
  }
  return text.slice(0, index);
}

function truncationNotice(dropped: number): string {
  return `… [truncated, ${dropped} more characters]`;
}

function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const total = countCodePoints(text);
  if (total <= maxLength) return text;

  // The notice counts toward maxLength, so a truncated result is never truncated again.
  let keep = 0;
  for (let digits = 1; ; digits++) {
    keep = maxLength - truncationNotice(0).length + 1 - digits;
    if (String(total - keep).length <= digits) break;
  }
  // A joiner cut from what it joins would be dropped by the next pass: drop it now.
  const trimJoiners = (head: string): string => head.replace(/[\u200C\u200D]+$/, "");
  if (keep < 1) return trimJoiners(headCodePoints(text, maxLength));
  const head = trimJoiners(headCodePoints(text, keep));
  return head + truncationNotice(total - countCodePoints(head));
}
