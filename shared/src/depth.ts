/**
 * How deeply a parsed JSON value nests, checked without recursion: `JSON.parse` accepts thousands of
 * levels, but `JSON.stringify`, yup and any recursive walk overflow the stack on them. Values
 * deeper than the limit are refused at the edge, before anything else touches them.
 */

/** True when `value` nests objects/arrays more than `max` levels deep (a scalar is depth 0). */
export function exceedsDepth(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Bytes of `text` in UTF-8 (what a database index stores), without allocating. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** `\u0000` and lone surrogates: PostgreSQL text and jsonb refuse them (a student can print either). */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text with NUL and lone surrogates replaced by U+FFFD, so every store keeps the same characters. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}

/**
 * Replaces, in place, every string of a parsed JSON value (keys included) by its storable text.
 * Iterative; call it after the depth check.
 */
export function makeTextStorable<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (typeof value !== 'object' || value === null) return value;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>;
    for (const key of Object.keys(node)) {
      const child = node[key];
      const cleanKey = Array.isArray(node) ? key : storableText(key);
      const cleanChild = typeof child === 'string' ? storableText(child) : child;
      if (cleanKey !== key) {
        delete node[key];
        node[cleanKey] = cleanChild;
      } else if (cleanChild !== child) node[key] = cleanChild;
      if (typeof cleanChild === 'object' && cleanChild !== null) stack.push(cleanChild);
    }
  }
  return value;
}
