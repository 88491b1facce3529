/**
 * Secret redaction in the browser, before an event is queued: code, error text and output are
 * scanned for credentials (cloud keys, API tokens, JWTs, private keys, passwords in URLs and
 * string literals assigned to secret-looking names) and only the secret part is replaced by
 * `[REDACTED:<rule id>]`, so the surrounding code stays readable on the dashboard.
 *
 * Pure and dependency-free (bundled into the JupyterLab extension). Every default pattern is
 * linear-time: no nested quantifiers, repetitions are bounded or stop at a character they exclude,
 * and matches can only start where a lookbehind or a line anchor allows.
 */

export interface RedactionRule {
  id: string;
  pattern: RegExp;
  /**
   * Which capture group holds the secret. Default: the named group `secret` when the pattern has
   * one, else the whole match.
   */
  group?: number;
}

export type Redactor = (text: string) => { text: string; count: number };

/** Rule id of the admin-configured extra patterns. */
export const CUSTOM_RULE_ID = 'custom';

export const REDACTION_MARK_PREFIX = '[REDACTED:';

// ---------------------------------------------------------------------------------------------
// Assignments of string literals to secret-looking names.

/** Names whose value is a password: any non-empty literal is masked. */
const PASSWORD_NAMES = String.raw`(?:pass(?:word|wd|phrase)|pwd|[_-]pass)`;
/** Names whose value is a key or token: literals of 8+ characters are masked (`token = "<pad>"` is not a secret). */
const SECRET_NAMES = String.raw`(?:secret(?:[_-]?(?:access[_-]?)?key)?|token|api[_-]?key|access[_-]?key|private[_-]?key|(?:signing|encryption|master)[_-]?key)`;

/** An identifier ending in one of `keywords` (prefix such as `db_`, `client`, `AWS_SECRET_`). */
const name = (keywords: string) => String.raw`[A-Za-z0-9_-]{0,40}?${keywords}`;
/** The same, upper case only (env variable names). */
const upperName = (keywords: string) => String.raw`[A-Z0-9_]{0,40}?${keywords.toUpperCase()}`;

