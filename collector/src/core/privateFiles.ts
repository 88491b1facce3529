/**
 * What the collector keeps on disk (the embedded store with students' code and instructors' password
 * hashes, the buffer, the token secret) is for its own user only. `main.ts` sets umask 077 before
 * anything is written, so every file and directory is born 0600/0700; directories are also made 0700
 * explicitly (the library is used without the CLI too). A secret read from DATA_DIR must be a regular
 * file of this user that nobody else can read or write, opened without following a link: one planted
 * by another local user would let them sign an admin token.
 */
import fs from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;

/** A start-up refusal that names the file and the fix in one line (cli/startupErrors.ts prints it). */
export class UnsafeFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeFileError';
  }
}

export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** A warning when DATA_DIR is writable by group or others (another user could plant files), else undefined. */
export function dataDirWarning(dir: string): string | undefined {
  let mode: number;
  try {
    mode = fs.statSync(dir).mode;
  } catch {
    return undefined;
  }
  if ((mode & 0o022) === 0) return undefined;
  return `DATA_DIR ${dir} is writable by group or others (mode ${(mode & 0o777).toString(8)}): another local user could plant or replace files there; chmod 700 it`;
}

/** The text of a file that must belong to this user alone, or an UnsafeFileError saying why not. */
export function readPrivateFile(file: string, fix: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafeFileError(`${file} is a symbolic link, refused; ${fix}`);
    throw err;
  }
  try {
    const stat = fs.fstatSync(fd);
    const uid = process.getuid?.();
    if (!stat.isFile()) throw new UnsafeFileError(`${file} is not a regular file, refused; ${fix}`);
    if (uid !== undefined && stat.uid !== uid) throw new UnsafeFileError(`${file} belongs to another user (uid ${stat.uid}), refused; ${fix}`);
    if ((stat.mode & 0o077) !== 0) throw new UnsafeFileError(`${file} can be read or written by group or others (mode ${(stat.mode & 0o777).toString(8)}), refused; ${fix}`);
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}
