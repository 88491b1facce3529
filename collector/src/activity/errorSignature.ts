/**
 * What an error says with the parts that differ from student to student masked — quoted names and
 * strings, numbers, <…> placeholders, paths: "NameError: name '…' is not defined". The persister
 * stores it with each error (error_logs.signature); the dashboard groups the class's errors by it.
 *
 * A student writes the message, so the masking is a set of linear scanners over a bounded prefix
 * (the first MAX_SCANNED_CHARS characters of the first non-blank line): each pass looks at every
 * character a bounded number of times, whatever the text. The regular expressions it replaced
 * (kept in the unit test as the reference) backtracked quadratically on `'` + `\'`×4999 — 30 ms a
 * message, so a thousand such errors held the persister for every student for half a minute. On a
 * line up to MAX_SCANNED_CHARS the result is exactly what those expressions gave.
 *
 * | pass    | masks (in this order, each on the previous pass's result)          | as the expression |
 * | ------- | ------------------------------------------------------------------ | ----------------- |
 * | quotes  | '…' and "…" strings, backslash escapes inside                      | '(?:[^'\\]\|\\.)*' |
 * | angles  | <…> placeholders (no < or > inside)                                 | <[^<>]*>          |
 * | paths   | /… or C:\… at the start or after a space ( = :, up to , ) ' " space | see PATH below    |
 * | hex     | 0x… as a whole word                                                 | \b0x[0-9a-f]+\b   |
 * | numbers | -1, 2.5, 1e-3 not glued to a preceding letter or _                  | see NUMBER below  |
 */
const MASK = '…';
const MAX_SIGNATURE_CHARS = 200;
/** How much of the first line is read: the signature keeps 200 characters of it at most anyway. */
export const MAX_SCANNED_CHARS = 500;

/** The message's first line with its literals and identifiers masked, after the error's name. */
export function errorSignature(name: string, message: string): string {
  const first = firstLine(message).slice(0, MAX_SCANNED_CHARS);
  const masked = maskNumbers(maskHex(maskPaths(maskAngles(maskQuoted(maskQuoted(first, "'"), '"')))));
  const signature = masked ? `${name}: ${masked}` : name;
  return signature.length > MAX_SIGNATURE_CHARS ? `${signature.slice(0, MAX_SIGNATURE_CHARS - 1)}…` : signature;
}

/** The first line that is not blank, trimmed (found without splitting the whole message). */
function firstLine(message: string): string {
  let start = 0;
  while (start <= message.length) {
    const end = message.indexOf('\n', start);
    const line = message.slice(start, end === -1 ? message.length : end);
    if (line.trim() !== '') return line.trim();
    if (end === -1) break;
    start = end + 1;
  }
  return '';
}

