/**
 * Files the collector reads from outside its own folder — the repository's `migrations/` and the
 * built dashboard — are found in the repository when run from a checkout, and in `packaged/` (the
 * copies `npm pack` puts into the tarball: scripts/pack.mjs) when installed as a package.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The collector package's folder (collector/ in the repository, the installed package otherwise). */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `repoPath` (relative to the repository root), unless only `packaged/<packagedPath>` exists. */
export function repoOrPackaged(repoPath: string, packagedPath: string): string {
  const inRepo = path.resolve(PACKAGE_DIR, '..', repoPath);
  const inPackage = path.join(PACKAGE_DIR, 'packaged', packagedPath);
  return !fs.existsSync(inRepo) && fs.existsSync(inPackage) ? inPackage : inRepo;
}
