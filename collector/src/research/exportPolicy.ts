/**
 * What an export may say about a student, one policy applied to every value both formats write:
 *
 * | option            | SubjectID / user_id      | paths, ids, any text                       | free text (code, outputs, error messages and tracebacks, help messages) |
 * |-------------------|--------------------------|--------------------------------------------|------------------|
 * | neither (default) | the Jupyter user name    | as stored                                  | as stored        |
 * | pseudonymise      | `S` + keyed hash (pseudonyms.ts) | every user id of the class → her pseudonym, every name and email → `[redacted]` | scrubbed the same way |
 * | free_text=drop    | (as above)               | (as above)                                 | removed: empty columns, no code states, payload keys dropped |
 *
 * In a raw event's payload, free text is `code`, `output`, `error.message`, `error.traceback` and
 * every string inside `metadata` (a help message, a snapshot's cells); numbers and booleans stay.
 */
import { createPseudonymiser, type Identity } from './pseudonyms.ts';

export interface ExportPolicy {
  readonly pseudonymise: boolean;
  readonly dropFreeText: boolean;
  /** The subject of a user id. */
  subject(userId: string): string;
  /** A non-free-text string (path, id), scrubbed when pseudonymising. */
  text(value: string | null | undefined): string;
  /** A free-text string: '' when dropped, else scrubbed like text(). */
  freeText(value: string | null | undefined): string;
  /** A raw event's payload under the policy. */
  payload(payload: Record<string, unknown>): Record<string, unknown>;
}

function deepStrings(value: unknown, map: (s: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((v) => deepStrings(v, map));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepStrings(v, map)]));
  return value;
}

/** `value` without strings anywhere inside it (objects and arrays keep their numbers and booleans). */
function withoutStrings(value: unknown): unknown {
  if (typeof value === 'string') return undefined;
  if (Array.isArray(value)) return value.map(withoutStrings).filter((v) => v !== undefined);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutStrings(v)]).filter(([, v]) => v !== undefined));
  return value;
}

export function createExportPolicy(options: { pseudonymise: boolean; dropFreeText: boolean; key?: string; identities: Identity[] }): ExportPolicy {
  const names = options.pseudonymise ? createPseudonymiser({ key: options.key, identities: options.identities }) : undefined;
  const text = (value: string | null | undefined) => (value ? (names ? names.text(value) : value) : '');
  return {
    pseudonymise: options.pseudonymise,
    dropFreeText: options.dropFreeText,
    subject: (userId) => (names ? names.subject(userId) : userId),
    text,
    freeText: (value) => (options.dropFreeText ? '' : text(value)),
    payload(payload) {
      let out: Record<string, unknown> = { ...payload };
      if (options.dropFreeText) {
        delete out.code;
        delete out.output;
        if (out.error && typeof out.error === 'object') out.error = { name: (out.error as { name?: unknown }).name };
        if (out.metadata !== undefined) out.metadata = withoutStrings(out.metadata);
      }
      if (names) {
        const userId = typeof out.userId === 'string' ? out.userId : undefined;
        out = deepStrings(out, names.text) as Record<string, unknown>;
        if (userId !== undefined) out.userId = names.subject(userId);
      }
      return out;
    },
  };
}
