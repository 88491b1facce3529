/**
 * One way to read a Jupyter user name, everywhere a user id enters (the companion's header, the
 * credential issuers in TypeScript and Python, the roster import), so a name that looks the same is
 * the same student and the issuers and the collector agree on whose credential is whose:
 *
 * 1. trim whitespace at both ends — the ECMAScript set, spelled out so Python strips exactly the
 *    same: ASCII blanks, NBSP (U+00A0), ideographic space (U+3000), the BOM (U+FEFF), U+2000–U+200A…;
 * 2. Unicode NFC (a precomposed "é" and "e" + combining accent are one name);
 * 3. refuse what cannot be seen or reorders what is seen: control characters (Cc), format
 *    characters (Cf: zero-width space/joiners, bidi embeddings, overrides and isolates, soft hyphen,
 *    word joiner, tags), line/paragraph separators and the Hangul fillers that render as blanks;
 * 4. 1–255 characters (code points).
 *
 * `lab-extension/cell_monitor/credentials.py` (`normalise_user`) does the same; both are checked
 * against `test/vectors/student-credentials.json` (`userIds`).
 */

export const USER_ID_MAX_CHARS = 255;

const EDGE_SPACE = '[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';
const TRIM = new RegExp(`^${EDGE_SPACE}+|${EDGE_SPACE}+$`, 'gu');
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0]/u;

/** Why a user id is refused (the error ids the collector answers with). */
export type UserIdProblem = 'user_id_empty' | 'user_id_too_long' | 'user_id_invisible_character';

export const USER_ID_PROBLEMS: Record<UserIdProblem, string> = {
  user_id_empty: 'the user name is empty',
  user_id_too_long: `the user name is longer than ${USER_ID_MAX_CHARS} characters`,
  user_id_invisible_character: 'the user name contains an invisible, control or text-direction character (zero-width, bidi, BOM…)',
};

export class UserIdError extends Error {
  constructor(readonly id: UserIdProblem) {
    super(USER_ID_PROBLEMS[id]);
  }
}

/** Steps 1 and 2 only: the form a user id is compared and stored in. Never throws. */
export function normaliseUserId(raw: string): string {
  return raw.replace(TRIM, '').normalize('NFC');
}

/** What is wrong with an already normalised user id, or undefined. */
export function userIdProblem(normalised: string): UserIdProblem | undefined {
  if (normalised === '') return 'user_id_empty';
  if (INVISIBLE.test(normalised)) return 'user_id_invisible_character';
  if ([...normalised].length > USER_ID_MAX_CHARS) return 'user_id_too_long';
  return undefined;
}

/** The user id in its one form; throws UserIdError when it is refused. */
export function parseUserId(raw: string): string {
  const userId = normaliseUserId(raw);
  const problem = userIdProblem(userId);
  if (problem) throw new UserIdError(problem);
  return userId;
}