/** `.` in a regular expression: anything but a line terminator. */
const isLineTerminator = (c: string) => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isWord = (c: string | undefined) => isLetter(c) || isDigit(c) || c === '_';
const isHex = (c: string | undefined) => isDigit(c) || (c !== undefined && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
const isSpace = (c: string) => /\s/.test(c);

/**
 * Strings quoted with `quote`. When the scan from a quote runs off the end, no later quote has a
 * partner either (every quote it passed was escaped, and a scan from one reads the same tokens), so
 * the rest of the line is copied as it is; when it stops at a backslash before a line terminator,
 * the search goes on after that terminator. Each character is read at most twice.
 */
function maskQuoted(text: string, quote: string): string {
  let out = '';
  let i = 0;
  let from = 0;
  while (from < text.length) {
    const open = text.indexOf(quote, from);
    if (open === -1) break;
    let j = open + 1;
    let close = -1;
    while (j < text.length) {
      const c = text[j];
      if (c === quote) {
        close = j;
        break;
      }
      if (c === '\\') {
        if (j + 1 < text.length && isLineTerminator(text[j + 1])) break; // `\.` fails here; quotes before it were escaped
        j += 2;
      } else j += 1;
    }
    if (close === -1 && j >= text.length) break;
    if (close === -1) {
      from = j + 1;
      continue;
    }
    out += text.slice(i, open) + quote + MASK + quote;
    i = close + 1;
    from = i;
  }
  return out + text.slice(i);
}

/** `<` … `>` with no `<` or `>` between: a `<` that meets another `<` first starts over there. */
function maskAngles(text: string): string {
  let out = '';
  let i = 0;
  let open = text.indexOf('<');
  while (open !== -1) {
    let j = open + 1;
    while (j < text.length && text[j] !== '<' && text[j] !== '>') j += 1;
    if (j >= text.length) break;
    if (text[j] === '<') {
      open = j;
      continue;
    }
    out += `${text.slice(i, open)}<${MASK}>`;
    i = j + 1;
    open = text.indexOf('<', i);
  }
  return out + text.slice(i);
}

/** PATH: (?:^|(?<=[\s(=:]))(?:\/|[A-Za-z]:\\)[^\s,)'"]+ — a greedy run, nothing to backtrack. */
function maskPaths(text: string): string {
  let out = '';
  let i = 0;
  let k = 0;
  while (k < text.length) {
    const before = k === 0 ? undefined : text[k - 1];
    const starts = before === undefined || before === '(' || before === '=' || before === ':' || isSpace(before);
    const head = !starts ? 0 : text[k] === '/' ? 1 : isLetter(text[k]) && text[k + 1] === ':' && text[k + 2] === '\\' ? 3 : 0;
    if (head === 0) {
      k += 1;
      continue;
    }
    let end = k + head;
    while (end < text.length && !isSpace(text[end]) && !",)'\"".includes(text[end])) end += 1;
    if (end === k + head) {
      k += 1;
      continue;
    }
    out += text.slice(i, k) + MASK;
    i = end;
    k = end;
  }
  return out + text.slice(i);
}

/** HEX: \b0x[0-9a-fA-F]+\b — the hex run must end the word (a shorter run ends before a hex digit). */
function maskHex(text: string): string {
  let out = '';
  let i = 0;
  let k = 0;
  while (k < text.length) {
    if (text[k] === '0' && text[k + 1] === 'x' && !isWord(text[k - 1])) {
      let end = k + 2;
      while (isHex(text[end])) end += 1;
      if (end > k + 2 && !isWord(text[end])) {
        out += text.slice(i, k) + MASK;
        i = end;
        k = end;
        continue;
      }
    }
    k += 1;
  }
  return out + text.slice(i);
}

/**
 * NUMBER: (?<![A-Za-z_])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b. A match must end where a word ends, so of
 * the ways the expression could stop only the end of each digit run can: tried longest first, as
 * the expression backtracks. Digit runs are measured once (runEnd), so each start costs O(1).
 */
function maskNumbers(text: string): string {
  const runEnd = new Int32Array(text.length + 1);
  runEnd[text.length] = text.length;
  for (let p = text.length - 1; p >= 0; p--) runEnd[p] = isDigit(text[p]) ? (isDigit(text[p + 1]) ? runEnd[p + 1] : p + 1) : p;
  const endsWord = (p: number) => !isWord(text[p]); // the last character matched is a digit
  let out = '';
  let i = 0;
  let k = 0;
  while (k < text.length) {
    const match = isLetter(text[k - 1]) || text[k - 1] === '_' ? -1 : numberAt(k);
    if (match === -1) {
      k += 1;
      continue;
    }
    out += text.slice(i, k) + MASK;
    i = match;
    k = match;
  }
  return out + text.slice(i);

  function numberAt(start: number): number {
    const digits = text[start] === '-' ? start + 1 : start;
    if (!isDigit(text[digits])) return -1;
    const integer = runEnd[digits];
    const fraction = text[integer] === '.' && isDigit(text[integer + 1]) ? runEnd[integer + 1] : -1;
    const afterFraction = fraction === -1 ? integer : fraction;
    let exponent = -1;
    if (text[afterFraction] === 'e') {
      const sign = text[afterFraction + 1] === '+' || text[afterFraction + 1] === '-' ? 1 : 0;
      if (isDigit(text[afterFraction + 1 + sign])) exponent = runEnd[afterFraction + 1 + sign];
    }
    for (const end of [exponent, fraction, integer]) if (end !== -1 && endsWord(end)) return end;
    return -1;
  }
}
