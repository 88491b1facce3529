/**
 * The embedded default signs instructor tokens with a secret of its own when JWT_SECRET is unset:
 * 32 random bytes kept in DATA_DIR/jwt-secret (mode 0600), made on first start and read after, so
 * `npm start` gives a dashboard one can sign in to and tokens survive a restart. With Redis every
 * collector must share one secret, so there JWT_SECRET stays required (createCollector.ts).
 * A file that is a link, another user's, or readable by group or others is refused (core/privateFiles.ts):
 * a secret planted by another local user would let them sign an admin token.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makePrivateDir, readPrivateFile } from '../core/privateFiles.ts';

export const SECRET_FILE = 'jwt-secret';

export function generatedJwtSecret(dataDir: string): string {
  const file = path.join(dataDir, SECRET_FILE);
  makePrivateDir(dataDir);
  try {
    // 'wx': only one of two collectors started at once on the same DATA_DIR writes it.
    fs.writeFileSync(file, `${crypto.randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = readPrivateFile(file, 'delete it to have a new one made (every instructor signs in again), or set JWT_SECRET').trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable secret: delete it to have a new one made (every instructor signs in again)`);
  return secret;
}
