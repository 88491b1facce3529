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
 * email of the class (case-insensitively, longest first; Latin-script ones as whole words) — the user id by her pseudonym, a name or
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

/**
 * Identities shorter than this are not searched inside text (a user "a" would rewrite every "a"):
 * 3 characters in Latin script, 2 in others (a Japanese family name is often two characters).
 */
const MIN_SEARCHED = 3;
const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);
const searched = (s: string) => s.length >= (isAscii(s) ? MIN_SEARCHED : 2);

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
    // The name, its parts and the name written without spaces ("山田 花子", "山田", "花子", "山田花子").
    if (name) for (const part of [name, name.replace(/\s+/g, ''), ...name.split(/\s+/)]) if (searched(part)) replacement.set(part.toLowerCase(), '[redacted]');
    replacement.set(userId.toLowerCase(), subject(userId));
  }
  const needles = [...replacement.keys()].filter(searched).sort((a, b) => b.length - a.length);
  // Latin-script identities as whole words only — not next to another Latin letter or digit (not the
  // "ana" of "banana"; a path's `/`, `-`, `_`, `.` and a Japanese letter are boundaries); others
  // anywhere (Japanese runs words together: "私は山田花子です").
  const wordy = needles.filter(isAscii);
  const other = needles.filter((n) => !isAscii(n));
  const alternatives = [
    ...(wordy.length > 0 ? [`(?<![A-Za-z0-9])(?:${wordy.map(escape).join('|')})(?![A-Za-z0-9])`] : []),
    ...(other.length > 0 ? [`(?:${other.map(escape).join('|')})`] : []),
  ];
  const pattern = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'giu') : undefined;
  return {
    subject,
    text: (value) => (pattern && value ? value.replace(pattern, (m) => replacement.get(m.toLowerCase()) ?? '[redacted]') : value),
  };
}