/** The same source matching letters in either case, for patterns compiled without the `i` flag. */
function anyCase(source: string): string {
  return source.replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/** A quoted string literal (optionally r/b/u/f-prefixed) whose content, `secret`, has at least `min` characters. */
function quotedValue(min: number): string {
  // Whole-value placeholders are not secrets: <your-key>, [PAD], {api_key}, ${TOKEN}, and an
  // earlier redaction mark.
  const placeholder = String.raw`(?!\[REDACTED:|<[^<>\r\n]{0,100}>\k<q>|\[[A-Za-z_]{1,20}\]\k<q>|\$?\{[^{}\r\n]{0,100}\}\k<q>)`;
  return String.raw`[rRbBuUfF]{0,2}(?<q>["'\x60])${placeholder}(?<secret>(?:(?!\k<q>)[^\\\r\n]|\\.){${min},2000})\k<q>`;
}

const NOT_A_VALUE = anyCase('(?:none|null|nil|true|false|undefined)');
const UNQUOTED_CHAR = String.raw`[^\s"'\x60&#;,()\[\]{}<>]`;

/** An unquoted value (env files, YAML, query strings) of at least `min` characters; not a path, variable or null. */
function bareValue(min: number): string {
  return String.raw`(?<secret>(?!${NOT_A_VALUE}(?!${UNQUOTED_CHAR}))(?![\/~$%*&!|>])${UNQUOTED_CHAR}{${min},500})`;
}

/** A YAML scalar (may contain spaces) that is not a Python/TS type annotation nor an environment lookup. */
function yamlValue(min: number): string {
  const notType = String.raw`(?!(?:str|bytes|string|int|float|bool|any|secretstr|secretbytes|${NOT_A_VALUE}|yes|no)[ \t]*;?[ \t]*(?:#.*)?$)`;
  const notLookup = String.raw`(?!(?:process\.env|os\.environ|os\.getenv|import\.meta\.env|env\.|getenv))`;
  // `token: str = "…"` is an annotated assignment (another pattern), not YAML.
  const notAssignment = String.raw`(?![^\r\n#]{0,500}?[ \t]=)`;
  return String.raw`${notType}${notLookup}${notAssignment}(?<secret>(?![\/~$%*&!|>])[^\s"'\x60#()\[\]{}](?:[^\r\n#()\[\]{}]{${Math.max(0, min - 2)},500}[^\s#()\[\]{}])${min > 1 ? '' : '?'})(?=[ \t]*(?:#.*)?$)`;
}

function assignmentRules(id: string, keywords: string, min: number): RedactionRule[] {
  const n = name(keywords);
  const q = quotedValue(min);
  const notInWord = String.raw`(?<![A-Za-z0-9_"'\x60-])`;
  return [
    // "password": "…" · 'api_key' => '…' · os.environ["PASSWORD"] = "…"
    { id, pattern: new RegExp(String.raw`${notInWord}(?<nq>["'\x60])${n}\k<nq>\]?[ \t]*(?:={1,3}|:=|=>|:)[ \t]*${q}`, 'i') },
    // os.getenv("API_KEY", "…") · os.environ.setdefault("TOKEN", "…")
    { id, pattern: new RegExp(String.raw`(?<=\()[ \t]*(?<nq>["'\x60])${n}\k<nq>[ \t]*,[ \t]*${q}`, 'i') },
    // password = "…" · self.api_key='…' · token: str = "…" · login(password="…") · if pwd == "…"
    {
      id,
      pattern: new RegExp(
        String.raw`${notInWord}${n}(?:[ \t]*:[ \t]*[A-Za-z_][A-Za-z0-9_.\[\], |]{0,60}?)?[ \t]*(?:={1,3}|!={1,2}|:=|=>)[ \t]*${q}`,
        'i',
      ),
    },
    // YAML / JS object keys with a quoted value: `password: "…"` · `{ apiKey: '…' }`
    { id, pattern: new RegExp(String.raw`(?:^[ \t]*(?:-[ \t]+)?|(?<=[{,])[ \t]*)${n}[ \t]*:[ \t]*${q}`, 'im') },
    // YAML with a plain value: `password: hunter2`
    { id, pattern: new RegExp(String.raw`^[ \t]*(?:-[ \t]+)?${n}[ \t]*:[ \t]+${yamlValue(min)}`, 'im') },
    // env lines: `DB_PASSWORD=hunter2` · `export token=…` · `%env API_KEY=…` (a lowercase name
    // without export is a Python keyword argument, not an env line)
    {
      id,
      pattern: new RegExp(
        String.raw`^[ \t]*(?:${anyCase('(?:export|set|%env|%set_env)')}[ \t]+${name(anyCase(keywords))}|${upperName(keywords)})=${bareValue(min)}(?=[ \t]*(?:#.*)?$)`,
        'm',
      ),
    },
    // query strings and connection strings: `?api_key=…&` · `;Password=…;`
    { id, pattern: new RegExp(String.raw`(?<=[?&;])${n}=${bareValue(min)}(?=[\s"'\x60&#;]|$)`, 'im') },
  ];
}

// ---------------------------------------------------------------------------------------------

/** Default rules, most specific first: where two rules match the same text, the earlier one names it. */
export const DEFAULT_RULES: readonly RedactionRule[] = Object.freeze([
  // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PGP …), whole block; a block cut before its END
  // line is masked as far as its base64 body goes. Certificates and public keys are not matched.
  {
    id: 'private-key',
    pattern:
      /-----BEGIN [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,8000}?-----END [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=\r\n]|\\[nr]){0,8000})/,
  },
  // JSON Web Tokens: header.payload.signature, base64url, header starts with eyJ ('{"').
  { id: 'jwt', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/ },
  { id: 'aws-access-key-id', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/ },
  {
    id: 'aws-secret-access-key',
    pattern:
      /(?<![A-Za-z0-9])(?:aws[_-]?)?secret[_-]?(?:access[_-]?)?key["'\]]{0,2}[ \t]*(?:=|:|=>)[ \t]*[rbuf]?["'`]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/i,
    group: 1,
  },
  { id: 'github-token', pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { id: 'gitlab-token', pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/ },
  { id: 'slack-token', pattern: /(?<![A-Za-z0-9_-])xox[abprse]-[A-Za-z0-9-]{10,}/ },
  { id: 'google-api-key', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/ },
  { id: 'huggingface-token', pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/ },
  { id: 'stripe-key', pattern: /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/ },
  // OpenAI / Anthropic style: sk-…, sk-proj-…, sk-ant-api03-…; the body needs a digit and an
  // uppercase letter, so hyphenated words (sk-learn, sk-learn-compatible-pipeline) survive.
  {
    id: 'sk-api-key',
    pattern: /(?<![A-Za-z0-9_-])sk-(?=[A-Za-z0-9_-]{0,300}?[0-9])(?=[A-Za-z0-9_-]{0,300}?[A-Z])[A-Za-z0-9_-]{20,}/,
  },
  // Authorization: Bearer <token>: a word of 16+ token characters with a digit, or 24+.
  {
    id: 'bearer-token',
    pattern:
      /(?<![A-Za-z0-9_])bearer[ \t]+((?:(?=[A-Za-z0-9._~+/-]{0,300}?[0-9])[A-Za-z0-9._~+/-]{16,}|[A-Za-z0-9._~+/-]{24,})=*)/i,
    group: 1,
  },
  // scheme://user:password@host: only the password; placeholders ({pw}, $PW, <pw>, ***) survive.
  {
    id: 'url-credentials',
    pattern:
      /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/[^\s:/@?#"'<>]{0,256}:(?!\[REDACTED:|\$?\{[^}\s@]{0,100}\}@|<[^>\s@]{0,100}>@|\$[A-Za-z_][A-Za-z0-9_]{0,60}@|%s@|\*+@)([^\s/@?#"'<>]{1,256})@/,
    group: 1,
  },
  ...assignmentRules('password-assignment', PASSWORD_NAMES, 1),
  ...assignmentRules('secret-assignment', SECRET_NAMES, 8),
] satisfies RedactionRule[]);

// ---------------------------------------------------------------------------------------------

interface CompiledRule {
  id: string;
  regex: RegExp;
  group: number | string;
}

interface Span {
  start: number;
  end: number;
  id: string;
}

function compile(rule: RedactionRule): CompiledRule {
  const flags = [...new Set(rule.pattern.flags.replace(/[gyd]/g, ''))].join('');
  const regex = new RegExp(rule.pattern.source, `${flags}gd`);
  const group = rule.group ?? (/\(\?<secret>/.test(rule.pattern.source) ? 'secret' : 0);
  return { id: rule.id, regex, group };
}

/** `/source/flags` or a bare source; null (after a warning) when it does not compile. */
function compileCustom(pattern: unknown, index: number): CompiledRule | null {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    console.warn(`cell-monitor: redaction pattern #${index + 1} ignored: not a non-empty string`);
    return null;
  }
  const literal = /^\/([\s\S]+)\/([imsu]*)$/.exec(pattern);
  try {
    const source = literal ? literal[1] : pattern;
    return compile({ id: CUSTOM_RULE_ID, pattern: new RegExp(source, literal ? literal[2] : '') });
  } catch (err) {
    console.warn(`cell-monitor: redaction pattern #${index + 1} ignored: ${(err as Error).message}`);
    return null;
  }
}

/** Masking what was left around already-masked secrets is only worth it with a few real characters. */
function significant(text: string): boolean {
  return text.replace(/\\[nrt]|[^A-Za-z0-9]/g, '').length >= 3;
}

/** First index in the sorted, disjoint `spans` whose end is after `pos`. */
function firstEndingAfter(spans: Span[], pos: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid].end <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Adds the secret [start, end) of rule `id`. Where it overlaps secrets of earlier (more specific)
 * rules: if all it adds are a few separators (`"\n"` after a PEM block) it is dropped; otherwise it
 * swallows them and is masked as one.
 */
function addSpan(spans: Span[], text: string, start: number, end: number, id: string): void {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  if (start >= end) return;
  const first = firstEndingAfter(spans, start);
  let last = first;
  while (last < spans.length && spans[last].start < end) last++;
  if (last === first) {
    spans.splice(first, 0, { start, end, id });
    return;
  }
  let residue = '';
  let cursor = start;
  for (let i = first; i < last; i++) {
    if (spans[i].start > cursor) residue += text.slice(cursor, spans[i].start);
    cursor = Math.max(cursor, spans[i].end);
  }
  if (cursor < end) residue += text.slice(cursor, end);
  if (!significant(residue)) return;
  const merged = { start: Math.min(start, spans[first].start), end: Math.max(end, spans[last - 1].end), id };
  spans.splice(first, last - first, merged);
}

function redactWith(rules: readonly CompiledRule[], text: string): { text: string; count: number } {
  if (text.length === 0) return { text, count: 0 };
  const spans: Span[] = [];
  for (const rule of rules) {
    const regex = rule.regex;
    regex.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = regex.exec(text)) !== null) {
      if (match[0].length === 0) {
        regex.lastIndex += 1;
        continue;
      }
      const range = typeof rule.group === 'string' ? match.indices?.groups?.[rule.group] : match.indices?.[rule.group];
      if (range) addSpan(spans, text, range[0], range[1], rule.id);
    }
  }
  if (spans.length === 0) return { text, count: 0 };
  let out = '';
  let cursor = 0;
  for (const span of spans) {
    out += `${text.slice(cursor, span.start)}${REDACTION_MARK_PREFIX}${span.id}]`;
    cursor = span.end;
  }
  return { text: out + text.slice(cursor), count: spans.length };
}

