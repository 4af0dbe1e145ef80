/** A parsed JSON value that is an object (not an array, not null): its fields can be read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A list's items whose JSON is already written (a detailed list's text lines are each item's
 * JSON): the stdio transport splices them into the message instead of serialising the same
 * records a second time. Keyed by the very array that is a result's `structuredContent.data`.
 */
const ITEMS_JSON = new WeakMap<readonly unknown[], readonly string[]>();

/** Records that `items[i]`'s JSON is `json[i]`; the array must not change afterwards. */
export function rememberItemsJson(items: readonly unknown[], json: readonly string[]): void {
  if (items.length === json.length) ITEMS_JSON.set(items, json);
}

/** A random stand-in for the items while the rest of the message is serialised. */
const ITEMS_STAND_IN = `lp-items-${globalThis.crypto.randomUUID()}`;
const ITEMS_STAND_IN_JSON = JSON.stringify(ITEMS_STAND_IN);

/**
 * JSON.stringify(message), exactly, in pieces to be written one after the other: a result's
 * remembered items go out as written, between the rest of the message serialised with a
 * stand-in for them. Pieces, not one string, because joining them would copy the whole
 * message once more before the write copies it again. The stand-in is a random token, so
 * nothing a third party wrote can be taken for it.
 */
export function messageChunks(message: unknown): string[] {
  if (!isRecord(message) || !isRecord(message.result) || !isRecord(message.result.structuredContent)) return [JSON.stringify(message)];
  const structured = message.result.structuredContent;
  const items = Array.isArray(structured.data) ? ITEMS_JSON.get(structured.data) : undefined;
  if (items === undefined) return [JSON.stringify(message)];
  const text = JSON.stringify({ ...message, result: { ...message.result, structuredContent: { ...structured, data: ITEMS_STAND_IN } } });
  const at = text.indexOf(ITEMS_STAND_IN_JSON);
  if (at === -1) return [JSON.stringify(message)];
  return [text.slice(0, at), `[${items.join(",")}]`, text.slice(at + ITEMS_STAND_IN_JSON.length)];
}

/** The message as one string: what messageChunks writes. */
export function stringifyMessage(message: unknown): string {
  return messageChunks(message).join("");
}
