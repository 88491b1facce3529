/**
 * The span engine of secret redaction: runs the rules (rules.ts) over a text, keeps the secret part
 * of each match as a span — where spans of two rules overlap, the earlier (more specific) rule names
 * the merged span — and replaces every span by `[REDACTED:<rule id>]`, so the code around a secret
 * stays readable on the dashboard.
 */
import { CUSTOM_RULE_ID, DEFAULT_RULES, type RedactionRule } from './rules.ts';

export type Redactor = (text: string) => { text: string; count: number };

export const REDACTION_MARK_PREFIX = '[REDACTED:';

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
  } catch (error) {
    console.warn(`cell-monitor: redaction pattern #${index + 1} ignored`, error);
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
