/**
 * The walker of secret redaction: which strings of an event are redacted (its code, error message
 * and traceback, and every string of its output) and how an nbformat output is walked — without
 * recursion, a list of lines redacted as one text, base64 media left alone, nothing mutated.
 */
import type { Redactor } from './spans.ts';

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
