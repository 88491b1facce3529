/**
 * Per-student credentials (DESIGN decision 5). The collector's master key (`INGEST_KEY`) never
 * leaves the collector and the admin's spawner: each student's Jupyter server holds only
 *
 *     cmc1_ + base64url(HMAC-SHA256(master key, "cell-monitor student credential v1\n" + user name))
 *
 * which proves nothing but "I speak for this one user". Whatever a student's server holds, its
 * kernels can read; with this, the worst a student can do with it is send events as themself.
 * The Python helper in the wheel (`cell_monitor.credentials`) computes the same value; both sides
 * are checked against `test/vectors/student-credentials.json`.
 */
import crypto from 'node:crypto';

export const CREDENTIAL_PREFIX = 'cmc1_';
const CONTEXT = 'cell-monitor student credential v1\n';

export function studentCredential(masterKey: string, userName: string): string {
  const mac = crypto.createHmac('sha256', Buffer.from(masterKey, 'utf8')).update(CONTEXT + userName, 'utf8').digest('base64url');
  return CREDENTIAL_PREFIX + mac;
}

/** Constant-time comparison (of digests, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** True when `given` is the credential of `userName` under `masterKey`. */
export function credentialMatches(masterKey: string, userName: string, given: string): boolean {
  return sameSecret(given, studentCredential(masterKey, userName));
}