/**
 * A redactor with the default rules plus `extraPatterns` (regex sources set by an admin, masked
 * as `[REDACTED:custom]`; `/source/flags` is accepted too; a named group `secret` limits the mask).
 * An invalid pattern is skipped with a console warning.
 */
export function createRedactor(extraPatterns: readonly string[] = []): Redactor {
  const rules = DEFAULT_RULES.map(compile);
  (Array.isArray(extraPatterns) ? extraPatterns : []).forEach((pattern, index) => {
    const rule = compileCustom(pattern, index);
    if (rule) rules.push(rule);
  });
  return (text: string) => redactWith(rules, text);
}

// ---------------------------------------------------------------------------------------------
// Events

/** nbformat fields holding a multiline string (a list of lines read as one text). */
const MULTILINE_KEYS = new Set(['text', 'traceback', 'source']);

/** JSON arrays and plain objects; anything else (Date, class instances) is passed through. */
const isContainer = (value: unknown): value is object => {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

function setKey(target: Record<string, unknown> | unknown[], key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
}

/**
 * The output with every string redacted, walked without recursion. Lists of lines (stream `text`,
 * `traceback`, `text/*` mime data) are redacted as one text so a secret printed over several lines
 * (a PEM block) is found; base64 images are left alone. Unchanged subtrees are shared with the
 * input, nothing is mutated.
 */
function redactOutput(output: unknown, run: (text: string) => string): unknown {
  if (typeof output === 'string') return run(output);
  if (!isContainer(output)) return output;

  // How a child is handled: base64 media stays as it is, a list of lines is redacted as one text.
  const kind = (parentKey: string | undefined, key: string, child: unknown): 'binary' | 'lines' | 'walk' => {
    if (parentKey === 'data' && /^(?:image\/(?!svg)|application\/(?:pdf|octet-stream))/i.test(key)) return 'binary';
    if (Array.isArray(child) && child.length > 0 && child.every((item) => typeof item === 'string')) {
      if (MULTILINE_KEYS.has(key) || (parentKey === 'data' && /^text\//i.test(key))) return 'lines';
    }
    return 'walk';
  };
  const lines = (list: string[], key: string): string[] => {
    const separator = key === 'traceback' ? '\n' : '';
    const joined = list.join(separator);
    const redacted = run(joined);
    if (redacted === joined) return list;
    return separator === '' ? redacted.split(/(?<=\n)/) : redacted.split('\n');
  };

  // Post-order walk with an explicit stack: a node is finished after all its children, so it
  // knows whether any of them changed. `done` holds the result of every finished node; `keyOf`
  // the key it sits under (for an array element, its array's key).
  const done = new Map<object, unknown>();
  const keyOf = new Map<object, string | undefined>();
  const entered = new Set<object>();
  const stack: Array<{ node: object; exit: boolean }> = [{ node: output, exit: false }];
  while (stack.length > 0) {
    const { node, exit } = stack.pop()!;
    const isArray = Array.isArray(node);
    const nodeKey = keyOf.get(node);
    if (!exit) {
      if (entered.has(node)) continue;
      entered.add(node);
      stack.push({ node, exit: true });
      for (const [key, child] of Object.entries(node)) {
        if (!isContainer(child) || entered.has(child)) continue;
        if (!isArray && kind(nodeKey, key, child) !== 'walk') continue;
        if (!keyOf.has(child)) keyOf.set(child, isArray ? nodeKey : key);
        stack.push({ node: child, exit: false });
      }
      continue;
    }
    const copy: Record<string, unknown> | unknown[] = isArray ? new Array((node as unknown[]).length) : {};
    let changed = false;
    for (const [key, child] of Object.entries(node)) {
      let value: unknown = child;
      const how = isArray ? 'walk' : kind(nodeKey, key, child);
      if (how === 'lines') value = lines(child as string[], key);
      else if (how === 'binary') value = child;
      else if (typeof child === 'string') value = run(child);
      else if (isContainer(child) && done.has(child)) value = done.get(child);
      if (value !== child) changed = true;
      setKey(copy, key, value);
    }
    done.set(node, changed ? copy : node);
  }
  return done.get(output) ?? output;
}

type Redactable = {
  code?: string;
  output?: unknown;
  error?: { name: string; message: string; traceback?: string };
  metadata?: Record<string, unknown>;
};

/**
 * The event with its code, error message and traceback and every string of its output redacted.
 * When something was masked the result is a new event whose `metadata.redactions` is the number
 * of masked secrets (other metadata kept); otherwise the event itself. The input is not mutated.
 */
export function redactEvent<T extends Redactable>(event: T, redact: Redactor): T {
  let total = 0;
  const run = (text: string): string => {
    const result = redact(text);
    if (result.count <= 0) return text;
    total += result.count;
    return result.text;
  };
  const patch: Redactable = {};
  if (typeof event.code === 'string') {
    const code = run(event.code);
    if (code !== event.code) patch.code = code;
  }
  if (event.error && typeof event.error === 'object') {
    const message = typeof event.error.message === 'string' ? run(event.error.message) : event.error.message;
    const traceback = typeof event.error.traceback === 'string' ? run(event.error.traceback) : event.error.traceback;
    if (message !== event.error.message || traceback !== event.error.traceback) {
      patch.error = { ...event.error, message, ...(traceback !== undefined ? { traceback } : {}) };
    }
  }
  if (event.output !== undefined) {
    const output = redactOutput(event.output, run);
    if (output !== event.output) patch.output = output;
  }
  if (total === 0) return event;
  return { ...event, ...patch, metadata: { ...(event.metadata ?? {}), redactions: total } };
}
