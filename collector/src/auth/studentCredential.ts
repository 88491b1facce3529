/**
 * Per-student credentials (DESIGN decision 5). The collector's master key (`INGEST_KEY`) never
 * leaves the collector and the admin's spawner: each student's Jupyter server holds only
 *
 *     v2 (issued now):  cmc2_<issued at, ms since 1970>_ + base64url(HMAC-SHA256(master key,
 *                        "cell-monitor student credential v2\n" + issued at + "\n" + user name))
 *     v1 (earlier):     cmc1_ + base64url(HMAC-SHA256(master key, "cell-monitor student credential v1\n" + user name))
 *
 * which proves nothing but "I speak for this one user" (the user name normalised: shared/src/userId.ts).
 * Whatever a student's server holds, its kernels can read; with this, the worst a student can do
 * with it is send events as themself. The issue time lets one student's credentials be revoked
 * (auth/credentialRevocation.ts): a revocation refuses every credential of hers issued before it —
 * v1 ones count as issued at 0 — and a credential issued afterwards works. v1 credentials stay
 * valid until their student is revoked, so existing deployments keep working.
 * The Python helper in the wheel (`cell_monitor.credentials`) computes the same values; both sides
 * are checked against `test/vectors/student-credentials.json`.
 */
import crypto from 'node:crypto';

export const CREDENTIAL_PREFIX = 'cmc1_';
export const CREDENTIAL_V2_PREFIX = 'cmc2_';
const CONTEXT = 'cell-monitor student credential v1\n';
const CONTEXT_V2 = 'cell-monitor student credential v2\n';
const V2 = /^cmc2_(\d{1,15})_([A-Za-z0-9_-]{43})$/;

/** The v1 credential of `userName` (deterministic; still accepted until the student is revoked). */
export function studentCredential(masterKey: string, userName: string): string {
  const mac = crypto.createHmac('sha256', Buffer.from(masterKey, 'utf8')).update(CONTEXT + userName, 'utf8').digest('base64url');
  return CREDENTIAL_PREFIX + mac;
}

/** A v2 credential of `userName`, issued at `issuedAtMs` (now by default). */
export function issueStudentCredential(masterKey: string, userName: string, issuedAtMs = Date.now()): string {
  const issued = String(Math.trunc(issuedAtMs));
  const mac = crypto.createHmac('sha256', Buffer.from(masterKey, 'utf8')).update(`${CONTEXT_V2}${issued}\n${userName}`, 'utf8').digest('base64url');
  return `${CREDENTIAL_V2_PREFIX}${issued}_${mac}`;
}

/** Whether a bearer value has the shape of a student credential (either version). */
export function looksLikeCredential(given: string): boolean {
  return given.startsWith(CREDENTIAL_PREFIX) || given.startsWith(CREDENTIAL_V2_PREFIX);
}

/** Constant-time comparison (of digests, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * When `given` is a credential of `userName` under `masterKey`: its issue time (ms; 0 for v1).
 * Undefined when it is not.
 */
export function credentialIssuedAt(masterKey: string, userName: string, given: string): number | undefined {
  const v2 = V2.exec(given);
  if (v2) return sameSecret(given, issueStudentCredential(masterKey, userName, Number(v2[1]))) ? Number(v2[1]) : undefined;
  return sameSecret(given, studentCredential(masterKey, userName)) ? 0 : undefined;
}

/** True when `given` is a credential of `userName` under `masterKey` (either version; revocation aside). */
export function credentialMatches(masterKey: string, userName: string, given: string): boolean {
  return credentialIssuedAt(masterKey, userName, given) !== undefined;
}
