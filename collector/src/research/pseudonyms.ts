/**
 * Pseudonyms for the research exports: a student's SubjectID is `S` + the first 20 hex digits of
 * HMAC-SHA256(key, user id) — stable within an export, not reversible without the key, and the key is
 * never written anywhere (not in the export, not in a log):
 *
 * | EXPORT_PSEUDONYM_KEY | key                         | the same student in two exports   |
 * |----------------------|-----------------------------|-----------------------------------|
 * | unset (default)      | 32 random bytes per export  | two unrelated pseudonyms          |
 * | set (≥ 32 chars)     | that key                    | the same pseudonym (linkable)     |
 *
 * Identities also hide inside text: a notebook path (`/home/alice/lab1.ipynb`, `alice/lab1.ipynb`),
 * a printed name, an email in an output. `text()` replaces every known user id, display name and
 * email of the class (case-insensitively, whole words, longest first) — the user id by her pseudonym, a name or
 * email by `[redacted]` — in every string the export writes.
 */
import crypto from 'node:crypto';

export interface Identity {
  userId: string;
  name?: string | null;
  email?: string | null;
}

export interface Pseudonymiser {
  /** The pseudonym of a user id. */
  subject(userId: string): string;
  /** `value` with every known identity replaced. */
  text(value: string): string;
}

/** Identities shorter than this are not searched inside text (a user "a" would rewrite every "a"). */
const MIN_SEARCHED = 3;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createPseudonymiser(options: { key?: string; identities: Identity[] }): Pseudonymiser {
  const key = options.key ?? crypto.randomBytes(32);
  const cache = new Map<string, string>();
  const subject = (userId: string): string => {
    let p = cache.get(userId);
    if (p === undefined) {
      p = `S${crypto.createHmac('sha256', key).update(userId, 'utf8').digest('hex').slice(0, 20)}`;
      cache.set(userId, p);
    }
    return p;
  };
  const replacement = new Map<string, string>();
  for (const { userId, name, email } of options.identities) {
    if (email) replacement.set(email.toLowerCase(), '[redacted]');
    if (name) for (const part of [name, ...name.split(/\s+/)]) if (part.length >= MIN_SEARCHED) replacement.set(part.toLowerCase(), '[redacted]');
    replacement.set(userId.toLowerCase(), subject(userId));
  }
  const needles = [...replacement.keys()].filter((n) => n.length >= MIN_SEARCHED).sort((a, b) => b.length - a.length);
  // Whole words only (not the "ana" of "banana"); a path's `/`, `-`, `_` and `.` are boundaries.
  const pattern = needles.length > 0 ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${needles.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu') : undefined;
  return {
    subject,
    text: (value) => (pattern && value ? value.replace(pattern, (m) => replacement.get(m.toLowerCase()) ?? '[redacted]') : value),
  };
}
